// Parses one host's packages.tsv versions in the order they were written. Consecutive versions
// differ in a few lines, so a line equal (byte for byte) to a line of the version parsed before
// reuses that version's Package object: memory grows with changes, not with versions. Unchanged
// lines are compared as bytes and never decoded, and only the last version's bytes are kept, so a
// year of weekly versions leaves no per-line strings behind for the garbage collector.
import type { Package } from '../evidence/types.gen.ts';

const NL = 0x0a;
const HASH = 0x23;
const TAB = 0x09;
const decoder = new TextDecoder();

/** Start and end offsets of the data lines (no blank or `#` lines) of a packages.tsv. */
function dataLines(bytes: Uint8Array): Int32Array {
  const marks: number[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NL, start);
    if (end < 0) end = bytes.length;
    if (end > start && bytes[start] !== HASH) marks.push(start, end);
    start = end + 1;
  }
  return Int32Array.from(marks);
}

/** a[as..ae) against b[bs..be) in byte order. */
function compareRange(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = (a[as + i] as number) - (b[bs + i] as number);
    if (d !== 0) return d;
  }
  return (ae - as) - (be - bs);
}

export class InventoryParser {
  #bytes: Uint8Array = new Uint8Array(0);
  #lines: Int32Array = new Int32Array(0);
  #packages: Package[] = [];
  readonly #strings: Map<string, string>;

  /** `strings` interns names, architectures and versions; share it across hosts of one thread. */
  constructor(strings: Map<string, string>) {
    this.#strings = strings;
  }

  #intern(s: string): string {
    const have = this.#strings.get(s);
    if (have !== undefined) return have;
    this.#strings.set(s, s);
    return s;
  }

  #decode(bytes: Uint8Array, start: number, end: number): Package {
    const fields: string[] = [];
    let at = start;
    for (let i = start; i <= end; i++) {
      if (i === end || bytes[i] === TAB) {
        fields.push(this.#intern(decoder.decode(bytes.subarray(at, i))));
        at = i + 1;
      }
    }
    const [name = '', arch = '', version = '', source = '', sourceVersion = ''] = fields;
    return { name, arch, version, source: source || name, source_version: sourceVersion || version };
  }

  /** The packages of `bytes`, the next version of this host's packages.tsv (the same as parsePackagesTsv). */
  parse(bytes: Uint8Array): Package[] {
    const lines = dataLines(bytes);
    const old = this.#bytes;
    const oldLines = this.#lines;
    const oldPackages = this.#packages;
    const packages: Package[] = new Array(lines.length / 2);
    let j = 0;
    for (let k = 0; k < lines.length; k += 2) {
      const s = lines[k] as number;
      const e = lines[k + 1] as number;
      let cmp = 1;
      while (j < oldLines.length && (cmp = compareRange(old, oldLines[j] as number, oldLines[j + 1] as number, bytes, s, e)) < 0) j += 2;
      packages[k / 2] = j < oldLines.length && cmp === 0 ? (oldPackages[j / 2] as Package) : this.#decode(bytes, s, e);
    }
    this.#bytes = bytes;
    this.#lines = lines;
    this.#packages = packages;
    return packages;
  }
}
