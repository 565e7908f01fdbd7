import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { importAdvisories, type ImportProgress } from '../../compliance/osv-import.ts';
import { loadSnapshot } from '../../compliance/osv-snapshot.ts';
import { assertOsv, validateOsv } from '../../compliance/osv-schema.ts';
import { canonicalJson } from '../../evidence/canonical-json.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixturePath } from './fixtures.ts';

const work = mkdtempSync(path.join(tmpdir(), 'pp-osv-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ALMA = fixturePath('osv/almalinux9/advisories');
const UBUNTU = fixturePath('osv/ubuntu/records');
const usn = JSON.parse(readFileSync(path.join(UBUNTU, 'USN-6409-1.json'), 'utf8')) as Record<string, unknown>;

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isPatchproofError(e) ? e.code : 'other';
  }
}

describe('OSV schema validation', () => {
  it('accepts every real fixture record (both Ubuntu schema generations, all 1,783 AlmaLinux)', () => {
    const rejected = [ALMA, UBUNTU].flatMap((dir) =>
      readdirSync(dir).filter((f) => !validateOsv(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))).ok),
    );
    expect(rejected).toEqual([]);
  });

  it('assertOsv throws CMP_OSV_INVALID with the first failing path', () => {
    expect(assertOsv(usn).id).toBe('USN-6409-1');
    expect(errorCode(() => assertOsv({ ...usn, published: 'soon' }))).toBe('CMP_OSV_INVALID');
    expect(() => assertOsv({ ...usn, published: 'soon' })).toThrow(/USN-6409-1 does not match the OSV schema: \/published must match/);
  });
});

describe('importAdvisories from a folder (real AlmaLinux 9 set)', () => {
  const dir = path.join(work, 'alma-home', 'advisories');
  let progress: ImportProgress[] = [];

  it('writes a snapshot of all 1,783 records, sorted by id, named by its sha256', async () => {
    const result = await importAdvisories(ALMA, dir, { onProgress: (p) => progress.push(p) });
    expect(result.count).toBe(1783);
    expect(result.skipped).toEqual([]);
    expect(result.withdrawn).toEqual([]);
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(path.basename(result.path)).toBe(`snapshot-${result.hash.slice(0, 12)}.json`);
    expect(progress.at(0)).toEqual({ phase: 'read', done: 1783, total: 1783 });
    expect(progress.filter((p) => p.phase === 'validate').at(-1)).toEqual({ phase: 'validate', done: 1783, total: 1783 });
    expect(progress.at(-1)).toEqual({ phase: 'write', done: 1783, total: 1783 });

    const snapshot = loadSnapshot(dir);
    expect(snapshot.hash).toBe(result.hash);
    expect(snapshot.records.map((r) => r.id)).toEqual([...snapshot.records.map((r) => r.id)].sort());
    const original = JSON.parse(readFileSync(path.join(ALMA, 'ALSA-2026:55439.json'), 'utf8')) as unknown;
    expect(snapshot.records.find((r) => r.id === 'ALSA-2026:55439')).toEqual(original);

    const index = JSON.parse(readFileSync(result.path.replace(/\.json$/, '.index.json'), 'utf8')) as {
      sha256: string; count: number; records: Array<{ id: string; cves: string[]; ecosystems: string[] }>;
    };
    expect(index.sha256).toBe(result.hash);
    expect(index.records.find((r) => r.id === 'ALSA-2026:55439')).toEqual({
      id: 'ALSA-2026:55439', modified: '2026-08-18T08:52:48Z', published: '2026-08-17T00:00:00Z',
      cves: ['CVE-2026-1965', 'CVE-2026-3783', 'CVE-2026-8286', 'CVE-2026-9547'], ecosystems: ['AlmaLinux:9'],
    });
    const current = JSON.parse(readFileSync(path.join(dir, 'current'), 'utf8')) as Record<string, unknown>;
    expect(current).toEqual({ count: 1783, sha256: result.hash, snapshot: path.basename(result.path) });
  });

  it('is deterministic: importing again gives the same bytes and hash', async () => {
    progress = [];
    const first = loadSnapshot(dir);
    const again = await importAdvisories(ALMA, path.join(work, 'alma-again'));
    expect(again.hash).toBe(first.hash);
  });

  it('refuses a snapshot whose bytes changed', () => {
    const file = loadSnapshot(dir).path;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('Important: curl security update', 'Low: curl security update'));
    expect(errorCode(() => loadSnapshot(dir))).toBe('CMP_SNAPSHOT_INVALID');
    expect(errorCode(() => loadSnapshot(file))).toBe('CMP_SNAPSHOT_INVALID');
    writeFileSync(file, text);
    expect(loadSnapshot(dir).count).toBe(1783);
  });

  it('reports a missing snapshot or source with coded errors', async () => {
    expect(errorCode(() => loadSnapshot(path.join(work, 'nowhere')))).toBe('CMP_SNAPSHOT_NOT_FOUND');
    await expect(importAdvisories(path.join(work, 'nowhere'), path.join(work, 'x'))).rejects.toMatchObject({ code: 'CMP_ADVISORY_SOURCE' });
  });
});

describe('invalid, withdrawn and duplicate records', () => {
  const src = path.join(work, 'broken');
  mkdirSync(path.join(src, 'nested'), { recursive: true });
  const put = (name: string, value: unknown): void =>
    writeFileSync(path.join(src, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  for (const f of readdirSync(UBUNTU)) put(f, readFileSync(path.join(UBUNTU, f), 'utf8'));
  put('not-json.json', '{"id": "USN-1-1", ');
  put('array.json', [usn]);
  put('no-id.json', { ...usn, id: undefined });
  put('bad-prefix.json', { ...usn, id: 'NOPE-2024-1' });
  put('bad-ecosystem.json', { ...usn, id: 'USN-9999-1', affected: [{ package: { ecosystem: 'Ubunt:24.04:LTS', name: 'glibc' } }] });
  put('bad-priority.json', { ...usn, id: 'USN-9999-2', severity: [{ type: 'Ubuntu', score: 'urgent' }] });
  put('bad-date.json', { ...usn, id: 'USN-9999-3', modified: '2025-07-16' });
  put('nested/withdrawn.json', { ...usn, id: 'USN-9999-4', withdrawn: '2025-01-01T00:00:00Z' });
  put('nested/older-copy.json', { ...usn, modified: '2020-01-01T00:00:00Z', summary: 'older copy' });
  put('README.txt', 'not an advisory');

  it('skips each invalid record with its file, id and reason; keeps the rest', async () => {
    const result = await importAdvisories(src, path.join(work, 'broken-out'));
    expect(result.count).toBe(8);
    expect(result.withdrawn).toEqual(['USN-9999-4']);
    const byFile = Object.fromEntries(result.skipped.map((s) => [s.file, s]));
    expect(Object.keys(byFile).sort()).toEqual([
      'array.json', 'bad-date.json', 'bad-ecosystem.json', 'bad-prefix.json', 'bad-priority.json', 'nested/older-copy.json', 'no-id.json', 'not-json.json',
    ]);
    expect(byFile['not-json.json']!.reason).toMatch(/^not JSON/);
    expect(byFile['array.json']!.reason).toBe('not a JSON object');
    expect(byFile['no-id.json']!.reason).toMatch(/must have required property 'id'/);
    expect(byFile['bad-prefix.json']).toMatchObject({ id: 'NOPE-2024-1', reason: expect.stringMatching(/^\/id must match pattern/) });
    expect(byFile['bad-ecosystem.json']).toMatchObject({ id: 'USN-9999-1', reason: expect.stringMatching(/^\/affected\/0\/package\/ecosystem/) });
    expect(byFile['bad-priority.json']!.reason).toMatch(/\/severity\/0\/score .*negligible, low, medium, high, critical/);
    expect(byFile['bad-date.json']!.reason).toMatch(/^\/modified must match/);
    expect(byFile['nested/older-copy.json']).toMatchObject({ id: 'USN-6409-1', reason: 'duplicate id; USN-6409-1.json is kept (later modified)' });
    const kept = loadSnapshot(path.join(work, 'broken-out')).records.find((r) => r.id === 'USN-6409-1');
    expect(kept?.summary).not.toBe('older copy');
  });
});

describe('importAdvisories from an OSV all.zip', () => {
  it('reads the .json entries of a zip built with fflate and hashes like the same folder', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const f of readdirSync(UBUNTU)) entries[f] = readFileSync(path.join(UBUNTU, f));
    entries['broken.json'] = strToU8('{ nope');
    entries['LICENSE.txt'] = strToU8('CC BY-SA 4.0');
    const zip = path.join(work, 'all.zip');
    writeFileSync(zip, zipSync(entries, { level: 6 }));

    const fromZip = await importAdvisories(zip, path.join(work, 'zip-out'));
    expect(fromZip.count).toBe(8);
    expect(fromZip.skipped).toEqual([{ file: 'broken.json', reason: expect.stringMatching(/^not JSON/) }]);
    const fromFolder = await importAdvisories(UBUNTU, path.join(work, 'folder-out'));
    expect(fromZip.hash).toBe(fromFolder.hash);
  });

  it('writes RFC 8785 canonical JSON for the whole file', () => {
    const file = loadSnapshot(path.join(work, 'folder-out')).path;
    const text = readFileSync(file, 'utf8');
    expect(`${canonicalJson(JSON.parse(text))}\n`).toBe(text);
  });

  it('refuses a damaged zip', async () => {
    const zip = path.join(work, 'damaged.zip');
    writeFileSync(zip, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(64, 1)]));
    await expect(importAdvisories(zip, path.join(work, 'damaged-out'))).rejects.toMatchObject({ code: 'CMP_ADVISORY_SOURCE' });
  });
});
