// Parses one host's packages.tsv versions. Consecutive versions differ in a few lines, so a line
// the host has had before reuses that line's Package object: memory grows with changes, not with
// versions. Each line is first compared, byte for byte and without decoding, with the version
// parsed before (lines are sorted, so one forward pass finds the unchanged ones); the others are
// looked up by a hash of their bytes among every line the host has had, and decoded only when new.
// Nothing per version is kept but the result, so a year of weekly 700-line versions leaves no
// strings or buffers behind for the garbage collector.
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

/**
 * The line bytes[start..end) against the five columns of p joined by tabs, in byte order; never 0
 * unless they are equal and all ASCII (a character of p above 0x7f always compares unequal).
 */
function compareLine(bytes: Uint8Array, start: number, end: number, p: Package): number {
  let i = start;
  const fields = [p.name, p.arch, p.version, p.source ?? '', p.source_version ?? ''];
  for (let k = 0; k < 5; k++) {
    const f = fields[k] as string;
    for (let c = 0; c < f.length; c++) {
      const code = f.charCodeAt(c);
      if (code >= 0x80) return 1;
      if (i === end) return -1;
      const d = (bytes[i] as number) - code;
      if (d !== 0) return d;
      i++;
    }
    if (k < 4) {
      if (i === end) return -1;
      const d = (bytes[i] as number) - TAB;
      if (d !== 0) return d;
      i++;
    }
  }
  return i === end ? 0 : 1;
}

export class InventoryParser {
  /** The version parsed last: the next one is compared with it line by line. */
  #previous: readonly Package[] = [];
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
    const previous = this.#previous;
    const n = bytes.length;
    let j = 0;
    let start = 0;
    while (start < n) {
      let end = start;
      while (end < n && bytes[end] !== NL) end++;
      if (end > start && bytes[start] !== HASH) {
        let cmp = 1;
        while (j < previous.length && (cmp = compareLine(bytes, start, end, previous[j] as Package)) > 0) j++;
        if (j < previous.length && cmp === 0) packages.push(previous[j++] as Package);
        else packages.push(this.#line(bytes, start, end, lineHash(bytes, start, end)));
      }
      start = end + 1;
    }
    this.#previous = packages;
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
