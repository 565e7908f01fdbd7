// End to end with real processes and real TLS: a collector process behind a test CA's
// certificate, real `patchproof agent` processes enrolled with a CLI-made token, reports landing
// as signed evidence that `patchproof verify`, `git verify-commit` and `gpg --verify` accept.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReader } from '../../evidence/reader.ts';
import { makePki, type TestPki } from '../agent/helpers/pki.ts';
import { LEGACY_OK, makeRsaLeaf, probeTls } from './tls-probe.ts';
import { cli, git, gpgEnvFor, gpgVerifyFile, killAll, makeHostRoot, spawnProc, startCollectorProc, tmp, upgradeInRoot, type CollectorProc } from './collector-helpers.ts';

let pki: TestPki;
let dir: string;
let home: string;
let collector: CollectorProc;

beforeAll(() => {
  pki = makePki();
  dir = tmp('pp-e2e-col-');
  home = join(dir, 'home');
  expect(cli(['init', '--home', home, '--org', 'E2E Org']).code).toBe(0);
});
afterAll(() => killAll());

const tlsArgs = () => ['--tls-cert', join(pki.dir, 'server.pem'), '--tls-key', join(pki.dir, 'server.key')];

describe('collector process over TLS with real agents', () => {
  it('refuses plain HTTP off loopback, and a bad certificate', () => {
    const plain = cli(['collector', '--home', home, '--listen', '0.0.0.0:0']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('COL_INSECURE_LISTEN');
    const bad = cli(['collector', '--home', home, '--listen', '127.0.0.1:0', '--tls-cert', join(pki.dir, 'ca.pem'), '--tls-key', join(pki.dir, 'server.key')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('COL_TLS_INVALID');
  });

  // openssl at SECLEVEL=0 offers what a lax server would accept, so each refusal below is the
  // collector's (a TLS alert from the server), not the client declining to ask.
  it('negotiates TLS 1.2+ with forward-secret AEAD suites only, as stock openssl sees it', async () => {
    const rsa = makeRsaLeaf(pki.dir);
    const leaves = [
      { kx: 'ECDSA', cert: join(pki.dir, 'server.pem'), key: join(pki.dir, 'server.key'), legacy: ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256'] },
      { kx: 'RSA', cert: rsa.cert, key: rsa.key, legacy: ['AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA256', 'AES128-GCM-SHA256'] },
    ];
    for (const leaf of leaves) {
      const proc = await startCollectorProc(home, ['--tls-cert', leaf.cert, '--tls-key', leaf.key]);
      let exit: number | null = null;
      try {
        const port = Number(new URL(proc.url).port);
        for (const old of ['-tls1', '-tls1_1']) {
          const r = probeTls(port, [old, '-cipher', LEGACY_OK], pki.caFile);
          expect(r.handshake, `${leaf.kx} ${old}: ${r.output}`).toBe(false);
          expect(r.serverAlert, `${leaf.kx} ${old}: ${r.output}`).toBe(true);
        }
        expect(probeTls(port, ['-tls1_2'], pki.caFile)).toMatchObject({ handshake: true, protocol: 'TLSv1.2' });
        expect(probeTls(port, ['-tls1_3'], pki.caFile)).toMatchObject({ handshake: true, protocol: 'TLSv1.3' });
        for (const cipher of leaf.legacy) {
          const r = probeTls(port, ['-tls1_2', '-cipher', `${cipher}:@SECLEVEL=0`], pki.caFile);
          expect(r.handshake, `${leaf.kx} ${cipher}: ${r.output}`).toBe(false);
          expect(r.serverAlert, `${leaf.kx} ${cipher}: ${r.output}`).toBe(true);
        }
        for (const cipher of [`ECDHE-${leaf.kx}-AES128-GCM-SHA256`, `ECDHE-${leaf.kx}-AES256-GCM-SHA384`, `ECDHE-${leaf.kx}-CHACHA20-POLY1305`]) {
          expect(probeTls(port, ['-tls1_2', '-cipher', cipher], pki.caFile), `${leaf.kx} ${cipher}`).toMatchObject({ handshake: true, protocol: 'TLSv1.2', cipher });
        }
      } finally {
        proc.child.kill('SIGTERM');
        exit = await proc.exited;
      }
      expect(exit, proc.output()).toBe(0);
    }
  }, 120_000);

  it('enrols three agents, lands their reports as signed evidence, verifies with stock tools', async () => {
    const token = cli(['token', 'create', '--home', home, '--cidr', '127.0.0.0/8', '--max-per-day', '10', '--expires', '1d', '--group', 'e2e']);
    expect(token.code, token.stderr).toBe(0);
    const ppe = token.stdout.trim();
    collector = await startCollectorProc(home, tlsArgs());
    expect(collector.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const agents = ['alpha', 'bravo', 'charlie'].map((name) => ({ name, state: join(dir, `state-${name}`), root: makeHostRoot(dir, name) }));
    const enrolled = await Promise.all(
      agents.map(async (a) => {
        const p = spawnProc(['agent', 'enroll', '--server', collector.url, '--state', a.state, '--ca', pki.caFile, '--root', a.root, '--hostname', a.name], {
          env: { PATCHPROOF_ENROLL_TOKEN: ppe },
        });
        expect(await p.exited, p.output()).toBe(0);
        return /enrolled as (h_[0-9a-f]{16})/.exec(p.output())![1]!;
      }),
    );
    expect(new Set(enrolled).size).toBe(3);

    const runOnce = async (a: (typeof agents)[number]) => {
      const p = spawnProc(['agent', 'run', '--state', a.state, '--root', a.root, '--once']);
      const code = await p.exited;
      return { code, out: p.output() };
    };
    for (const r of await Promise.all(agents.map(runOnce))) expect(r.code, r.out).toBe(0);
    upgradeInRoot(agents[0]!.root, 'fdisk', '2.31.1-0.4ubuntu3.9');
    for (const r of await Promise.all(agents.map(runOnce))) expect(r.code, r.out).toBe(0);

    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(collector.output()).toContain('collector stopped');

    const repo = join(home, 'evidence');
    const reader = await openReader(repo);
    const hosts = await reader.listHosts();
    expect(hosts.map((h) => h.host.hostname).sort()).toEqual(['alpha', 'bravo', 'charlie']);
    const alpha = hosts.find((h) => h.host.hostname === 'alpha')!;
    const reports = await reader.reports(alpha.hostId);
    expect(reports.map((r) => r.envelope.reason)).toEqual(['first', 'changed']);
    expect(reports[1]!.envelope.changes).toEqual([expect.objectContaining({ name: 'fdisk', action: 'upgrade', to: '2.31.1-0.4ubuntu3.9' })]);
    reader.close();

    const verify = cli(['verify', '--repo', repo]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const env = gpgEnvFor(repo);
    for (const commit of git(repo, ['rev-list', 'HEAD']).trim().split('\n')) {
      const r = spawnSync('git', ['--git-dir', repo, 'verify-commit', commit], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(gpgVerifyFile(repo, reports[1]!.path, env)).toMatch(/Good signature/);
    expect(git(repo, ['fsck', '--strict'])).toBe('');

    // The audit log recorded the token's creation (CLI) and each enrolment (with source address).
    const audit = await (await openReader(repo)).auditEntries();
    expect(audit.filter((e) => e.action === 'enrol.accepted').map((e) => e.source)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(audit.some((e) => e.action === 'token.created' && e.actor.type === 'cli')).toBe(true);
  }, 180_000);
});
