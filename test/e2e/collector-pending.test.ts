// The real agent (runner, session, spool, state, WebSocket transport) against the real collector
// on 127.0.0.1, sharing one virtual clock: the pending list travels by hash once acknowledged,
// survives a collector restart that lost its state database, an agent restored from a backup is
// recorded (COL_AGENT_SEQ_REGRESSED) and keeps producing evidence, collect-now reaches the agent,
// and a shutdown acks what it committed before closing.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../agent/clock.ts';
import { enroll } from '../../agent/enroll.ts';
import { createAgentRunner } from '../../agent/runner.ts';
import { connectWebSocket, type ConnectFn } from '../../agent/transport.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { initHome } from '../../evidence/home.ts';
import { openReader } from '../../evidence/reader.ts';
import type { AgentMessage, PendingUpdate, ReportBody } from '../../evidence/types.gen.ts';
import { makeBody, pkgs } from '../agent/helpers/fake-collect.ts';
import { reportBody, makePackages } from '../collector/reports.ts';
import { connectAgent } from '../collector/ws-client.ts';
import { cli, freePort, killAll, tmp, waitFor } from './collector-helpers.ts';

const HOUR = 3600_000;
let server: RunningCollector | undefined;
afterAll(async () => {
  await server?.close();
  killAll();
});

function pendingList(n: number, candidate = '3.0.15-1'): PendingUpdate[] {
  return Array.from({ length: n }, (_, i) => ({ name: `lib${i}`, arch: 'amd64', installed: '1.0-1', candidate, security: i % 2 === 0, advisories: [`USN-${7000 + i}-1`] }));
}

describe('pending list by hash with the real agent', () => {
  it('sends the list only when it changed or the collector lacks it; evidence keeps it in full', async () => {
    const clock = manualClock('2025-03-03T08:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-pending-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'Pending Org', clock: now });
    const listen = `127.0.0.1:${await freePort()}`;
    const startServer = async () => (server = await startCollectorServer({ home, listen, clock: now, options: { commitWindowMs: 2 } }));
    await startServer();
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();

    let pending = pendingList(60);
    let packages = pkgs('openssl=3.0.13-1', 'bash=5.2-1');
    const collect = async ({ now: t }: { now: () => Date }) => ({ body: makeBody(t(), packages, { hostname: 'pending-1', pending }) });
    const sent: Array<{ seq: number; bytes: number; body: ReportBody }> = [];
    const hellos: AgentMessage[] = [];
    const connect: ConnectFn = async (req) => {
      const conn = await connectWebSocket(req);
      return {
        ...conn,
        send: (m: AgentMessage) => {
          if (m.type === 'report') sent.push({ seq: m.seq, bytes: Buffer.byteLength(JSON.stringify(m)), body: m.body });
          else hellos.push(m);
          conn.send(m);
        },
        close: (code?: number, reason?: string) => conn.close(code, reason),
      };
    };
    const state = join(dir, 'agent');
    const { host_id } = await enroll({ server: server!.url, token: ppe, state, facts: async () => (await collect({ now })).body, hostname: 'pending-1', now });
    const runner = createAgentRunner({ state, collect, clock, connect, ackTimeoutMs: 10_000 });
    const run = async () => {
      await clock.advance(HOUR);
      const r = await runner.runOnce();
      expect(r).toMatchObject({ pending: 0, outcome: 'drained' });
      return sent.at(-1)!;
    };

    const first = await run();
    expect(first.body.pending).toHaveLength(60);
    const unchanged = await run();
    expect(unchanged.body).not.toHaveProperty('pending');
    expect(unchanged.body).not.toHaveProperty('packages');
    expect(unchanged.body).toMatchObject({ pending_sha256: first.body.pending_sha256, pending_count: 60 });
    expect(unchanged.bytes).toBeLessThan(2000);
    expect(first.bytes).toBeGreaterThan(unchanged.bytes * 4);
    expect(hellos.at(-1)).toMatchObject({ last_acked_seq: 1, pending_sha256: first.body.pending_sha256 });

    // One pending update more: the list goes again, once.
    pending = pendingList(61);
    expect((await run()).body.pending).toHaveLength(61);
    expect((await run()).body).not.toHaveProperty('pending');

    // Collector restarted with a host row from before the pending hash: it answers the hello with
    // full_pending and the agent sends the list with its next report.
    const db = (fn: (d: DatabaseSync) => void) => {
      const d = new DatabaseSync(join(home, 'state', 'collector.db'));
      fn(d);
      d.close();
    };
    await server!.close();
    db((d) => d.exec('UPDATE host_state SET pending_sha256 = NULL'));
    await startServer();
    expect((await run()).body.pending).toHaveLength(61);
    expect((await run()).body).not.toHaveProperty('pending');

    // Ingest state lost altogether: derived from the repository, whose last envelope holds the
    // list — the hash still stands for it, nothing is resent, nothing is written twice.
    await server!.close();
    db((d) => d.exec('DELETE FROM host_state; DELETE FROM seen_reports'));
    await startServer();
    const derived = await run();
    expect(derived.body).not.toHaveProperty('pending');
    expect(server!.collector.state.hosts.get(host_id)?.pending_sha256).toBe(derived.body.pending_sha256);
    await server!.close();
    server = undefined;

    const reader = await openReader(join(home, 'evidence'));
    const envs = (await reader.reports(host_id)).map((r) => r.envelope);
    reader.close();
    expect(envs.map((e) => e.reason)).toEqual(['first', 'changed']);
    expect(envs[0]!.pending).toHaveLength(60);
    expect(envs[1]!.pending).toHaveLength(61);
  }, 120_000);

  it('records an agent restored from a backup and keeps writing its evidence; collect-now reaches it', async () => {
    const clock = manualClock('2025-03-03T08:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-regress-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'Regress Org', clock: now });
    server = await startCollectorServer({ home, listen: `127.0.0.1:${await freePort()}`, clock: now, options: { commitWindowMs: 2 } });
    const owner = server.collector.state.apiKeys.create({ name: 'o', role: 'operator', created_by: 't' }).secret;
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();
    let version = '3.0.13-1';
    const collect = async ({ now: t }: { now: () => Date }) => ({ body: makeBody(t(), pkgs(`openssl=${version}`), { hostname: 'regress-1', pending: pendingList(3) }) });
    const state = join(dir, 'agent');
    const { host_id } = await enroll({ server: server.url, token: ppe, state, facts: async () => (await collect({ now })).body, hostname: 'regress-1', now });
    const runner = () => createAgentRunner({ state, collect, clock, ackTimeoutMs: 10_000 });

    expect(await runner().runOnce()).toMatchObject({ acked: 1 });
    const backup = join(dir, 'agent-backup');
    cpSync(state, backup, { recursive: true });
    for (let i = 0; i < 3; i++) {
      await clock.advance(HOUR);
      expect(await runner().runOnce()).toMatchObject({ acked: 1 });
    }
    expect(server.collector.state.hosts.get(host_id)?.agent_seq).toBe(4);

    // Restore the old state directory: the agent counts from seq 2 again.
    rmSync(state, { recursive: true, force: true });
    cpSync(backup, state, { recursive: true });
    await clock.advance(HOUR);
    version = '3.0.15-1';
    expect(await runner().runOnce()).toMatchObject({ acked: 1, pending: 0 });
    const host = server.collector.state.hosts.get(host_id)!;
    expect(host.agent_seq).toBe(2);
    await server.collector.sink.flush();
    const envs = (await server.collector.sink.reader.reports(host_id)).map((r) => r.envelope);
    expect(envs.at(-1)).toMatchObject({ reason: 'changed', agent_seq: 2 });
    expect(envs.at(-1)!.anomalies.map((a) => a.code)).toEqual(['COL_AGENT_SEQ_REGRESSED']);

    // collect-now through the admin API to the running agent's live session.
    const live = runner();
    const loop = live.start();
    await waitFor('agent connected', () => server!.collector.gateway.isConnected(host_id));
    await live.idle();
    const before = server.collector.state.hosts.get(host_id)!.agent_seq;
    const res = await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/hosts/${host_id}/collect-now`, headers: { authorization: `Bearer ${owner}` }, payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    await waitFor('collect-now report', () => server!.collector.state.hosts.get(host_id)!.agent_seq > before, 20_000);
    await live.stop();
    await loop;
  }, 120_000);
});

describe('graceful shutdown', () => {
  it('acks the report in the open commit group, then closes with 1001; the envelope is durable', async () => {
    const clock = manualClock('2025-03-03T08:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-stop-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'Stop Org', clock: now });
    const s = await startCollectorServer({ home, listen: '127.0.0.1:0', clock: now, options: { commitWindowMs: 1500 } });
    const owner = s.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
    const tok = await s.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: { authorization: `Bearer ${owner}` }, payload: {} });
    const dev = (await s.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { token: tok.json().secret, hostname: 'stop-1', os: { id: 'debian' }, agent_version: '0.1.0' } })).json();
    const agent = await connectAgent(s.url, dev.device_token);
    agent.send({ type: 'hello', protocol: 1, agent_version: '0.1.0' });
    await agent.next();
    agent.send({ type: 'report', report_id: 'rep_stop_000000000001', seq: 1, body: reportBody({ packages: makePackages(5), collectedAt: now().toISOString() }) });
    await new Promise((r) => setTimeout(r, 200)); // in the commit group, whose window is still open
    const stopping = s.close();
    const ack = await agent.next();
    expect(ack).toMatchObject({ type: 'ack', status: 'written', report_id: 'rep_stop_000000000001' });
    expect(await agent.closed).toMatchObject({ code: 1001 });
    await stopping;
    const reader = await openReader(join(home, 'evidence'));
    const reports = await reader.reports(dev.host_id);
    reader.close();
    expect(reports.map((r) => r.path)).toEqual([(ack as { path: string }).path]);
  });

  it('packs the repository on its schedule, not at shutdown', async () => {
    const clock = manualClock('2025-03-03T08:00:00Z');
    const now = () => clock.now();
    const dir = tmp('pp-gc-');
    const home = join(dir, 'home');
    await initHome({ home, org: 'GC Org', clock: now });
    const s = await startCollectorServer({ home, listen: '127.0.0.1:0', clock: now, options: { commitWindowMs: 2, gcIntervalS: 86_400, gcCheckMs: 3_600_000 } });
    for (let i = 0; i < 4; i++) await s.collector.sink.write([{ path: `notes/${i}.txt`, content: `n${i}\n` }], `note ${i}`);
    const packs = () => readdirSync(join(home, 'evidence', 'objects', 'pack')).filter((n) => n.endsWith('.pack')).length;
    expect(packs()).toBeGreaterThan(3);
    expect(s.collector.maintenance.due()).toBe(true);
    expect(await s.collector.maintenance.runIfDue()).toBe(true);
    expect(packs()).toBe(1);
    expect(s.collector.maintenance.lastRunAt()).toBe(now().toISOString());
    expect(await s.collector.maintenance.runIfDue()).toBe(false);
    await clock.advance(86_400_000);
    expect(s.collector.maintenance.due()).toBe(true);
    await s.collector.sink.write([{ path: 'notes/x.txt', content: 'x\n' }], 'note x');
    const before = packs();
    await s.close();
    expect(packs()).toBe(before);
    // The schedule survives a restart (kept in the state database).
    const again = await startCollectorServer({ home, listen: '127.0.0.1:0', clock: now, options: { commitWindowMs: 2 } });
    expect(again.collector.maintenance.lastRunAt()).not.toBeNull();
    await again.close();
  });
});
