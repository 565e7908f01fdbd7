// Two output-preserving shortcuts in pdfkit's standard-font (AFM) metrics, which dominate the
// time of the packs' long Courier ledgers: skip the kerning lookup when the font has no kerning
// pairs (Courier has none, so every pair was a string concatenation returning 0), and remember
// each character's glyph name. The bytes written are unchanged; only the work is.
import { createRequire } from 'node:module';

interface AfmFont {
  kernPairs: Record<string, number>;
  glyphWidths: Record<string, number>;
  characterToGlyph(code: number): string;
  glyphsForString(s: string): string[];
  advancesForGlyphs(glyphs: string[]): number[];
}

let applied = false;

/** Patches the pdfkit copy that pdfmake itself loads; a no-op if pdfkit's internals differ. */
export function applyPdfkitSpeedups(): void {
  if (applied) return;
  applied = true;
  const fromPdfmake = createRequire(createRequire(import.meta.url).resolve('pdfmake/package.json'));
  const PDFDocument = fromPdfmake('pdfkit') as new (opts: object) => { font(name: string): unknown; _font?: { font?: AfmFont } };
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
