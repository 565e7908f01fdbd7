// The one adapter around pdfmake (server API, 0.3): the Roboto fonts shipped in pdfmake's own
// package (the same bytes on every machine), no network and no local files besides those fonts,
// and fixed metadata dates so the same document definition always gives the same bytes.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { siteError } from '../errors.ts';
import { applyPdfkitSpeedups } from './pdfkit-speedups.ts';

/** pdfmake's document-definition nodes, loosely typed: we build them in our own modules. */
export type Content = string | ContentObject | Content[];
export interface ContentObject {
  [key: string]: unknown;
}

export interface DocDefinition {
  content: Content;
  info: { title: string; author: string; subject: string; keywords?: string; creator?: string; producer?: string };
  [key: string]: unknown;
}

interface PdfMakeServer {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(cb: (url: string) => boolean): void;
  setLocalAccessPolicy(cb: (path: string) => boolean): void;
  createPdf(dd: Record<string, unknown>): { getStream(): Promise<NodeJS.ReadableStream & { end(): void }> };
}

const FONT_FILES = { normal: 'Roboto-Regular.ttf', bold: 'Roboto-Medium.ttf', italics: 'Roboto-Italic.ttf', bolditalics: 'Roboto-MediumItalic.ttf' } as const;
let instance: PdfMakeServer | undefined;

function pdfmake(): PdfMakeServer {
  if (instance) return instance;
  const require = createRequire(import.meta.url);
  const pm = require('pdfmake') as PdfMakeServer;
  const fontDir = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
  const fonts: Record<string, string> = {};
  for (const [style, file] of Object.entries(FONT_FILES)) fonts[style] = join(fontDir, file);
  const allowed = new Set(Object.values(fonts));
  // Courier is one of the PDF standard fonts: built into every reader, never embedded, and laid
  // out without OpenType shaping, so long ledgers render fast and line up in columns.
  const courier = { normal: 'Courier', bold: 'Courier-Bold', italics: 'Courier-Oblique', bolditalics: 'Courier-BoldOblique' };
  for (const name of Object.values(courier)) allowed.add(name);
  pm.setFonts({ Roboto: fonts, Courier: courier });
  // Packs embed nothing from outside: no URLs at all, and of local files only the four fonts.
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((path) => allowed.has(path) || allowed.has(resolve(path)));
  applyPdfkitSpeedups();
  instance = pm;
  return pm;
}

/** Renders a document; `date` becomes CreationDate and ModDate (and so the file ID). */
export async function renderPdf(dd: DocDefinition, date: Date): Promise<Buffer> {
  const definition = {
    ...dd,
    info: { creator: 'patchproof', producer: 'patchproof (pdfmake)', ...dd.info, creationDate: date, modDate: date },
  };
  try {
    const stream = await pdfmake().createPdf(definition).getStream();
    const chunks: Buffer[] = [];
    return await new Promise<Buffer>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const pdf = Buffer.concat(chunks);
        // The finished document can outlive this call (V8 keeps it reachable for a while):
        // drop what it holds, every laid-out page and our chunk list, so a build rendering
        // several packs in one thread holds one pack's layout at a time, not all of them.
        (stream as { _pdfMakePages?: unknown })._pdfMakePages = undefined;
        chunks.length = 0;
        stream.removeAllListeners();
        resolve(pdf);
      });
      stream.on('error', reject);
      stream.end();
    });
  } catch (cause) {
    throw siteError('SITE_PDF_FAILED', `could not render "${dd.info.title}": ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
