// Pack reading beyond the collector's small per-commit packs: a pack too large to be held whole is
// read through the block cache (FarBlocks), whose blocks are reused least recently used first and
// whose views must never be served stale; every object, in any order, must read back exactly.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../cli/demo/rng.ts';
import { objectId } from '../../evidence/git-objects.ts';
import { deflateSync } from 'node:zlib';
import { buildPack, FarBlocks, inflate, PackReader, type PackInput } from '../../evidence/git-pack.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic bytes: a quarter compressible text, the rest noise, so both stored and deflated entries occur. */
function content(rnd: () => number, size: number, i: number): Buffer {
  if (i % 4 === 0) return Buffer.from(`{"object":${i},"text":"${'report line '.repeat(Math.ceil(size / 12))}"}`.slice(0, size));
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let k = 0; k < words.length; k++) words[k] = rnd() * 4294967296;
  return Buffer.from(words.buffer, 0, size);
}

describe('PackReader on a pack too large to hold whole', () => {
  it('reads every object back exactly, in any order and again after the cache has turned over', () => {
    const rnd = seededRandom(5);
    const objects: PackInput[] = [];
    let total = 0;
    // Mostly small objects, some that cross a 64 KiB block by a little or by a lot, up to a pack over the 64 MiB held whole.
    for (let i = 0; total < 90 * 1024 * 1024; i++) {
      const size = i % 97 === 0 ? 70_000 + Math.floor(rnd() * 200_000) : i % 13 === 0 ? 10_000 + Math.floor(rnd() * 30_000) : 50 + Math.floor(rnd() * 3000);
      const c = content(rnd, size, i);
      objects.push({ oid: objectId('blob', c), type: 'blob', content: c });
      total += size;
    }
    const { pack, idx, name } = buildPack(objects);
    expect(pack.length).toBeGreaterThan(64 * 1024 * 1024);
    const packDir = join(dir, 'pack');
    mkdirSync(packDir, { recursive: true });
    writeFileSync(join(packDir, `${name}.pack`), pack);
    writeFileSync(join(packDir, `${name}.idx`), idx);
    const reader = new PackReader(packDir, name);
    try {
      const order = objects.map((_, i) => i);
      for (let round = 0; round < 2; round++) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        for (const i of order) {
          const o = objects[i]!;
          const at = reader.find(o.oid);
          expect(at).toBeGreaterThanOrEqual(0);
          const got = reader.readAt(at, () => null);
          expect(got.type).toBe('blob');
          if (!Buffer.from(got.content).equals(Buffer.from(o.content))) throw new Error(`object ${i} (${o.content.length} bytes) read back differently`);
        }
      }
    } finally {
      reader.close();
    }
  });
});

describe('FarBlocks', () => {
  it('reuses the least recently used block and never serves a view of another region', () => {
    const file = join(dir, 'blocks.bin');
    const size = 64 * 1024 * 10 + 123;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 16)) & 0xff;
    writeFileSync(file, data);
    const fd = openSync(file, 'r');
    try {
      const cache = new FarBlocks(3 * 64 * 1024);
      const pack = cache.packId();
      const read = (offset: number, end: number): Buffer => Buffer.from(cache.bytes(pack, fd, size, offset, end).raw);
      // Three blocks fill the cache; reading them again costs nothing.
      for (const b of [0, 1, 2]) expect(read(b * 65536 + 10, b * 65536 + 100)).toEqual(data.subarray(b * 65536 + 10, b * 65536 + 100));
      expect(cache.reads).toBe(3);
      read(5, 50);
      expect(cache.reads).toBe(3);
      // A fourth evicts block 1 (block 0 was used since), whose buffer now holds block 3.
      expect(read(3 * 65536, 3 * 65536 + 40)).toEqual(data.subarray(3 * 65536, 3 * 65536 + 40));
      expect(cache.reads).toBe(4);
      expect(read(70_000, 70_100)).toEqual(data.subarray(70_000, 70_100));
      expect(cache.reads).toBe(5);
      // An object crossing its block's end by a little is read with it; by a lot, on its own (not cached).
      expect(read(65536 * 5 + 60_000, 65536 * 6 + 10_000)).toEqual(data.subarray(65536 * 5 + 60_000, 65536 * 6 + 10_000));
      expect(read(65536 * 6 + 100, 65536 * 8)).toEqual(data.subarray(65536 * 6 + 100, 65536 * 8));
      // The last block, shorter than the others, and a range up to the file's end.
      expect(read(size - 50, size)).toEqual(data.subarray(size - 50, size));
      // A block read short (only its first part) is read again when a later range needs more of it.
      const other = cache.packId();
      const part = cache.bytes(other, fd, 65536 + 10, 65536, 65536 + 10).raw;
      expect(Buffer.from(part)).toEqual(data.subarray(65536, 65536 + 10));
      cache.drop(other);
      expect(read(65536 * 9, 65536 * 9 + 5)).toEqual(data.subarray(65536 * 9, 65536 * 9 + 5));
    } finally {
      closeSync(fd);
    }
  });
});

describe('inflate', () => {
  it('inflates with the size from the header, and every bad stream still fails, without harming the next', () => {
    const text = Buffer.from('{"report":"line"}\n'.repeat(200));
    const z = deflateSync(text, { level: 1 });
    expect(Buffer.from(inflate(z, text.length))).toEqual(text);
    // Bytes after the stream (a bounded read of a pack entry) are ignored.
    expect(Buffer.from(inflate(Buffer.concat([z, Buffer.alloc(40, 7)]), text.length))).toEqual(text);
    // A wrong size hint still gives the stream's real content.
    expect(Buffer.from(inflate(z, 10))).toEqual(text);
    expect(Buffer.from(inflate(z, text.length + 500))).toEqual(text);
    expect(() => inflate(z.subarray(0, z.length - 9), text.length)).toThrow();
    const corrupt = Buffer.from(z);
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(() => inflate(corrupt, text.length)).toThrow();
    expect(Buffer.from(inflate(z, text.length))).toEqual(text);
  });
});

describe('PackReader.find', () => {
  /** A v2 index of `ids` (sorted here), each at offset 1000 + its rank; the pack itself is empty (find reads only the index). */
  const writeIndex = (dir: string, name: string, ids: Buffer[]): Buffer[] => {
    const sorted = [...ids].sort(Buffer.compare);
    const fanout = Buffer.alloc(1024);
    for (let b = 0, n = 0; b < 256; b++) {
      while (n < sorted.length && sorted[n]![0]! <= b) n++;
      fanout.writeUInt32BE(n, b * 4);
    }
    const offsets = Buffer.alloc(sorted.length * 4);
    sorted.forEach((_, i) => offsets.writeUInt32BE(1000 + i, i * 4));
    const head = Buffer.from([0xff, 0x74, 0x4f, 0x63, 0, 0, 0, 2]);
    writeFileSync(join(dir, `${name}.idx`), Buffer.concat([head, fanout, ...sorted, Buffer.alloc(sorted.length * 4), offsets, Buffer.alloc(40)]));
    writeFileSync(join(dir, `${name}.pack`), Buffer.alloc(32));
    return sorted;
  };

  it('finds every id and no other, in uniform and in badly clustered indexes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-find-'));
    try {
      const random = seededRandom(7);
      const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      const uniform = Array.from({ length: 60_000 }, () => bytes(20));
      // Clustered: most ids share their first three bytes, with a few far outliers in the same fanout bucket.
      const clustered = [
        ...Array.from({ length: 20_000 }, () => Buffer.concat([Buffer.from([0x42, 0x00, 0x00]), bytes(17)])),
        ...Array.from({ length: 50 }, () => Buffer.concat([Buffer.from([0x42, 0xff]), bytes(18)])),
        ...Array.from({ length: 5_000 }, () => bytes(20)),
      ];
      for (const [name, ids] of [['uniform', uniform], ['clustered', clustered]] as const) {
        const sorted = writeIndex(dir, name, ids);
        const pack = new PackReader(dir, name);
        try {
          sorted.forEach((id, i) => expect(pack.findKey(id)).toBe(1000 + i));
          const present = new Set(sorted.map((id) => id.toString('hex')));
          for (let n = 0; n < 5_000; n++) {
            const probe = n % 2 === 0 ? bytes(20) : Buffer.concat([Buffer.from([0x42, 0x00, 0x00]), bytes(17)]);
            if (!present.has(probe.toString('hex'))) expect(pack.findKey(probe)).toBe(-1);
          }
          // One byte off an id that is there (first and last byte): not found.
          const id = Buffer.from(sorted[123]!);
          id[19] = id[19]! ^ 1;
          if (!present.has(id.toString('hex'))) expect(pack.find(id.toString('hex'))).toBe(-1);
        } finally {
          pack.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
