// evaluateRepository() judges hosts shard by shard where they are read (worker threads and this
// thread) and assembles only their judgements: the model must be byte-identical to evaluate() over
// the whole loaded snapshot, with any number of shards and either citation mode.
import { join } from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRepository } from '../../compliance/evaluate-repository.ts';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { shardOf } from '../../compliance/load-evidence-history.ts';
import { loadHome } from '../../evidence/home.ts';
import { openReader } from '../../evidence/reader.ts';
import { evaluate, modelText, type EvaluateProgress } from '../../compliance/model.ts';
import { writeScenarioRepo } from './scenario-repo.ts';
import { ADVISORIES, EXCEPTIONS, PERIOD, SPECS } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

let root: string;
let repo: string;
const opts = () => ({ policies: twoVersionPolicies(), advisories: { snapshot_hash: 'e'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-cmp-repo-'));
  repo = (await writeScenarioRepo(root, SPECS, EXCEPTIONS)).repo;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('evaluateRepository', () => {
  let reference: string;
  beforeAll(async () => {
    reference = modelText(evaluate({ evidence: await loadEvidence(repo), ...opts() }));
  }, 60_000);

  it('writes the same model as evaluate() over the loaded snapshot, on this thread alone', async () => {
    const progress: EvaluateProgress[] = [];
    const model = await evaluateRepository(repo, { ...opts(), workers: 0, onProgress: (p) => progress.push(p) });
    expect(modelText(model)).toBe(reference);
    expect(model.hosts.length).toBe(SPECS.length);
    expect(model.findings.length).toBeGreaterThan(0);
    const last = progress.filter((p) => p.phase === 'hosts').pop()!;
    expect([last.done, last.total]).toEqual([SPECS.length, SPECS.length]);
    expect(progress.map((p) => p.phase)).toContain('validate');
  }, 60_000);

  it('writes the same model with hosts judged in two worker threads', async () => {
    const warnings: string[] = [];
    const model = await evaluateRepository(repo, { ...opts(), workers: 2, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(modelText(model)).toBe(reference);
  }, 60_000);

  it("cites like loadEvidence in 'judged' mode too", async () => {
    const judged = modelText(evaluate({ evidence: await loadEvidence(repo, { fileCommits: 'judged' }), ...opts() }));
    const model = await evaluateRepository(repo, { ...opts(), fileCommits: 'judged', workers: 1 });
    expect(modelText(model)).toBe(judged);
    expect(judged).not.toBe(reference);
  }, 60_000);

  it('refuses unknown options and an empty repository', async () => {
    await expect(evaluateRepository(repo, { ...opts(), bogus: 1 } as never)).rejects.toMatchObject({ code: 'CMP_USAGE' });
    await expect(evaluateRepository(repo, { ...opts(), commit: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'CMP_EVIDENCE_INVALID' });
  });
});

describe('evaluateRepository with a history cache', () => {
  let log: string[];
  let reference: string;
  let cacheDir: string;
  const notes: string[] = [];
  const run = (extra: Record<string, unknown> = {}) => evaluateRepository(repo, { ...opts(), workers: 1, cache: cacheDir, onCache: (m) => notes.push(m), ...extra });

  beforeAll(async () => {
    const reader = await openReader(repo);
    log = (await reader.log()).map((c) => c.commit);
    reader.close();
    reference = modelText(await evaluateRepository(repo, { ...opts(), workers: 1 }));
    cacheDir = join(root, 'cache');
  }, 60_000);

  it('writes one file per shard on the first run and gives the same model', async () => {
    notes.length = 0;
    expect(modelText(await run())).toBe(reference);
    expect(readdirSync(cacheDir).sort()).toEqual(['history-0-of-2.v8', 'history-1-of-2.v8']);
    expect(statSync(join(cacheDir, 'history-0-of-2.v8')).mode & 0o777).toBe(0o600);
    const head = readFileSync(join(cacheDir, 'history-0-of-2.v8'));
    // The format names the code that computed the state, so a changed loader never reads an old file.
    expect(JSON.parse(head.toString('utf8', 0, head.indexOf(0x0a)))).toMatchObject({ format: expect.stringMatching(/^patchproof\.history-cache\/1\+[0-9a-f]{16}$/), shard: 0, shards: 2, commit: log[log.length - 1] });
    expect(notes).toEqual([]);
  }, 60_000);

  it('resumes where an earlier run stopped and reads only the newer commits', async () => {
    rmSync(cacheDir, { recursive: true, force: true });
    const middle = log[Math.floor(log.length / 2)]!;
    const atMiddle = modelText(await evaluateRepository(repo, { ...opts(), workers: 1, commit: middle }));
    expect(modelText(await run({ commit: middle }))).toBe(atMiddle);
    notes.length = 0;
    expect(modelText(await run())).toBe(reference);
    const newer = log.length - 1 - log.indexOf(middle);
    expect(notes.sort()).toEqual([0, 1].map((i) => `history cache ${i + 1}/2: resumed at ${middle.slice(0, 12)}, ${newer} new commit(s)`));
    notes.length = 0;
    expect(modelText(await run())).toBe(reference);
    expect(notes.every((n) => n.endsWith(', 0 new commit(s)'))).toBe(true);
  }, 60_000);

  it('keeps a newer cache when an older commit is judged, and judges that commit correctly', async () => {
    const file = join(cacheDir, 'history-0-of-2.v8');
    const before = readFileSync(file);
    const older = log[2]!;
    const expected = modelText(await evaluateRepository(repo, { ...opts(), workers: 1, commit: older }));
    notes.length = 0;
    expect(modelText(await run({ commit: older }))).toBe(expected);
    expect(notes).toEqual([]);
    expect(readFileSync(file).equals(before)).toBe(true);
  }, 60_000);

  it('ignores and rewrites a damaged file, one from another history, and one in an old format', async () => {
    const file = join(cacheDir, 'history-0-of-2.v8');
    const good = readFileSync(file);
    const nl = good.indexOf(0x0a);
    const header = JSON.parse(good.toString('utf8', 0, nl));
    const cases: [Buffer, string][] = [
      [Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1]! ^ 1])]), 'damaged (checksum mismatch)'],
      [Buffer.concat([Buffer.from(JSON.stringify({ ...header, commit: 'f'.repeat(40) })), good.subarray(nl)]), `taken at ${'f'.repeat(40)}, which is not on the judged history`],
      [Buffer.concat([Buffer.from(JSON.stringify({ ...header, format: 'patchproof.history-cache/0' })), good.subarray(nl)]), 'written by another version'],
      [Buffer.from('not a cache'), 'unreadable header'],
    ];
    for (const [bytes, reason] of cases) {
      writeFileSync(file, bytes);
      notes.length = 0;
      expect(modelText(await run())).toBe(reference);
      expect(notes.filter((n) => n.startsWith('history cache 1/2'))).toEqual([`history cache 1/2 not used: ${reason}`]);
      const rewritten = readFileSync(file);
      expect(JSON.parse(rewritten.toString('utf8', 0, rewritten.indexOf(0x0a))).commit).toBe(log[log.length - 1]);
      notes.length = 0;
      expect(modelText(await run())).toBe(reference);
      expect(notes.sort()).toEqual([0, 1].map((i) => `history cache ${i + 1}/2: resumed at ${log[log.length - 1]!.slice(0, 12)}, 0 new commit(s)`));
    }
  }, 120_000);
});

describe('evaluateRepository shards', () => {
  const ids = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));
  const counted = (hosts: string[], count: number) => {
    const out = new Array<number>(count).fill(0);
    for (const h of hosts) out[shardOf(h, count)]!++;
    return out;
  };

  it('puts every host in one shard, the first a little larger (it starts first and hands nothing across)', () => {
    const sequential = ids(1000, (i) => `h_${(i + 1).toString(16).padStart(16, '0')}`);
    const random = ids(20_000, () => `h_${randomBytes(8).toString('hex')}`);
    expect(counted(sequential, 1)).toEqual([1000]);
    for (const hosts of [sequential, random]) {
      for (const count of [2, 3, 4]) {
        const shares = counted(hosts, count).map((n) => n / hosts.length);
        expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        const even = 1 / count;
        // Shard 0 takes about 10 % more than each other shard; the others are within a few % of each other.
        expect(shares[0]!).toBeGreaterThan(even * 1.02);
        expect(shares[0]!).toBeLessThan(even * 1.15);
        for (const s of shares.slice(1)) expect(Math.abs(s - shares[1]!)).toBeLessThan(0.03);
      }
    }
    // The split is fixed (the history cache is keyed by shard): the bench fleet's 1,000 hosts in two.
    expect(counted(sequential, 2)).toEqual([523, 477]);
  });

  it('stops its workers and fails with the coded error when the judgement cannot be prepared', async () => {
    for (const workers of [2, 0]) {
      const err = await evaluateRepository(repo, { ...opts(), policies: [], workers }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: expect.stringMatching(/^CMP_POLICY_/) });
    }
    // A stopped worker's rejection must not surface later as an unhandled one (vitest fails the run on those).
    await new Promise((r) => setTimeout(r, 500));
  }, 60_000);

  it("fails with the report's own error when a worker's shard holds an invalid report", async () => {
    const badRoot = mkdtempSync(join(tmpdir(), 'pp-cmp-bad-'));
    try {
      const written = await writeScenarioRepo(badRoot, SPECS, EXCEPTIONS);
      const victim = written.hosts.map((h) => h.snapshot.host.host_id).find((id) => shardOf(id, 2) === 1)!;
      const loaded = await loadHome(written.home);
      const store = await loaded.openStore();
      await store.commit([{ path: `hosts/${victim}/reports/2025/06/30/120000Z-999999.json`, content: '{"not":"a report"}\n' }], { message: 'bad report', date: new Date('2025-06-30T12:00:00Z') });
      await store.close();
      const warnings: string[] = [];
      const err = await evaluateRepository(written.repo, { ...opts(), workers: 1, onWarning: (m) => warnings.push(m) }).catch((e: unknown) => e);
      const bad = `hosts/${victim}/reports/2025/06/30/120000Z-999999.json`;
      expect(err).toMatchObject({ code: 'CMP_EVIDENCE_INVALID', data: { path: bad, code: 'EVD_SCHEMA_INVALID' } });
      expect((err as Error).message).toBe(`${bad}: report envelope does not match its schema: / must have required property 'schema'`);
      expect(warnings).toEqual([`evaluation worker 1 failed (${(err as Error).message}); its hosts are read on the main thread`]);
      // On this thread alone the same error, no warning.
      await expect(evaluateRepository(written.repo, { ...opts(), workers: 0 })).rejects.toMatchObject({ code: 'CMP_EVIDENCE_INVALID', message: (err as Error).message });
    } finally {
      rmSync(badRoot, { recursive: true, force: true });
    }
  }, 120_000);
});
