// Git object models, pure: hashing, tree and commit rendering/parsing, the gpgsig header.
// Byte-exact with what git itself writes, so `git fsck --strict` and `git verify-commit` agree.
import { createHash, hash } from 'node:crypto';
import { asBuffer } from './bytes.ts';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';
export interface GitObject {
  type: ObjectType;
  content: Uint8Array;
}
export interface TreeEntry {
  mode: string; // '100644' | '100755' | '40000' | '120000' | '160000'
  name: string;
  oid: string;
}
export interface Person {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes east of UTC. */
  timezoneOffset: number;
}
export interface CommitObject {
  tree: string;
  parents: string[];
  author: Person;
  committer: Person;
  message: string;
  gpgsig?: string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Scratch for hashing small objects: header and content copied into one buffer, hashed one-shot. */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Buffer | null = null;

export function objectId(type: ObjectType, content: Uint8Array): string {
  const header = `${type} ${content.length}\0`;
  if (content.length > SCRATCH_BYTES - 32) return createHash('sha1').update(header).update(content).digest('hex');
  // Most objects (trees, reports) are small: one reused buffer, so a million reads allocate nothing here.
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  const at = scratch.write(header, 0, 'latin1');
  scratch.set(content, at);
  return hash('sha1', scratch.subarray(0, at + content.length), 'hex');
}

export function isTreeMode(mode: string): boolean {
  return mode === '40000' || mode === '040000';
}

/** git orders tree entries by name, comparing a tree's name as if it ended in "/". */
function sortKey(e: TreeEntry): string {
  return isTreeMode(e.mode) ? `${e.name}/` : e.name;
}

export function renderTree(entries: readonly TreeEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const parts: Buffer[] = [];
  for (const e of sorted) {
    parts.push(Buffer.from(`${isTreeMode(e.mode) ? '40000' : e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

/**
 * Index of the first `byte` in buf[from, end), or -1. Tree entries are short (a mode, a name, an
 * id), so a loop here costs less than a call into Buffer.indexOf for each of millions of entries.
 */
function findByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let k = from; k < end; k++) if (buf[k] === byte) return k;
  return -1;
}

/** Whether a[i, i+n) and b[j, j+n) hold the same bytes (both in range). */
function sameBytes(a: Uint8Array, i: number, b: Uint8Array, j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

/** The mode of the entry at buf[i, space): the common ones without decoding. */
function modeAt(buf: Buffer, i: number, space: number): string {
  const n = space - i;
  if (n === 5 && buf[i] === 0x34 && buf[i + 1] === 0x30 && buf[i + 2] === 0x30 && buf[i + 3] === 0x30 && buf[i + 4] === 0x30) return '40000';
  if (n === 6 && buf[i] === 0x31 && buf[i + 1] === 0x30 && buf[i + 2] === 0x30 && buf[i + 3] === 0x36 && buf[i + 4] === 0x34 && buf[i + 5] === 0x34) return '100644';
  return buf.toString('latin1', i, space);
}

function corrupt(): never {
  throw new Error('corrupt tree object');
}

export function parseTree(content: Uint8Array): TreeEntry[] {
  const buf = asBuffer(content);
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < buf.length) {
    const space = findByte(buf, 0x20, i, buf.length);
    const nul = space < 0 ? -1 : findByte(buf, 0, space, buf.length);
    if (nul < 0 || nul + 21 > buf.length) corrupt();
    out.push({ mode: modeAt(buf, i, space), name: buf.toString('utf8', space + 1, nul), oid: buf.toString('hex', nul + 1, nul + 21) });
    i = nul + 21;
  }
  return out;
}

/** An entry of the newer tree that is new or changed; `old` is the entry it replaced, if any. */
export interface TreeEntryChange extends TreeEntry {
  old: TreeEntry | null;
}

/** Whether the entry starting at `i` (mode up to `space`) is a subtree: mode 40000 (or 040000). */
function isTreeAt(buf: Buffer, i: number, space: number): boolean {
  const n = space - i;
  return (n === 5 && buf[i] === 0x34 && buf[i + 1] === 0x30) || (n === 6 && buf[i] === 0x30 && buf[i + 1] === 0x34);
}

/**
 * What changed between two tree objects: entries of `after` that are new or differ, and entries
 * only in `before`. Entries the two share byte for byte are skipped without being decoded, which
 * is most of them when one file was added to a large directory. With `followTree`, subtrees (mode
 * 40000) it refuses are left out (as added, changed or removed) without decoding more than their name: a
 * walk of one shard of hosts/ skips the others at the cost of a name each.
 */
export function diffTreeContent(before: Uint8Array | null, after: Uint8Array, followTree?: (name: string) => boolean): { changed: TreeEntryChange[]; removed: TreeEntry[] } {
  const a = before ? asBuffer(before) : Buffer.alloc(0);
  const b = asBuffer(after);
  const changed: TreeEntryChange[] = [];
  const removed: TreeEntry[] = [];
  const entry = (buf: Buffer, i: number, space: number, nul: number, name: string): TreeEntry =>
    ({ mode: modeAt(buf, i, space), name, oid: buf.toString('hex', nul + 1, nul + 21) });
  // Whether an entry is kept: anything but a subtree of mode 40000 that followTree refuses.
  const keep = (mode40000: boolean, name: string): boolean => !followTree || !mode40000 || followTree(name);
  const keepAt = (buf: Buffer, i: number, space: number, name: string): boolean => keep(space - i === 5 && isTreeAt(buf, i, space), name);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const na = findByte(a, 0, i, a.length);
    if (na < 0 || na + 21 > a.length) corrupt();
    const size = na + 21 - i;
    // The same entry in both (then b's name ends where a's does): skipped undecoded.
    if (j + size <= b.length && sameBytes(a, i, b, j, size)) {
      i += size;
      j += size;
      continue;
    }
    const nb = findByte(b, 0, j, b.length);
    if (nb < 0 || nb + 21 > b.length) corrupt();
    const sa = findByte(a, 0x20, i, na);
    const sb = findByte(b, 0x20, j, nb);
    if (sa < 0 || sb < 0) corrupt();
    const nameA = a.toString('utf8', sa + 1, na);
    // Same name bytes (a changed entry, the usual case): decoded once.
    const nameB = nb - sb === na - sa && sameBytes(a, sa + 1, b, sb + 1, na - sa - 1) ? nameA : b.toString('utf8', sb + 1, nb);
    if (nameA === nameB) {
      if (keepAt(b, j, sb, nameB)) changed.push({ ...entry(b, j, sb, nb, nameB), old: entry(a, i, sa, na, nameA) });
      i = na + 21;
      j = nb + 21;
      continue;
    }
    const ka = isTreeAt(a, i, sa) ? `${nameA}/` : nameA;
    const kb = isTreeAt(b, j, sb) ? `${nameB}/` : nameB;
    if (ka < kb) {
      if (keepAt(a, i, sa, nameA)) removed.push(entry(a, i, sa, na, nameA));
      i = na + 21;
    } else {
      if (keepAt(b, j, sb, nameB)) changed.push({ ...entry(b, j, sb, nb, nameB), old: null });
      j = nb + 21;
    }
  }
  for (const e of i < a.length ? parseTree(a.subarray(i)) : []) if (keep(e.mode === '40000', e.name)) removed.push(e);
  for (const e of j < b.length ? parseTree(b.subarray(j)) : []) if (keep(e.mode === '40000', e.name)) changed.push({ ...e, old: null });
  return { changed, removed };
}

function formatTz(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function renderPerson(p: Person): string {
  return `${p.name} <${p.email}> ${p.timestamp} ${formatTz(p.timezoneOffset)}`;
}

function parsePerson(text: string): Person {
  const m = /^(.*) <([^>]*)> (\d+) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) throw new Error(`bad identity line: ${text.slice(0, 80)}`);
  const offset = Number(m[5]) * 60 + Number(m[6]);
  return { name: m[1]!, email: m[2]!, timestamp: Number(m[3]), timezoneOffset: m[4] === '-' ? -offset : offset };
}

/** The bytes a commit signature covers: the commit without its gpgsig header. */
export function commitPayload(c: Omit<CommitObject, 'gpgsig'>): string {
  let head = `tree ${c.tree}\n`;
  for (const p of c.parents) head += `parent ${p}\n`;
  head += `author ${renderPerson(c.author)}\ncommitter ${renderPerson(c.committer)}\n`;
  return `${head}\n${c.message}`;
}

/** The full commit object; the signature goes in a gpgsig header after committer, as git writes it. */
export function renderCommit(c: CommitObject): Uint8Array {
  if (c.gpgsig === undefined) return encoder.encode(commitPayload(c));
  const payload = commitPayload(c);
  const split = payload.indexOf('\n\n');
  const sig = c.gpgsig.replace(/\n$/, '').split('\n').join('\n ');
  return encoder.encode(`${payload.slice(0, split)}\ngpgsig ${sig}\n${payload.slice(split + 1)}`);
}

export interface ParsedCommit extends CommitObject {
  /** Exactly what the gpgsig covers (the object minus that header), or null when unsigned. */
  signedPayload: string | null;
}

export function parseCommit(content: Uint8Array): ParsedCommit {
  const text = decoder.decode(content);
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const lines = headerText.split('\n');
  let tree = '';
  const parents: string[] = [];
  let author: Person | undefined;
  let committer: Person | undefined;
  let gpgsig: string | undefined;
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    const value = line.slice(sp + 1);
    if (key === 'gpgsig') {
      const sigLines = [value];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith(' ')) sigLines.push(lines[++i]!.slice(1));
      gpgsig = sigLines.join('\n') + '\n';
      continue;
    }
    kept.push(line);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parsePerson(value);
    else if (key === 'committer') committer = parsePerson(value);
  }
  if (!tree || !author || !committer) throw new Error('corrupt commit object');
  const signedPayload = gpgsig === undefined ? null : `${kept.join('\n')}\n\n${message}`;
  return { tree, parents, author, committer, message, gpgsig, signedPayload };
}

export function personAt(name: string, email: string, date: Date): Person {
  return { name, email, timestamp: Math.floor(date.getTime() / 1000), timezoneOffset: 0 };
}
