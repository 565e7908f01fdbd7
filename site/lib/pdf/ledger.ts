// Long listings (every host, finding, patch event and manifest entry) as "ledger" lines in the
// PDF standard font Courier rather than table cells. pdfmake lays out a table a cell at a time
// and shapes embedded-font text glyph by glyph, so a 50,000-row table takes tens of seconds and
// a gigabyte; the same rows as fixed-width text blocks take a few seconds and line up.
import type { ContentObject } from './pdfmake.ts';

const NBSP = '\u00a0';
const GAP = `${NBSP}${NBSP}`;
const BLOCK = 250;
/** Characters of Courier at 6.5 pt that fit a landscape A4 page with the pack margins. */
export const LEDGER_WIDTH = 197;

/** PDF standard fonts speak WinAnsi: anything outside printable Latin-1 becomes "?". */
function winAnsi(s: string): string {
  return s.replace(/[^\x20-\x7e\u00a0-\u00ff\u2014\u2013\u2026]/g, '?');
}

function cell(v: string | number | null | undefined): string {
  return winAnsi(v === null || v === undefined || v === '' ? '-' : String(v)).replace(/\s/g, NBSP);
}

export interface LedgerColumn {
  name: string;
  /** Maximum width in characters; longer values are not cut but push the line on. */
  max: number;
}

/**
 * Rows as aligned fixed-width lines under a header line. Each line is one unbreakable run, so
 * pdfmake measures it once; a line longer than the page wraps by characters.
 */
export function ledger(columns: LedgerColumn[], rows: Array<Array<string | number | null | undefined>>, extra: ContentObject = {}): ContentObject[] {
  const cells = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) => Math.min(c.max, Math.max(c.name.length, ...cells.map((r) => (r[i] ?? '').length))));
  const line = (fields: string[]) => fields.map((f, i) => (i === fields.length - 1 ? f : f.padEnd(widths[i] ?? 0, NBSP))).join(GAP);
  const out: ContentObject[] = [{ text: line(columns.map((c) => cell(c.name))), style: 'ledger', bold: true, ...extra }];
  const lines = cells.map(line);
  for (let i = 0; i < lines.length; i += BLOCK) out.push({ text: lines.slice(i, i + BLOCK).join('\n'), style: 'ledger', ...extra });
  return out;
}

/** Free text lines (e.g. a report path above its changes) in the ledger style. */
export function ledgerNote(text: string): ContentObject {
  return { text: cell(text), style: 'ledger', bold: true, margin: [0, 3, 0, 0] };
}
