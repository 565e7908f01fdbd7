// Group commit: many callers, one durable commit; failures reject only that group's callers.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitStore } from '../../evidence/git-store.ts';
import { GroupCommitter } from '../../evidence/group-commit.ts';
import { AuditLog, checkAuditChain } from '../../evidence/audit-log.ts';
import { openReader } from '../../evidence/reader.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import type { Signer } from '../../evidence/sign.ts';
import { fixedSigner, removeDir, steppingClock, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
async function setup(windowMs = 30, maxFiles = 1000) {
  const d = tempDir();
  dirs.push(d);
  const { signer } = await fixedSigner();
  const clock = steppingClock();
  const store = await GitStore.init(join(d, 'evidence'), { signer, clock });
  const audit = await AuditLog.load(store, { clock });
  return { store, audit, committer: new GroupCommitter(store, { windowMs, maxFiles, audit }) };
}

describe('GroupCommitter', () => {
  it('batches concurrent callers into one commit that holds all their files', async () => {
    const { store, committer } = await setup();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => committer.add([{ path: `r/${i}.json`, content: `${i}` }], `report ${i}`)));
    const commits = new Set(results.map((r) => r.commit));
    expect(commits.size).toBe(1);
    expect(await store.head()).toBe(results[0]!.commit);
    expect((await store.list('r')).length).toBe(20);
    await committer.close();
    await store.close();
  });

  it('cuts a group at maxFiles, and queues callers behind a commit in flight', async () => {
    const { store, committer } = await setup(1000, 10);
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => committer.add([{ path: `r/${i}`, content: `${i}` }])));
    expect(new Set(results.map((r) => r.commit)).size).toBeGreaterThanOrEqual(3);
    await committer.close();
    await store.close();
  });

  it('rejects only the bad caller at add(), and every caller of a group whose commit fails', async () => {
    const { store, committer } = await setup();
    const good = committer.add([{ path: 'ok/1', content: 'x' }]);
    await expect(committer.add([{ path: '../x', content: 'x' }])).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
    await expect(good).resolves.toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    // A clash detected while building trees fails the whole group; the next group is unaffected.
    const a = committer.add([{ path: 'ok/1/inside', content: 'x' }]);
    const b = committer.add([{ path: 'fine/2', content: 'y' }]);
    await expect(a).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
    await expect(b).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
    await expect(committer.add([{ path: 'fine/3', content: 'z' }])).resolves.toBeDefined();
    expect(await store.readFile('fine/2')).toBeNull();
    await committer.close();
    await expect(committer.add([{ path: 'late', content: 'x' }])).rejects.toThrow();
    await store.close();
  });

  it('resolves callers only once their commit is durable, and a signing failure rejects that group', async () => {
    const { store, committer } = await setup();
    const real = store.signer;
    const failing: Signer = { ...real, signCommit: async () => { throw new Error('signer down'); } };
    store.setSigner(failing);
    const p = committer.add([{ path: 'x/1', content: '1' }]);
    await expect(p).rejects.toThrow('signer down');
    store.setSigner(real);
    const { commit } = await committer.add([{ path: 'x/2', content: '2' }]);
    expect(await store.head()).toBe(commit);
    expect(await store.readFile('x/1')).toBeNull();
    await committer.close();
    await store.close();
  });

  it('keeps every audit entry when several callers append in one group, and rolls back on failure', async () => {
    const { store, audit, committer } = await setup();
    const actor = { type: 'cli' as const, id: 'alice' };
    await Promise.all(Array.from({ length: 10 }, (_, i) => committer.add([], `a${i}`, { audit: [{ actor, action: 'token.created', details: { n: i } }] })));
    const real = store.signer;
    store.setSigner({ ...real, signCommit: async () => { throw new Error('boom'); } });
    await expect(committer.add([], 'lost', { audit: [{ actor, action: 'token.revoked' }] })).rejects.toThrow('boom');
    store.setSigner(real);
    await committer.add([], 'after', { audit: [{ actor, action: 'token.revoked' }] });
    await committer.close();
    expect(audit.seq).toBe(11);
    await store.close();
    const reader = await openReader(store.dir);
    const entries = await reader.auditEntries();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(checkAuditChain(reader.auditFiles())).toEqual([]);
  });

  it('flush() waits for everything queued', async () => {
    const { store, committer } = await setup(10_000);
    const p = committer.add([{ path: 'q/1', content: '1' }]);
    expect(committer.queued).toBe(1);
    await committer.flush();
    await expect(p).resolves.toBeDefined();
    await committer.flush();
    await committer.close();
    await store.close();
  });
});
