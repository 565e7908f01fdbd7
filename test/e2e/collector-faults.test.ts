// Faults with real processes: the collector is killed with SIGKILL again and again under a stream
// of reports from real agents, then restarted. Every report an agent saw acknowledged as written
// is in the repository, the repository is clean (git fsck, patchproof verify, per-host chains),
// and the agents deliver the rest from their spools.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReader } from '../../evidence/reader.ts';
import { makePki } from '../agent/helpers/pki.ts';
import { cli, freePort, git, killAll, spawnProc, startCollectorProc, tmp, type Proc } from './collector-helpers.ts';

const FIXTURE = join(import.meta.dirname, 'collector-agent-fixture.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(() => killAll());

interface Acked {
  report_id: string;
  status: string;
  commit?: string;
}

function ackedFrom(output: string): Acked[] {
  return output
    .split('\n')
    .filter((l) => l.includes('"report acknowledged"'))
    .map((l) => JSON.parse(l) as Acked);
}

function countJson(dir: string): number {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).length;
  } catch {
    return 0;
  }
}
const spooled = (state: string) => countJson(join(state, 'spool'));
/** report_ids of the reports in an agent's spool: collected, not (yet) acknowledged. */
function spooledIds(state: string): string[] {
  const dir = join(state, 'spool');
  return readdirSync(dir)
    .filter((f) => /^\d{16}\.json$/.test(f))
    .sort()
    .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { report_id: string }).report_id);
}
const rejected = (state: string) => countJson(join(state, 'spool', 'rejected'));

describe('collector crash safety', () => {
  it('loses no acknowledged report across repeated kill -9, and agents deliver the rest', async () => {
    const pki = makePki();
    const dir = tmp('pp-faults-');
    const home = join(dir, 'home');
    expect(cli(['init', '--home', home]).code).toBe(0);
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();
    const port = await freePort();
    const tls = ['--tls-cert', join(pki.dir, 'server.pem'), '--tls-key', join(pki.dir, 'server.key')];
    let collector = await startCollectorProc(home, tls, `127.0.0.1:${port}`);

    const agents: { name: string; state: string; proc?: Proc }[] = ['f1', 'f2', 'f3'].map((name) => ({ name, state: join(dir, `state-${name}`) }));
    for (const a of agents) {
      const p = spawnProc(['enroll', '--server', collector.url, '--state', a.state, '--ca', pki.caFile, '--hostname', a.name], { script: FIXTURE, env: { PATCHPROOF_ENROLL_TOKEN: ppe, PP_HOSTNAME: a.name } });
      expect(await p.exited, p.output()).toBe(0);
      a.proc = spawnProc(['run', '--state', a.state, '--interval', '0.15'], { script: FIXTURE, env: { PP_HOSTNAME: a.name } });
    }

    // Kill the collector with SIGKILL at random moments while reports stream in; restart it.
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 5; round++) {
      await sleep(700 + rand() * 1500);
      collector.child.kill('SIGKILL');
      await collector.exited;
      await sleep(100 + rand() * 400);
      collector = await startCollectorProc(home, tls, `127.0.0.1:${port}`);
    }
    const ackedBeforeDrain = agents.flatMap((a) => ackedFrom(a.proc!.output())).length;
    expect(ackedBeforeDrain).toBeGreaterThan(10);

    // A last kill leaves the collector down while the agents go on collecting, so their spools
    // hold reports nobody acknowledged (and perhaps the one in flight at the kill). Then stop the
    // agents and let each deliver its spool to a restarted collector.
    await sleep(1000);
    collector.child.kill('SIGKILL');
    await collector.exited;
    await sleep(1000);
    for (const a of agents) a.proc!.child.kill('SIGTERM');
    for (const a of agents) await a.proc!.exited;
    const outputs = agents.map((a) => a.proc!.output());
    const leftOver = agents.map((a) => spooledIds(a.state));
    const ackedBefore = new Set(outputs.flatMap(ackedFrom).map((a) => a.report_id));
    for (const [i, ids] of leftOver.entries()) {
      expect(ids.length, `${agents[i]!.name}'s spool after the last kill`).toBeGreaterThan(0);
      // An entry leaves the spool only after its ack, so none of these was acknowledged.
      for (const id of ids) expect(ackedBefore.has(id), `spooled yet acknowledged: ${id}`).toBe(false);
    }
    collector = await startCollectorProc(home, tls, `127.0.0.1:${port}`);
    for (const [i, a] of agents.entries()) {
      const p = spawnProc(['run', '--state', a.state, '--once'], { script: FIXTURE, env: { PP_HOSTNAME: a.name } });
      expect(await p.exited, p.output()).toBe(0);
      outputs[i] += p.output();
      expect(spooled(a.state)).toBe(0);
      expect(rejected(a.state)).toBe(0);
      // Every report left in the spool was resent and acknowledged now.
      const ackedNow = new Set(ackedFrom(p.output()).map((x) => x.report_id));
      for (const id of leftOver[i]!) expect(ackedNow.has(id), `left in the spool, never delivered: ${id}`).toBe(true);
    }
    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);

    const repo = join(home, 'evidence');
    // A kill between writing a commit object and moving the ref leaves a dangling commit: not corruption.
    expect(git(repo, ['fsck', '--strict', '--no-dangling'])).toBe('');
    const verify = cli(['verify', '--repo', repo]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const reader = await openReader(repo);
    const inRepo = new Map<string, string>();
    for (const h of await reader.listHosts()) {
      const reports = await reader.reports(h.hostId);
      expect(reports.map((r) => r.envelope.seq)).toEqual(reports.map((_, i) => i + 1));
      for (const r of reports) {
        expect(inRepo.has(r.envelope.report_id), `written twice: ${r.envelope.report_id}`).toBe(false);
        inRepo.set(r.envelope.report_id, r.path);
      }
    }
    reader.close();
    const acked = outputs.flatMap(ackedFrom);
    const written = acked.filter((a) => a.status === 'written' || a.status === 'duplicate');
    expect(written.length).toBeGreaterThan(10);
    console.log(`faults: ${acked.length} acks (${written.length} written/duplicate), ${inRepo.size} envelopes; spools after the last kill: ${leftOver.map((ids) => ids.length).join(', ')}`);
    for (const a of written) {
      if (a.status === 'written') expect(inRepo.has(a.report_id), `acked but missing: ${a.report_id}`).toBe(true);
      if (a.commit) expect(() => git(repo, ['merge-base', '--is-ancestor', a.commit!, 'HEAD'])).not.toThrow();
    }
  }, 240_000);
});
