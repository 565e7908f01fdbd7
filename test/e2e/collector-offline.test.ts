// An agent offline for simulated days: the real agent runner (spool, session, transport) and the
// real collector over a real socket share one virtual clock. While the collector is down the
// agent spools a report every simulated hour; when it comes back, everything is delivered in seq
// order, the change keeps its time from the package log, and nothing is lost or written twice.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../agent/clock.ts';
import { enroll } from '../../agent/enroll.ts';
import { createAgentRunner } from '../../agent/runner.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { initHome } from '../../evidence/home.ts';
import { openReader } from '../../evidence/reader.ts';
import type { HistoryEvent } from '../../evidence/types.gen.ts';
import { makeBody, pkgs } from '../agent/helpers/fake-collect.ts';
import { cli, freePort, killAll, tmp } from './collector-helpers.ts';

const HOUR = 3600_000;
let server: RunningCollector | undefined;
afterAll(async () => {
  await server?.close();
  killAll();
});

describe('agent offline for simulated days', () => {
  it('delivers every spooled report in order once the collector is back', async () => {
    const clock = manualClock('2025-03-03T00:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-offline-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'Offline Org', clock: now });
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    server = await startCollectorServer({ home, listen, clock: now, options: { commitWindowMs: 2 } });
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();

    // The host upgrades openssl at 09:55 on day 2 (the package log says so).
    const upgradeAt = new Date('2025-03-05T09:55:00Z');
    const collect = async ({ since, now: t }: { since?: Date; now: () => Date }) => {
      const at = t();
      const upgraded = at >= upgradeAt;
      const history: HistoryEvent[] =
        upgraded && (!since || since < upgradeAt) ? [{ time: upgradeAt.toISOString(), action: 'upgrade', name: 'openssl', arch: 'amd64', from: '3.0.13-1', to: '3.0.15-1' }] : [];
      return { body: makeBody(at, pkgs(`openssl=${upgraded ? '3.0.15-1' : '3.0.13-1'}`, 'bash=5.2-1'), { hostname: 'offline-1', history }) };
    };
    const state = join(dir, 'agent-state');
    const { host_id } = await enroll({ server: server.url, token: ppe, state, facts: async () => (await collect({ now })).body, hostname: 'offline-1', now });
    const runner = createAgentRunner({ state, collect, clock, ackTimeoutMs: 10_000 });

    expect(await runner.runOnce()).toMatchObject({ acked: 1, pending: 0, outcome: 'drained' });
    await server.close();
    server = undefined;

    // Three simulated days offline, one check-in per hour: all spooled.
    let spooled = 0;
    for (let h = 0; h < 72; h++) {
      await clock.advance(HOUR);
      const r = await runner.runOnce();
      expect(r.outcome).toBe('unreachable');
      spooled = r.pending;
    }
    expect(spooled).toBe(72);

    await clock.advance(HOUR);
    server = await startCollectorServer({ home, listen, clock: now, options: { commitWindowMs: 2 } });
    const back = await runner.runOnce();
    expect(back).toMatchObject({ acked: 73, rejected: 0, pending: 0, outcome: 'drained' });
    await server.close();
    server = undefined;

    const reader = await openReader(join(home, 'evidence'));
    const reports = await reader.reports(host_id);
    reader.close();
    const envs = reports.map((r) => r.envelope);
    expect(envs.map((e) => e.seq)).toEqual(envs.map((_, i) => i + 1));
    const agentSeqs = envs.map((e) => e.agent_seq);
    expect(agentSeqs).toEqual([...agentSeqs].sort((a, b) => a - b));
    // first (online), then on delivery: a heartbeat (the daily cadence had passed), then the change.
    expect(envs.map((e) => e.reason)).toEqual(['first', 'heartbeat', 'changed']);
    const changed = envs[2]!;
    expect(changed.changes).toEqual([
      { name: 'openssl', arch: 'amd64', action: 'upgrade', from: '3.0.13-1', to: '3.0.15-1', when: upgradeAt.toISOString(), when_source: 'log' },
    ]);
    // received_at is the collector's clock at delivery; the agent's collection time is kept apart.
    expect(changed.received_at).toBe(now().toISOString());
    expect(Date.parse(changed.collected_at)).toBeGreaterThanOrEqual(upgradeAt.getTime());
    expect(changed.clock_skew_ms).toBeLessThan(0);
  }, 120_000);
});
