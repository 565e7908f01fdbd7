// Parses one host's packages.tsv versions. Consecutive versions differ in a few lines, so a line
// the host has had before reuses that line's Package object: memory grows with changes, not with
// versions. The version parsed before is kept as bytes with its lines' offsets; the runs a new
// version shares with it are found by native comparison of whole byte ranges (a few compares per
// changed line, none per unchanged one), and only the lines in between are looked at: each is
// merged against the previous version's sorted lines, then looked up by a hash of its bytes among
// every line the host has had, and decoded only when new. A year of weekly 700-line versions
// leaves no strings or buffers behind for the garbage collector but the last version's bytes.
import { asBuffer } from '../evidence/bytes.ts';
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

/** The length of the longest common prefix of a[ai..] and b[bi..], by galloping native compares. */
function commonPrefix(a: Buffer, ai: number, b: Buffer, bi: number): number {
  const max = Math.min(a.length - ai, b.length - bi);
  let lo = 0; // a known common length
  let step = 256;
  while (lo < max) {
    const len = Math.min(step, max - lo);
    if (a.compare(b, bi + lo, bi + lo + len, ai + lo, ai + lo + len) !== 0) {
      // The difference is within (lo, lo + len]: halve down to it.
      let hi = lo + len; // a known non-common length
      while (hi - lo > 16) {
        const mid = (lo + hi) >>> 1;
        if (a.compare(b, bi + lo, bi + mid, ai + lo, ai + mid) === 0) lo = mid;
        else hi = mid;
      }
      while (lo < hi && a[ai + lo] === b[bi + lo]) lo++;
      return lo;
    }
    lo += len;
    step *= 2;
  }
  return lo;
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

  /** The version parsed last (its bytes, and where each of its packages' lines starts and ends). */
  #prev: { bytes: Buffer; starts: Int32Array; ends: Int32Array; packages: readonly Package[] } | null = null;

  /** The packages of `bytes`, a version of this host's packages.tsv (the same as parsePackagesTsv). */
  parse(input: Uint8Array): Package[] {
    const bytes = asBuffer(input);
    const n = bytes.length;
    const prev = this.#prev;
    const m = prev ? prev.packages.length : 0;
    const packages: Package[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const add = (p: Package, start: number, end: number): void => {
      packages.push(p);
      starts.push(start);
      ends.push(end);
    };
    let j = 0; // the previous version's next line
    let start = 0; // a line start in `bytes`
    while (start < n) {
      if (prev && j < m) {
        // The run from here that equals the previous version from its line j: every line of it
        // (with its newline, or ending both texts) is that line's package.
        const from = prev.starts[j] as number;
        const common = commonPrefix(bytes, start, prev.bytes, from);
        const atEnd = start + common === n && from + common === prev.bytes.length;
        let k = j;
        while (k < m && ((prev.ends[k] as number) - from < common || (atEnd && (prev.ends[k] as number) - from === common))) {
          const s0 = start + (prev.starts[k] as number) - from;
          add(prev.packages[k] as Package, s0, s0 + (prev.ends[k] as number) - (prev.starts[k] as number));
          k++;
        }
        if (k > j) {
          start += (prev.ends[k - 1] as number) + 1 - from;
          j = k;
          continue;
        }
      }
      // One line that differs (or a header, blank line, or nothing left to share).
      let end = bytes.indexOf(NL, start);
      if (end < 0) end = n;
      if (end > start && bytes[start] !== HASH) {
        let cmp = 1;
        while (prev && j < m && (cmp = bytes.compare(prev.bytes, prev.starts[j], prev.ends[j], start, end)) > 0) j++;
        if (prev && j < m && cmp === 0) add(prev.packages[j++] as Package, start, end);
        else add(this.#line(bytes, start, end, lineHash(bytes, start, end)), start, end);
      }
      start = end + 1;
    }
    this.#prev = { bytes, starts: Int32Array.from(starts), ends: Int32Array.from(ends), packages };
    return packages;
  }
}

/** FNV-1a (32 bits) of bytes[start..end), and -1 when a byte is not ASCII (such lines are always decoded). */
function lineHash(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b >= 0x80) return -1;
    h = Math.imul(h ^ b, 0x01000193);
  }
  return h >>> 0;
}
