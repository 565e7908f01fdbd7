// Output-preserving changes to pdfkit for the packs' long Courier ledgers. Time: skip the
// kerning lookup when the font has no kerning pairs (Courier has none, so every pair was a
// string concatenation returning 0), and remember each character's glyph name. Memory: a
// compressed page stream is a few KiB in a 64 KiB zlib output buffer, and the document holds
// every page's until the end, so copy it out. The bytes written are unchanged; only the work is.
import { createRequire } from 'node:module';

interface AfmFont {
  kernPairs: Record<string, number>;
  glyphWidths: Record<string, number>;
  characterToGlyph(code: number): string;
  glyphsForString(s: string): string[];
  advancesForGlyphs(glyphs: string[]): number[];
}

let applied = false;

/** `_write(data)` pushes each chunk into the document's readable buffer until the end. */
function compactWrites(proto: { _write?: (data: unknown) => void }): void {
  const write = proto._write;
  if (typeof write !== 'function') return;
  proto._write = function (this: unknown, data: unknown): void {
    const slack = Buffer.isBuffer(data) && data.byteLength > 4096 && data.buffer.byteLength > 2 * data.byteLength;
    write.call(this, slack ? Buffer.from(data) : data);
  };
}

/** Patches the pdfkit copy that pdfmake itself loads; a no-op if pdfkit's internals differ. */
export function applyPdfkitSpeedups(): void {
  if (applied) return;
  applied = true;
  const fromPdfmake = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json'));
  const PDFDocument = fromPdfmake('pdfkit') as (new (opts: object) => { font(name: string): unknown; _font?: { font?: AfmFont } }) & { prototype: { _write?: (data: unknown) => void } };
  compactWrites(PDFDocument.prototype);
  const doc = new PDFDocument({ autoFirstPage: false });
  doc.font('Courier');
  const sample = doc._font?.font;
  if (!sample || typeof sample.advancesForGlyphs !== 'function' || typeof sample.glyphsForString !== 'function' || !sample.kernPairs) return;
  const proto = Object.getPrototypeOf(sample) as AfmFont;
  const advances = proto.advancesForGlyphs;
  const noKerning = new WeakMap<AfmFont, boolean>();
  proto.advancesForGlyphs = function (this: AfmFont, glyphs: string[]): number[] {
    let none = noKerning.get(this);
    if (none === undefined) {
      none = Object.keys(this.kernPairs).length === 0;
      noKerning.set(this, none);
    }
    if (!none) return advances.call(this, glyphs);
    const out = new Array<number>(glyphs.length);
    for (let i = 0; i < glyphs.length; i++) out[i] = this.glyphWidths[glyphs[i] as string] || 0;
    return out;
  };
  const tables = new WeakMap<AfmFont, string[]>();
  proto.glyphsForString = function (this: AfmFont, s: string): string[] {
    let table = tables.get(this);
    if (!table) {
      table = [];
      tables.set(this, table);
    }
    const out = new Array<string>(s.length);
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      let glyph = table[code];
      if (glyph === undefined) {
        glyph = this.characterToGlyph(code);
        table[code] = glyph;
      }
      out[i] = glyph;
    }
    return out;
  };
}
