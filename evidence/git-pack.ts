// Git packfiles (v2 pack + v2 idx): the writer emits one pack per commit group so a group is one
// fsync'd file pair instead of thousands of loose objects; the reader serves any pack git writes
// (including deltas after `git gc`) with one positioned read per object.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { constants as zlibConstants, crc32, deflateSync, Inflate, inflateSync } from 'node:zlib';
import { join } from 'node:path';
import type { GitObject, ObjectType } from './git-objects.ts';
import { fsyncDir } from './git-fs.ts';

const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const CODE_TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export interface PackInput {
  oid: string;
  type: ObjectType;
  content: Uint8Array;
}

const STORED_BELOW = 640;

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 3800, data.length); // keeps b below 2^53 between reductions
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of "stored" deflate blocks (RFC 1950/1951): valid for git, no compression work. */
export function zlibStored(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = Buffer.alloc(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const chunk = data.subarray(b * 65535, Math.min(data.length, (b + 1) * 65535));
    out[o] = b === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(chunk.length, o + 1);
    out.writeUInt16LE(~chunk.length & 0xffff, o + 3);
    out.set(chunk, o + 5);
    o += 5 + chunk.length;
  }
  out.writeUInt32BE(adler32(data), o);
  return out;
}

function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let c = (type << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size > 0) {
    bytes.push(c | 0x80);
    c = size & 0x7f;
    size = Math.floor(size / 128);
  }
  bytes.push(c);
  return Buffer.from(bytes);
}

/**
 * Renders a pack and its index in memory. Objects are stored whole (no deltas; `git gc` adds them
 * later); duplicates dropped. Deflate runs synchronously: measured at under half the CPU of
 * zlib's async API, whose per-call stream set-up dominates for objects this small.
 */
export function buildPack(objects: readonly PackInput[], level = 1): { pack: Buffer; idx: Buffer; name: string } {
  const unique = new Map<string, PackInput>();
  for (const o of objects) if (!unique.has(o.oid)) unique.set(o.oid, o);
  const list = [...unique.values()];
  // Small objects (most trees, signatures) are stored uncompressed in a valid zlib stream: setting
  // up a deflate context costs more than they would save.
  const bodies = list.map((o) => (o.content.length < STORED_BELOW ? zlibStored(o.content) : deflateSync(o.content, { level })));
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(list.length, 8);
  const chunks: Buffer[] = [header];
  const meta: { oid: string; offset: number; crc: number }[] = [];
  let offset = 12;
  for (const [i, o] of list.entries()) {
    const head = entryHeader(TYPE_CODES[o.type], o.content.length);
    const body = bodies[i]!;
    meta.push({ oid: o.oid, offset, crc: crc32(body, crc32(head)) });
    chunks.push(head, body);
    offset += head.length + body.length;
  }
  if (offset >= 0x80000000) throw new Error('pack too large for 32-bit offsets; commit fewer files at once');
  const hash = createHash('sha1');
  for (const c of chunks) hash.update(c);
  const trailer = hash.digest();
  chunks.push(trailer);
  const pack = Buffer.concat(chunks);

  meta.sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = meta.length;
  const idx = Buffer.alloc(8 + 1024 + n * 28 + 40);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const m of meta) fanout[parseInt(m.oid.slice(0, 2), 16)]!++;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += fanout[i]!;
    idx.writeUInt32BE(running, 8 + i * 4);
  }
  const oidsAt = 8 + 1024;
  const crcAt = oidsAt + n * 20;
  const offAt = crcAt + n * 4;
  meta.forEach((m, i) => {
    idx.write(m.oid, oidsAt + i * 20, 'hex');
    idx.writeUInt32BE(m.crc >>> 0, crcAt + i * 4);
    idx.writeUInt32BE(m.offset, offAt + i * 4);
  });
  trailer.copy(idx, offAt + n * 4);
  createHash('sha1').update(idx.subarray(0, offAt + n * 4 + 20)).digest().copy(idx, offAt + n * 4 + 20);
  return { pack, idx, name: `pack-${trailer.toString('hex')}` };
}

async function writeSynced(path: string, data: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o444);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes a pack durably: both files are written and fsync'd under temporary names, renamed into
 * objects/pack (pack before idx, as git does, so an idx never names a missing pack), and the
 * directory is fsync'd. Returns the pack's base name, or null when there was nothing to write.
 */
export async function writePack(gitdir: string, tmpDir: string, objects: readonly PackInput[], opts: { durable?: boolean; level?: number } = {}): Promise<string | null> {
  if (objects.length === 0) return null;
  const { pack, idx, name } = buildPack(objects, opts.level);
  const durable = opts.durable !== false;
  const packDir = join(gitdir, 'objects', 'pack');
  const tmpPack = join(tmpDir, `${name}.pack.tmp`);
  const tmpIdx = join(tmpDir, `${name}.idx.tmp`);
  if (durable) {
    await writeSynced(tmpPack, pack);
    await writeSynced(tmpIdx, idx);
  } else {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(tmpPack, pack, { mode: 0o444 });
    await writeFile(tmpIdx, idx, { mode: 0o444 });
  }
  await rename(tmpPack, join(packDir, `${name}.pack`));
  await rename(tmpIdx, join(packDir, `${name}.idx`));
  if (durable) await fsyncDir(packDir);
  return name;
}

// ---- reading ----------------------------------------------------------------------------------

/**
 * Small packs (the collector writes one per commit) are read through a few fixed windows per
 * thread, each an aligned block of WINDOW_BYTES of the file (and the rest of an object that crosses
 * its end), reused least recently used first: history is read in the order it was written, so reads
 * stay within a few regions of one pack at a time and a window serves many objects. Objects are copied out of a window, so its buffer is never freed nor reallocated (loading
 * each small pack whole and letting it go left hundreds of MiB to the allocator). Larger packs (after
 * `git gc`: deltas, read all over) are held whole up to WHOLE_PACK_LIMIT, within a budget per thread
 * and until closed; beyond that they are read through a block cache (FarBlocks): history read
 * oldest first walks such a pack backwards in clusters, and delta chains jump about within them,
 * so a few windows would read the pack many times over (a year of 1,000 hosts after `git gc`: a
 * 510 MB pack read ~20 times over per thread through 32 windows of 64 KiB; ~5 times through this).
 */
const WINDOW_BYTES = 256 * 1024;
const WINDOW_COUNT = 32;
const SMALL_PACK = 16 * 1024 * 1024;
const WHOLE_PACK_LIMIT = 64 * 1024 * 1024;
let wholePackBudget = 128 * 1024 * 1024;
interface Window {
  owner: PackReader | null;
  start: number;
  end: number;
  used: number;
  readonly buf: Buffer;
}
const windows: Window[] = [];
let windowClock = 0;

/**
 * Blocks of large packs not held whole, FAR_BLOCK_BYTES each (and up to FAR_SLACK_BYTES more of an
 * object that crosses a block's end), at most FAR_CACHE_BYTES per thread; the least recently used
 * block's buffer is reused, so none is ever freed nor reallocated.
 */
const FAR_BLOCK_BYTES = 64 * 1024;
const FAR_SLACK_BYTES = 16 * 1024;
const FAR_CACHE_BYTES = 64 * 1024 * 1024;
interface FarBlock {
  start: number;
  end: number;
  readonly buf: Buffer;
}
export class FarBlocks {
  /** (pack, block index) → block, least recently used first. */
  readonly #blocks = new Map<number, FarBlock>();
  readonly #free: FarBlock[] = [];
  readonly #limit: number;
  #count = 0;
  #nextPack = 0;
  /** Blocks read from the files (for tests and benchmarks). */
  reads = 0;

  constructor(cacheBytes = FAR_CACHE_BYTES) {
    this.#limit = Math.max(1, Math.floor(cacheBytes / FAR_BLOCK_BYTES));
  }

  packId(): number {
    return this.#nextPack++;
  }

  /** Bytes [offset, end) of the pack: a view of a block (shared), or read on their own when they cross one by too much. */
  bytes(pack: number, fd: number, size: number, offset: number, end: number): { raw: Buffer; shared: boolean } {
    const index = Math.floor(offset / FAR_BLOCK_BYTES);
    const start = index * FAR_BLOCK_BYTES;
    if (end - start > FAR_BLOCK_BYTES + FAR_SLACK_BYTES) {
      const raw = Buffer.allocUnsafe(end - offset);
      readSync(fd, raw, 0, raw.length, offset);
      return { raw, shared: false };
    }
    const key = pack * 4294967296 + index;
    let b = this.#blocks.get(key);
    if (b) this.#blocks.delete(key);
    if (!b || end > b.end) {
      b ??= this.#take();
      const length = Math.min(Math.max(FAR_BLOCK_BYTES, end - start), size - start);
      b.end = 0;
      readSync(fd, b.buf, 0, length, start);
      this.reads++;
      b.start = start;
      b.end = start + length;
    }
    this.#blocks.set(key, b);
    return { raw: b.buf.subarray(offset - b.start, end - b.start), shared: true };
  }

  #take(): FarBlock {
    const free = this.#free.pop();
    if (free) return free;
    if (this.#count < this.#limit) {
      this.#count++;
      return { start: 0, end: 0, buf: Buffer.allocUnsafeSlow(FAR_BLOCK_BYTES + FAR_SLACK_BYTES) };
    }
    const [oldest, block] = this.#blocks.entries().next().value as [number, FarBlock];
    this.#blocks.delete(oldest);
    return block;
  }

  /** Forgets a closed pack's blocks; their buffers serve other packs. */
  drop(pack: number): void {
    for (const [key, b] of this.#blocks) {
      if (Math.floor(key / 4294967296) !== pack) continue;
      this.#blocks.delete(key);
      this.#free.push(b);
    }
  }
}
const far = new FarBlocks();

function takeWindow(): Window {
  if (windows.length < WINDOW_COUNT) {
    const w: Window = { owner: null, start: 0, end: 0, used: 0, buf: Buffer.allocUnsafeSlow(2 * WINDOW_BYTES) };
    windows.push(w);
    return w;
  }
  let oldest = windows[0] as Window;
  for (const w of windows) if (w.used < oldest.used) oldest = w;
  return oldest;
}
/** Per pack; git's own default (core.deltaBaseCacheLimit) is 96 MiB. */
const DELTA_BASE_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * A zlib stream made only of stored blocks (what zlibStored writes for small objects) is copied
 * out directly; anything else goes through zlib, into one buffer of the expected `size` when known
 * (zlib's default 16 KiB output chunk per call would otherwise be allocated for every object).
 */
export function inflate(data: Uint8Array, size?: number): Uint8Array {
  // 78 01 is also the header deflateSync writes at level 1, so a compressed block can follow it.
  if (data.length >= 11 && data[0] === 0x78 && data[1] === 0x01) {
    const parts: Uint8Array[] = [];
    let i = 2;
    for (;;) {
      const head = data[i]!;
      if ((head & 0x06) !== 0 || i + 5 > data.length) return inflateTo(data, size);
      const len = data[i + 1]! | (data[i + 2]! << 8);
      parts.push(data.subarray(i + 5, i + 5 + len));
      i += 5 + len;
      if (head & 1) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
  return inflateTo(data, size);
}

/**
 * zlib into one output buffer of `size` (+1: a full buffer makes zlib allocate another chunk to
 * find the end). Without it every call gets a fresh 16 KiB chunk outside the JS heap, and a run
 * reading millions of small objects then triggers a full collection every few hundred ms.
 */
function inflateTo(data: Uint8Array, size: number | undefined): Uint8Array {
  if (size === undefined) return inflateSync(data);
  return (size <= REUSED_INFLATE_MAX ? reusedInflate?.(data, size) : null) ?? inflateSync(data, { chunkSize: Math.max(64, size + 1) });
}

/**
 * One zlib inflate state per thread, reset between objects, for objects up to REUSED_INFLATE_MAX:
 * inflateSync builds a stream object and a zlib state with its 32 KiB window for every call, which
 * for millions of small objects costs more than inflating them. It drives the Inflate's native
 * handle as Node's own synchronous path does; where that handle is not as expected, or anything
 * about an object is off (an error, a size other than the one its header gave), the result is
 * null and inflateSync does it instead, so what is read never depends on this path.
 */
const REUSED_INFLATE_MAX = 256 * 1024;
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}
const reusedInflate = ((): ((data: Uint8Array, size: number) => Uint8Array | null) | null => {
  try {
    const stream = new Inflate() as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array; on(e: string, f: () => void): void };
    const handle = stream._handle;
    const state = stream._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) return null;
    let failed = false;
    handle.onerror = () => {
      failed = true;
    };
    stream.on('error', () => {});
    return (data, size) => {
      const out = Buffer.allocUnsafe(size + 1);
      failed = false;
      try {
        handle.writeSync(zlibConstants.Z_FINISH, data, 0, data.length, out, 0, out.length);
      } catch {
        failed = true;
      }
      const produced = out.length - (state[0] as number);
      handle.reset();
      return failed || produced !== size ? null : out.subarray(0, size);
    };
  } catch {
    return null;
  }
})();

/** One pack opened through its index, read through the windows above (large objects by position). */
export class PackReader {
  readonly name: string;
  readonly #idx: Buffer;
  /** The index as big-endian words: DataView reads compile to plain loads, Buffer.readUInt32BE checks bounds each call. */
  readonly #words: DataView;
  readonly #fd: number;
  readonly #count: number;
  readonly #packEnd: number;
  #sortedOffsets: Float64Array | null = null;
  #size = 0;
  /** The window that last served this pack (it may since have been taken for another). */
  #window: Window | null = null;
  /** The whole pack, for a large one within the budget (loaded on first use). */
  #data: Buffer | null = null;
  #triedWhole = false;
  /** This pack's id in the block cache of large packs. */
  readonly #farId = far.packId();
  /** Resolved delta bases by offset, least recently used first (git's delta_base_cache). */
  readonly #bases = new Map<number, GitObject>();
  #baseBytes = 0;

  constructor(packDir: string, name: string) {
    this.name = name;
    const fd = openSync(join(packDir, `${name}.idx`), 'r');
    try {
      const size = fstatSync(fd).size;
      this.#idx = Buffer.alloc(size);
      readSync(fd, this.#idx, 0, size, 0);
    } finally {
      closeSync(fd);
    }
    this.#words = new DataView(this.#idx.buffer, this.#idx.byteOffset, this.#idx.byteLength);
    if (this.#idx.length < 8 + 1024) throw new Error(`${name}.idx: not a v2 pack index`);
    if (this.#idx.readUInt32BE(0) !== 0xff744f63 || this.#idx.readUInt32BE(4) !== 2) throw new Error(`${name}.idx: not a v2 pack index`);
    this.#count = this.#idx.readUInt32BE(8 + 255 * 4);
    this.#fd = openSync(join(packDir, `${name}.pack`), 'r');
    const size = fstatSync(this.#fd).size;
    this.#packEnd = size - 20;
    this.#size = size;
  }

  close(): void {
    this.#bases.clear();
    this.#baseBytes = 0;
    closeSync(this.#fd);
    for (const w of windows) if (w.owner === this) w.owner = null;
    if (this.#size > SMALL_PACK) far.drop(this.#farId);
    this.#window = null;
    if (this.#data) wholePackBudget += this.#data.length;
    this.#data = null;
  }

  /**
   * Bytes [offset, end) of the pack, and whether they are a view of a shared window (valid only
   * until the next read; copy whatever is kept).
   */
  #bytes(offset: number, end: number): { raw: Buffer; shared: boolean } {
    if (!this.#triedWhole && this.#size > SMALL_PACK) {
      this.#triedWhole = true;
      if (this.#size <= WHOLE_PACK_LIMIT && this.#size <= wholePackBudget) {
        wholePackBudget -= this.#size;
        this.#data = Buffer.allocUnsafeSlow(this.#size);
        readSync(this.#fd, this.#data, 0, this.#size, 0);
      }
    }
    if (this.#data) return { raw: this.#data.subarray(offset, end), shared: false };
    if (this.#size > SMALL_PACK) return far.bytes(this.#farId, this.#fd, this.#size, offset, end);
    let w = this.#window;
    if (!(w && w.owner === this && w.start <= offset && end <= w.end)) w = windows.find((x) => x.owner === this && x.start <= offset && end <= x.end) ?? null;
    if (!w) {
      if (end - offset > WINDOW_BYTES) {
        const raw = Buffer.allocUnsafe(end - offset);
        readSync(this.#fd, raw, 0, raw.length, offset);
        return { raw, shared: false };
      }
      w = takeWindow();
      const start = offset - (offset % WINDOW_BYTES);
      const length = Math.min(Math.max(WINDOW_BYTES, end - start), this.#size - start);
      w.owner = null;
      readSync(this.#fd, w.buf, 0, length, start);
      w.owner = this;
      w.start = start;
      w.end = start + length;
    }
    this.#window = w;
    w.used = ++windowClock;
    return { raw: w.buf.subarray(offset - w.start, end - w.start), shared: true };
  }

  get count(): number {
    return this.#count;
  }

  /** Every object id in this pack. */
  *oids(): Generator<string> {
    const at = 8 + 1024;
    for (let i = 0; i < this.#count; i++) yield this.#idx.toString('hex', at + i * 20, at + i * 20 + 20);
  }

  #offsetAt(i: number): number {
    const offAt = 8 + 1024 + this.#count * 24;
    const v = this.#words.getUint32(offAt + i * 4);
    if ((v & 0x80000000) === 0) return v;
    const large = offAt + this.#count * 4 + (v & 0x7fffffff) * 8;
    return this.#words.getUint32(large) * 2 ** 32 + this.#words.getUint32(large + 4);
  }

  /** Offset of the object in the pack, or -1. */
  find(oid: string): number {
    return this.findKey(Buffer.from(oid, 'hex'));
  }

  /** find() for an id already in binary (20 bytes), so a lookup across many packs converts it once. */
  findKey(key: Buffer): number {
    const first = key[0]!;
    const word = ((first << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
    const idx = this.#idx;
    const words = this.#words;
    let lo = first === 0 ? 0 : words.getUint32(8 + (first - 1) * 4);
    let hi = words.getUint32(8 + first * 4) - 1;
    const base = 8 + 1024;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = base + mid * 20;
      const w = words.getUint32(at); // compare the first 4 bytes as a number; the rest on a tie
      const cmp = word !== w ? (word < w ? -1 : 1) : key.compare(idx, at + 4, at + 20, 4, 20);
      if (cmp === 0) return this.#offsetAt(mid);
      if (cmp < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -1;
  }

  #entryEnd(offset: number): number {
    if (!this.#sortedOffsets) {
      const arr = new Float64Array(this.#count);
      for (let i = 0; i < this.#count; i++) arr[i] = this.#offsetAt(i);
      arr.sort();
      this.#sortedOffsets = arr;
    }
    const arr = this.#sortedOffsets;
    let lo = 0;
    let hi = arr.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid]! <= offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo < arr.length ? arr[lo]! : this.#packEnd;
  }

  /**
   * A delta base, from the cache when it was resolved recently: after `git gc` objects sit at the end
   * of delta chains up to 50 long, and neighbours share most of their chain, so without the cache
   * every read would inflate and apply the whole chain again.
   */
  #base(offset: number, resolveRef: (oid: string) => GitObject | null): GitObject {
    const hit = this.#bases.get(offset);
    if (hit) {
      this.#bases.delete(offset);
      this.#bases.set(offset, hit);
      return hit;
    }
    const obj = this.readAt(offset, resolveRef);
    this.#bases.set(offset, obj);
    this.#baseBytes += obj.content.length;
    for (const [at, old] of this.#bases) {
      if (this.#baseBytes <= DELTA_BASE_CACHE_BYTES) break;
      this.#bases.delete(at);
      this.#baseBytes -= old.content.length;
    }
    return obj;
  }

  /**
   * The zlib stream of the entry whose data starts at `at` (offset + header), inflated to `size`
   * bytes. It is read up to a bound on its compressed length, so the entry's end (a search of the
   * sorted offsets) is only looked up for a stream longer than zlib ever writes one.
   */
  #inflateAt(offset: number, at: number, size: number): { bytes: Uint8Array; shared: boolean } {
    const bound = Math.min(this.#packEnd, at + size + (size >> 3) + (size >> 6) + 5 * Math.ceil(size / 16383) + 16);
    let { raw, shared } = this.#bytes(at, bound);
    let bytes: Uint8Array;
    try {
      bytes = inflate(raw, size);
    } catch (err) {
      const end = this.#entryEnd(offset);
      if (end <= bound) throw err;
      ({ raw, shared } = this.#bytes(at, end));
      bytes = inflate(raw, size);
    }
    return { bytes, shared: shared && bytes.buffer === raw.buffer };
  }

  /** Reads the object at `offset`, resolving deltas; `resolveRef` finds REF_DELTA bases elsewhere. */
  readAt(offset: number, resolveRef: (oid: string) => GitObject | null): GitObject {
    // The entry header: type and size, then the delta's base (an offset, or an id of 20 bytes).
    const { raw } = this.#bytes(offset, Math.min(this.#packEnd, offset + 40));
    let i = 0;
    let c = raw[i++]!;
    const type = (c >> 4) & 7;
    let size = c & 15;
    for (let shift = 16; c & 0x80; shift *= 128) {
      c = raw[i++]!;
      size += (c & 0x7f) * shift;
    }
    // Inflated bytes that may still be a view of the window (stored blocks), made safe to keep.
    const own = (r: { bytes: Uint8Array; shared: boolean }): Uint8Array => (r.shared ? Buffer.from(r.bytes) : r.bytes);
    if (type === OFS_DELTA || type === REF_DELTA) {
      let base: GitObject | null;
      let baseAt = -1;
      let baseId = '';
      if (type === OFS_DELTA) {
        c = raw[i++]!;
        let rel = c & 0x7f;
        while (c & 0x80) {
          c = raw[i++]!;
          rel = (rel + 1) * 128 + (c & 0x7f);
        }
        baseAt = offset - rel;
      } else {
        baseId = raw.toString('hex', i, i + 20);
        i += 20;
      }
      // The delta first: reading its base may move the window.
      const delta = own(this.#inflateAt(offset, offset + i, size));
      base = baseAt >= 0 ? this.#base(baseAt, resolveRef) : resolveRef(baseId);
      if (!base) throw new Error(`${this.name}: delta base missing at offset ${offset}`);
      return { type: base.type, content: applyDelta(base.content, delta) };
    }
    const t = CODE_TYPES[type];
    if (!t) throw new Error(`${this.name}: bad object type ${type} at offset ${offset}`);
    return { type: t, content: own(this.#inflateAt(offset, offset + i, size)) };
  }
}

function readVarint(buf: Uint8Array, pos: { i: number }): number {
  let result = 0;
  let shift = 1;
  let c: number;
  do {
    c = buf[pos.i++]!;
    result += (c & 0x7f) * shift;
    shift *= 128;
  } while (c & 0x80);
  return result;
}

export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const pos = { i: 0 };
  const baseSize = readVarint(delta, pos);
  if (baseSize !== base.length) throw new Error('delta base size mismatch');
  // allocUnsafe: every byte is written below (checked), and small results come from the shared pool
  // instead of a fresh allocation outside the heap each (which, by the million, forces full GCs).
  const out = Buffer.allocUnsafe(readVarint(delta, pos));
  let o = 0;
  while (pos.i < delta.length) {
    const op = delta[pos.i++]!;
    if (op & 0x80) {
      let off = 0;
      let size = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) off += delta[pos.i++]! * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) size += delta[pos.i++]! << (8 * b);
      if (size === 0) size = 0x10000;
      out.set(base.subarray(off, off + size), o);
      o += size;
    } else if (op > 0) {
      out.set(delta.subarray(pos.i, pos.i + op), o);
      pos.i += op;
      o += op;
    } else {
      throw new Error('bad delta opcode 0');
    }
  }
  if (o !== out.length) throw new Error('delta result size mismatch');
  return out;
}
