// A check-in lost on the host (the agent's disk is full) is visible in the evidence: the real
// agent runner and the real collector over a real socket, one virtual clock, and an injected fs
// failure standing in for the full disk. The next report that reaches the spool carries
// AGT_SPOOL_WRITE_FAILED, and the collector writes it into a signed envelope even though the
// host's state did not change.
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { AtomicWrite } from '../../agent/atomic-file.ts';
import { manualClock } from '../../agent/clock.ts';
import { enroll } from '../../agent/enroll.ts';
import { memoryLog } from '../../agent/log.ts';
import { createAgentRunner } from '../../agent/runner.ts';
import { StateStore } from '../../agent/state.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { initHome } from '../../evidence/home.ts';
import { openReader } from '../../evidence/reader.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { makeBody, pkgs } from '../agent/helpers/fake-collect.ts';
import { cli, freePort, killAll, tmp } from './collector-helpers.ts';

const HOUR = 3600_000;
let server: RunningCollector | undefined;
afterAll(async () => {
  await server?.close();
  killAll();
});

describe('a check-in lost to a full disk on the host', () => {
  it('reaches the evidence as a warning on the next report', async () => {
    const clock = manualClock('2025-03-03T08:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-lost-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'Lost Org', clock: now });
    server = await startCollectorServer({ home, listen: `127.0.0.1:${await freePort()}`, clock: now, options: { commitWindowMs: 2 } });
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();
    const collect = async ({ now: t }: { now: () => Date }) => ({ body: makeBody(t(), pkgs('openssl=3.0.13-1', 'bash=5.2-1'), { hostname: 'lost-1' }) });
    const stateDir = join(dir, 'agent-state');
    const { host_id } = await enroll({ server: server.url, token: ppe, state: stateDir, facts: async () => (await collect({ now })).body, hostname: 'lost-1', now });

    // Injected fs failure standing in for a full disk under the spool: ENOSPC while `full`.
    let full = false;
    const disk: AtomicWrite = async (path, data, options) => {
      if (full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await fsp.writeFile(path, data, { mode: options?.mode ?? 0o600 });
    };
    const state = await StateStore.open(stateDir, { sync: false, spool: { write: disk } });
    const log = memoryLog();
    const runner = createAgentRunner({ state, collect, clock, log, ackTimeoutMs: 10_000 });

    expect(await runner.runOnce()).toMatchObject({ acked: 1, outcome: 'drained' });
    await clock.advance(HOUR);
    full = true;
    const lostAt = clock.now().toISOString();
    expect((await runner.runOnce()).collected).toBeNull();
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_SPOOL_WRITE_FAILED', errno: 'ENOSPC', lost_checkins: 1 }));
    await clock.advance(HOUR);
    full = false;
    expect(await runner.runOnce()).toMatchObject({ acked: 1, outcome: 'drained' });
    // and the one after that, unchanged and carrying nothing, is liveness only
    await clock.advance(HOUR);
    expect(await runner.runOnce()).toMatchObject({ acked: 1, outcome: 'drained' });
    await runner.stop();
    await server.close();
    server = undefined;

    const reader = await openReader(join(home, 'evidence'));
    const envs = (await reader.reports(host_id)).map((r) => r.envelope);
    reader.close();
    expect(envs.map((e) => [e.reason, e.agent_seq])).toEqual([['first', 1], ['heartbeat', 2]]);
    expect(envs[1]!.warnings).toEqual([{ code: 'AGT_SPOOL_WRITE_FAILED', message: `the check-in at ${lostAt} was not recorded: the spool could not be written (ENOSPC)` }]);
    expect((await verifyRepository(join(home, 'evidence'))).problems).toEqual([]);
  });
});
