// verify on a clean repository: stats, progress, the worker-thread path and the CLI contract.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome, loadHome } from '../../evidence/home.ts';
import { verifyRepository, VERIFY_CODES, type VerifyProgress } from '../../evidence/verify.ts';
import { verifyJobs, verifyJobsParallel } from '../../evidence/verify-signatures.ts';
import { EvidenceReader } from '../../evidence/reader.ts';
import { run as verifyCommand } from '../../cli/commands/verify.ts';
import { run as initCommand } from '../../cli/commands/init.ts';
import type { CliIO } from '../../cli/io.ts';
import { removeDir, steppingClock, tempDir, writeFleet } from './helpers.ts';

let root: string;
let repo: string;
let fingerprint: string;
beforeAll(async () => {
  root = tempDir();
  const home = join(root, 'home');
  const clock = steppingClock(new Date('2024-02-01T00:00:00Z'));
  fingerprint = (await initHome({ home, org: 'V', clock })).fingerprint;
  const loaded = await loadHome(home, { clock });
  const store = await loaded.openStore();
  await writeFleet(store, loaded.signer, { hosts: 10, perHost: 6, start: new Date('2024-03-01T00:00:00Z') });
  await store.close();
  repo = loaded.paths.evidenceRepo;
});
afterAll(() => removeDir(root));

function captureIO(): CliIO & { out: string; err: string } {
  const io = { out: '', err: '', stdin: async () => '', env: {}, cwd: root } as CliIO & { out: string; err: string };
  io.stdout = (s) => void (io.out += s);
  io.stderr = (s) => void (io.err += s);
  return io;
}

describe('verifyRepository', () => {
  it('passes a clean repository and reports stats and progress', async () => {
    const phases = new Set<string>();
    const r = await verifyRepository(repo, { onProgress: (p: VerifyProgress) => phases.add(p.phase), trustedFingerprints: [fingerprint] });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.stats).toMatchObject({ commits: 7, files: 60, hosts: 10, reports: 60, auditEntries: 2 });
    expect(r.stats.signatures).toBe(67);
    expect([...phases].sort()).toEqual(['chains', 'history', 'signatures']);
    expect(VERIFY_CODES).toContain('VRF_SEQ_GAP');
  });

  it('flags a trust anchor that is not the published fingerprint', async () => {
    const r = await verifyRepository(repo, { trustedFingerprints: ['0'.repeat(40)] });
    expect(r.problems.map((p) => p.code)).toEqual(['VRF_KEYS_INVALID']);
  });

  it('verifies an auditor\'s working clone and a mirror whose HEAD names another branch', async () => {
    const clone = join(root, 'clone');
    execFileSync('git', ['clone', '--quiet', repo, clone]);
    const fromClone = await verifyRepository(clone, { trustedFingerprints: [fingerprint] });
    expect(fromClone.problems).toEqual([]);
    expect(fromClone.stats.reports).toBe(60);
    const mirror = join(root, 'mirror.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=master', mirror]);
    execFileSync('git', ['-C', repo, 'push', '--quiet', '--mirror', mirror]);
    const fromMirror = await verifyRepository(mirror, { trustedFingerprints: [fingerprint] });
    expect(fromMirror.problems).toEqual([]);
    expect(fromMirror.head).toBe(fromClone.head);
  });

  it('gives the same outcomes on worker threads as in-process', async () => {
    const reader = new EvidenceReader(repo);
    const keys = [{ fingerprint, armored: (await reader.keys()).armored[fingerprint]! }];
    const jobs = reader.reportPaths(reader.listSync('hosts')[0]!.name).map((r) => ({ path: r.path, data: r.oid, sig: reader.odb.entryAt(reader.odb.commit((reader.odb.head())!).tree, `${r.path}.asc`)!.oid }));
    const local = await verifyJobs(reader.odb, keys, jobs);
    const threaded = await verifyJobsParallel(repo, reader.odb, keys, jobs, { workers: 2, threshold: 1 });
    expect(threaded).toEqual(local);
    expect(local.every((o) => o.ok)).toBe(true);
    reader.close();
  });
});

describe('CLI', () => {
  it('verify prints a summary and exits 0; usage errors exit 2', async () => {
    const io = captureIO();
    expect(await verifyCommand(['--repo', repo, '--quiet'], io)).toBe(0);
    expect(io.out).toMatch(/^OK: 0 problem\(s\); head [0-9a-f]{40}; 7 commits, 67 signatures, 10 hosts, 60 reports/);
    const json = captureIO();
    expect(await verifyCommand(['--repo', repo, '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.trim()).summary).toMatchObject({ ok: true, problems: 0 });
    const bad = captureIO();
    expect(await verifyCommand([], bad)).toBe(2);
    expect(bad.err).toContain('CLI_USAGE');
    const missing = captureIO();
    expect(await verifyCommand(['--repo', join(root, 'nope')], missing)).toBe(2);
    expect(missing.err).toContain('EVD_REPO_NOT_FOUND');
  });

  it('init creates a home and refuses to run twice', async () => {
    const io = captureIO();
    expect(await initCommand(['--home', 'cli-home', '--org', 'CLI Org'], io)).toBe(0);
    expect(io.out).toContain('key fingerprint');
    const again = captureIO();
    expect(await initCommand(['--home', 'cli-home'], again)).toBe(2);
    expect(again.err).toContain('EVD_REPO_EXISTS');
    const v = captureIO();
    expect(await verifyCommand(['--repo', join(root, 'cli-home', 'evidence'), '--quiet'], v)).toBe(0);
  });
});
