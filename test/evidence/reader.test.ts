// The read side: hosts, reports in seq order, package and file history, exceptions, audit, keys.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome, loadHome } from '../../evidence/home.ts';
import { openReader, type EvidenceReader } from '../../evidence/reader.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import { hostId, removeDir, steppingClock, tempDir, writeFleet } from './helpers.ts';

let root: string;
let reader: EvidenceReader;
let heads: string[] = [];
beforeAll(async () => {
  root = tempDir();
  const home = join(root, 'home');
  const clock = steppingClock(new Date('2024-02-01T00:00:00Z'));
  await initHome({ home, org: 'X', clock });
  const loaded = await loadHome(home, { clock });
  const store = await loaded.openStore();
  heads.push((await store.head())!);
  await writeFleet(store, loaded.signer, { hosts: 3, perHost: 4, start: new Date('2024-03-01T00:00:00Z') });
  heads.push((await store.head())!);
  await store.commit(
    [
      { path: `hosts/${hostId(2)}/meta.yaml`, content: 'in_scope: true\nowner: ops\n' },
      { path: 'exceptions/EXC-0001.yaml', content: 'id: EXC-0001\ntitle: broken\n' },
    ],
    { message: 'meta + exception', date: new Date('2024-04-01T00:00:00Z') },
  );
  await store.close();
  reader = await openReader(loaded.paths.evidenceRepo);
});
afterAll(() => removeDir(root));

describe('EvidenceReader', () => {
  it('lists hosts with identity and optional meta', async () => {
    const hosts = await reader.listHosts();
    expect(hosts.map((h) => h.hostId)).toEqual([hostId(1), hostId(2), hostId(3)]);
    expect(hosts[0]!.meta).toBeNull();
    expect(hosts[1]!.meta).toMatchObject({ in_scope: true, owner: 'ops' });
    expect(await reader.listHosts(heads[0])).toEqual([]);
  });

  it('returns a host’s reports in seq order with exact bytes that chain', async () => {
    const reports = await reader.reports(hostId(1));
    expect(reports.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.envelope.previous).toBe(sha256Hex(reports[i - 1]!.bytes));
    expect(reports[0]!.path).toBe(`hosts/${hostId(1)}/reports/2024/03/01/000000Z-000001.json`);
    expect(await reader.readFile(`${reports[0]!.path}.asc`)).not.toBeNull();
  });

  it('gives package and file history only for commits that changed the path', async () => {
    const history = await reader.packagesHistory(hostId(1));
    expect(history.length).toBe(3); // seq 1, 2, 4 changed packages.tsv
    expect(history[0]!.sha256).toBe(sha256Hex(history[0]!.text));
    expect(history.map((h) => h.time.toISOString())).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-01T01:00:00.000Z', '2024-03-01T03:00:00.000Z']);
    const meta = await reader.fileHistory(`hosts/${hostId(2)}/meta.yaml`);
    expect(meta).toHaveLength(1);
    expect(meta[0]!.message).toContain('meta + exception');
    expect(meta[0]!.author.email).toBe('collector-1@patchproof.invalid');
  });

  it('reads exceptions (flagging invalid ones), audit entries, keys and the log', async () => {
    const exc = await reader.exceptions();
    expect(exc).toHaveLength(1);
    expect(exc[0]!.problem).not.toBeNull();
    expect((await reader.auditEntries()).length).toBe(2);
    expect((await reader.keys()).file.keys).toHaveLength(1);
    const log = await reader.log();
    expect(log[0]!.commit).toBe(heads[0]);
    expect(log.every((c) => c.signed)).toBe(true);
    expect(log).toHaveLength(6);
  });
});
