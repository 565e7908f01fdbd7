// Type scale, colours and table helpers for the packs: small, plain and printable.
import type { Content, ContentObject } from './pdfmake.ts';

export const STYLES = {
  h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 8] },
  h2: { fontSize: 13, bold: true, margin: [0, 14, 0, 6] },
  h3: { fontSize: 10.5, bold: true, margin: [0, 10, 0, 4] },
  small: { fontSize: 7.5, color: '#333333' },
  muted: { color: '#52606d' },
  th: { bold: true, fillColor: '#eef1f4' },
  ledger: { font: 'Courier', fontSize: 6.5, lineHeight: 1.1 },
  mono: { fontSize: 7 },
  banner: { bold: true, color: '#ffffff', fillColor: '#5c2d00', margin: [4, 3, 4, 3] },
};

export const DEFAULT_STYLE = { font: 'Roboto', fontSize: 9, lineHeight: 1.2 };

export const h1 = (text: string, extra: ContentObject = {}): ContentObject => ({ text, style: 'h1', ...extra });
export const h2 = (text: string, extra: ContentObject = {}): ContentObject => ({ text, style: 'h2', ...extra });
export const h3 = (text: string, extra: ContentObject = {}): ContentObject => ({ text, style: 'h3', ...extra });
export const p = (text: Content, extra: ContentObject = {}): ContentObject => ({ text, margin: [0, 0, 0, 5], ...extra });

/** A small bordered table with a repeated header row; for tens or hundreds of rows, not thousands. */
export function table(header: string[], rows: Content[][], widths: Array<number | string> = header.map(() => 'auto'), fontSize = 8): ContentObject {
  return {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths,
      body: [header.map((h) => ({ text: h, style: 'th' })), ...rows],
    },
    layout: { hLineColor: '#cbd2d9', vLineColor: '#cbd2d9', hLineWidth: () => 0.5, vLineWidth: () => 0.5, paddingTop: () => 2, paddingBottom: () => 2 },
    fontSize,
    margin: [0, 2, 0, 8],
  };
}

/** Key/value pairs as a two-column table without grid. */
export function facts(rows: Array<[string, Content]>): ContentObject {
  return {
    table: { widths: [150, '*'], body: rows.map(([k, v]) => [{ text: k, bold: true, color: '#52606d' }, v]) },
    layout: 'noBorders',
    margin: [0, 0, 0, 8],
  };
}
