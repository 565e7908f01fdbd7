// Parses one host's packages.tsv versions. Consecutive versions differ in a few lines, so a line
// the host has had before reuses that line's Package object: memory grows with changes, not with
// versions. Lines are looked up by a hash of their bytes and confirmed byte for byte against the
// Package, so an unchanged line is never decoded and nothing per version is kept but the result:
// a year of weekly 700-line versions leaves no strings or buffers behind for the garbage collector.
import type { Package } from '../evidence/types.gen.ts';

const NL = 0x0a;
const HASH = 0x23;
const TAB = 0x09;
const decoder = new TextDecoder();

/** Whether bytes[at..) starts with the ASCII string s followed by `stop` (a tab) or the line end. */
function fieldIs(bytes: Uint8Array, at: number, end: number, s: string, last: boolean): number {
  const n = s.length;
  if (at + n > end) return -1;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) !== bytes[at + i]) return -1;
  const next = at + n;
  if (last) return next === end ? next : -1;
  return next < end && bytes[next] === TAB ? next + 1 : -1;
}

/** Whether the line bytes[start..end) is exactly the five columns of p. */
function lineIs(bytes: Uint8Array, start: number, end: number, p: Package): boolean {
  let at = fieldIs(bytes, start, end, p.name, false);
  if (at >= 0) at = fieldIs(bytes, at, end, p.arch, false);
  if (at >= 0) at = fieldIs(bytes, at, end, p.version, false);
  if (at >= 0) at = fieldIs(bytes, at, end, p.source ?? '', false);
  if (at >= 0) at = fieldIs(bytes, at, end, p.source_version ?? '', true);
  return at >= 0;
}

export class InventoryParser {
  /** Line hash → Package objects of every line this host has had (a chain on the rare collision). */
  readonly #seen = new Map<number, Package | Package[]>();
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

  /** The line bytes[start..end), whose FNV-1a hash is h (-1: not ASCII, always decoded). */
  #line(bytes: Uint8Array, start: number, end: number, h: number): Package {
    if (h < 0) return this.#decode(bytes, start, end);
    const have = this.#seen.get(h);
    if (have !== undefined) {
      if (!Array.isArray(have)) {
        if (lineIs(bytes, start, end, have)) return have;
      } else {
        for (const p of have) if (lineIs(bytes, start, end, p)) return p;
      }
    }
    const p = this.#decode(bytes, start, end);
    // Only lines that render back to the same bytes can be found again (not ones with empty source columns).
    if (lineIs(bytes, start, end, p)) this.#seen.set(h, have === undefined ? p : Array.isArray(have) ? [...have, p] : [have, p]);
    return p;
  }

  /** The packages of `bytes`, a version of this host's packages.tsv (the same as parsePackagesTsv). */
  parse(bytes: Uint8Array): Package[] {
    const packages: Package[] = [];
    const n = bytes.length;
    let start = 0;
    // One pass: each line's end and its FNV-1a hash (32 bits), -1 when a byte is not ASCII.
    while (start < n) {
      let h = 0x811c9dc5;
      let ascii = true;
      let i = start;
      for (; i < n; i++) {
        const b = bytes[i] as number;
        if (b === NL) break;
        if (b >= 0x80) ascii = false;
        h = Math.imul(h ^ b, 0x01000193);
      }
      if (i > start && bytes[start] !== HASH) packages.push(this.#line(bytes, start, i, ascii ? h >>> 0 : -1));
      start = i + 1;
    }
    return packages;
  }
}
