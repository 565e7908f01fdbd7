// The pending-updates list by hash, hello.last_acked_seq, collect-now and the daily heartbeat,
// over a real WebSocket on 127.0.0.1 against a real collector writing a real evidence repository.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock, type ManualClock } from '../../collector/clock.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { pendingSha256 } from '../../evidence/pending-list.ts';
import type { PendingUpdate, ReportBody } from '../../evidence/types.gen.ts';
import { bearer, enrolBody, makeHome, removeHomes } from './helpers.ts';
import { makePackages, reportBody } from './reports.ts';
import { connectAgent, type TestAgent } from './ws-client.ts';

afterAll(removeHomes);

let server: RunningCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HOUR = 3_600_000;

function pendingList(n: number, candidate = '2.0-1'): PendingUpdate[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `pkg${String(i).padStart(5, '0')}`,
    arch: 'amd64',
    installed: '1.0-1',
    candidate,
    security: i % 3 === 0,
    origin: 'Debian-Security:12/stable-security',
    advisories: [`DSA-${5000 + i}-1`],
  }));
}

const packages = makePackages(30);

/** A body as a current agent sends it: pending by hash only, or in full as well. */
function body(clock: ManualClock, pending: PendingUpdate[], o: { full?: boolean; packages?: boolean } = {}): ReportBody {
  const { pending: _p, ...rest } = reportBody({ packages, includePackages: o.packages ?? false, collectedAt: clock().toISOString() });
  return { ...rest, ...(o.full ? { pending } : {}), pending_sha256: pendingSha256(pending), pending_count: pending.length };
}

let ids = 0;
const report = (seq: number, b: ReportBody, id?: string) => ({ type: 'report', report_id: id ?? `rep_pending_${String(++ids).padStart(8, '0')}`, seq, body: b });

async function start(home?: string, clock: ManualClock = manualClock('2025-01-06T09:00:00Z')) {
  const h = home ?? (await makeHome(clock)).home;
  server = await startCollectorServer({ home: h, listen: '127.0.0.1:0', clock, options: { commitWindowMs: 5 } });
  const owner = server.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
  return { server, clock, home: h, owner };
}

async function enrol(s: RunningCollector, owner: string): Promise<{ host_id: string; device_token: string }> {
  const tok = await s.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} });
  return (await s.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret) })).json();
}

async function hello(agent: TestAgent, extra: object = {}) {
  agent.send({ type: 'hello', protocol: 1, agent_version: '0.1.0', ...extra });
  return agent.next();
}

async function envelopes(s: RunningCollector, hostId: string) {
  await s.collector.sink.flush();
  return (await s.collector.sink.reader.reports(hostId)).map((r) => r.envelope);
}

describe('pending updates by hash', () => {
  it('sends the list once, then the hash stands for it; the evidence still holds the full list', async () => {
    const { server: s, clock, owner } = await start();
    const dev = await enrol(s, owner);
    const pending = pendingList(40);
    const agent = await connectAgent(s.url, dev.device_token);
    expect(await hello(agent, { last_acked_seq: 0 })).not.toHaveProperty('full_pending');

    agent.send(report(1, body(clock, pending, { full: true, packages: true })));
    expect(await agent.next()).toMatchObject({ type: 'ack', status: 'written' });
    clock.advance(HOUR);
    const unchanged = body(clock, pending);
    expect(JSON.stringify(unchanged).length).toBeLessThan(JSON.stringify(body(clock, pending, { full: true })).length / 4);
    agent.send(report(2, unchanged));
    expect(await agent.next()).toMatchObject({ type: 'ack', status: 'liveness' });

    // A hash the collector does not hold: it asks for the list (retry), the resend is taken.
    const changed = pendingList(41);
    const r3 = report(3, body(clock, changed));
    agent.send(r3);
    expect(await agent.next()).toMatchObject({ type: 'nack', code: 'COL_PENDING_REQUIRED', retry: true });
    agent.send({ ...r3, body: body(clock, changed, { full: true }) });
    expect(await agent.next()).toMatchObject({ type: 'ack', status: 'written' });

    // A list that does not hash to what the body claims is refused for good.
    clock.advance(HOUR);
    agent.send(report(4, { ...body(clock, changed, { full: true }), pending_sha256: pendingSha256(pending) }));
    expect(await agent.next()).toMatchObject({ type: 'nack', code: 'COL_PENDING_MISMATCH', retry: false });
    agent.send(report(5, { ...body(clock, changed), pending_count: 3 }));
    expect(await agent.next()).toMatchObject({ type: 'nack', code: 'COL_PENDING_MISMATCH', retry: false });

    // Next UTC day: the heartbeat envelope carries the full list, taken from the held one.
    clock.advance(Date.parse('2025-01-07T00:20:00Z') - clock().getTime());
    agent.send(report(6, body(clock, changed)));
    expect(await agent.next()).toMatchObject({ type: 'ack', status: 'written' });
    agent.close();
    const envs = await envelopes(s, dev.host_id);
    expect(envs.map((e) => e.reason)).toEqual(['first', 'changed', 'heartbeat']);
    expect(envs[0]!.pending).toHaveLength(40);
    expect(envs[2]!.pending).toEqual(envs[1]!.pending);
    expect(pendingSha256(envs[2]!.pending)).toBe(pendingSha256(changed));
  });

  it('after a restart, and with the database row gone, recovers the list from the last envelope or asks for it', async () => {
    const first = await start();
    const dev = await enrol(first.server, first.owner);
    const pending = pendingList(12);
    let agent = await connectAgent(first.server.url, dev.device_token);
    await hello(agent);
    agent.send(report(1, body(first.clock, pending, { full: true, packages: true })));
    expect(await agent.next()).toMatchObject({ status: 'written' });
    agent.close();
    await first.server.close();
    server = undefined;

    // Restart (state database kept): the hash is known, the list is read back from the repository.
    const clock = first.clock;
    clock.advance(HOUR);
    const second = await start(first.home, clock);
    agent = await connectAgent(second.server.url, dev.device_token);
    expect(await hello(agent, { last_acked_seq: 1, inventory_sha256: reportBody({ packages }).inventory_sha256, pending_sha256: pendingSha256(pending) })).toMatchObject({
      type: 'config',
      full_inventory: false,
    });
    agent.send(report(2, body(clock, pending)));
    expect(await agent.next()).toMatchObject({ status: 'liveness' });
    agent.close();

    // Ingest state lost (derived again from the repository): still no need to resend.
    second.server.collector.state.hosts.flush();
    second.server.collector.state.hosts.drop(dev.host_id);
    expect(await second.server.collector.ingest.hello(dev.host_id, { type: 'hello', protocol: 1, agent_version: '0.1.0', pending_sha256: pendingSha256(pending) })).not.toHaveProperty('full_pending');
    expect(second.server.collector.state.hosts.get(dev.host_id)?.pending_sha256).toBe(pendingSha256(pending));

    // A row from before the pending hash existed: the hello is answered with full_pending.
    const row = second.server.collector.state.hosts.get(dev.host_id)!;
    second.server.collector.state.hosts.put({ ...row, pending_sha256: null });
    expect(await second.server.collector.ingest.hello(dev.host_id, { type: 'hello', protocol: 1, agent_version: '0.1.0', pending_sha256: pendingSha256(pending) })).toMatchObject({ full_pending: true });
  });

  it('keeps agents that always send the full list (and never heard of full_pending) working', async () => {
    const { server: s, clock, owner } = await start();
    const dev = await enrol(s, owner);
    const agent = await connectAgent(s.url, dev.device_token);
    const config = await hello(agent, { last_acked_seq: 0 });
    expect(config).toEqual({ type: 'config', interval_s: 3600, jitter_s: 300, full_inventory: true });
    const old = (b: ReturnType<typeof reportBody>) => b; // pending always present, no pending_sha256
    agent.send(report(1, old({ ...reportBody({ packages, collectedAt: clock().toISOString() }), pending: pendingList(5) })));
    expect(await agent.next()).toMatchObject({ status: 'written' });
    clock.advance(HOUR);
    agent.send(report(2, old({ ...reportBody({ packages, includePackages: false, collectedAt: clock().toISOString() }), pending: pendingList(5) })));
    expect(await agent.next()).toMatchObject({ status: 'liveness' });
    agent.send(report(3, old({ ...reportBody({ packages, includePackages: false, collectedAt: clock().toISOString() }), pending: pendingList(6) })));
    expect(await agent.next()).toMatchObject({ status: 'written' });
    agent.close();
  });
});

describe('hello.last_acked_seq', () => {
  it('records a collector that lost acknowledged state (agent ahead) on the next envelope', async () => {
    const { server: s, clock, owner } = await start();
    const dev = await enrol(s, owner);
    const pending = pendingList(2);
    const agent = await connectAgent(s.url, dev.device_token);
    await hello(agent);
    agent.send(report(1, body(clock, pending, { full: true, packages: true })));
    expect(await agent.next()).toMatchObject({ status: 'written' });
    agent.close();

    const again = await connectAgent(s.url, dev.device_token);
    await hello(again, { last_acked_seq: 9 });
    clock.advance(HOUR);
    again.send(report(10, body(clock, pendingList(3), { full: true })));
    expect(await again.next()).toMatchObject({ status: 'written' });
    again.close();
    const envs = await envelopes(s, dev.host_id);
    expect(envs[1]!.anomalies).toEqual([expect.objectContaining({ code: 'COL_ACKS_LOST' })]);
    expect(envs[1]!.anomalies[0]!.message).toContain('up to seq 9');
  });

  it('tells lost acks (duplicates, no anomaly) from an agent that lost its state and counts again', async () => {
    const { server: s, clock, owner } = await start();
    const dev = await enrol(s, owner);
    const pending = pendingList(2);
    let agent = await connectAgent(s.url, dev.device_token);
    await hello(agent);
    const sent = [];
    for (let seq = 1; seq <= 4; seq++) {
      const r = report(seq, body(clock, pending, { full: seq === 1, packages: seq === 1 }));
      sent.push(r);
      agent.send(r);
      expect(await agent.next()).toMatchObject({ type: 'ack' });
      clock.advance(HOUR);
    }
    agent.close();

    // Ack of seq 4 lost: the agent says 3 and resends 4 — a duplicate, nothing recorded.
    agent = await connectAgent(s.url, dev.device_token);
    await hello(agent, { last_acked_seq: 3, pending_sha256: pendingSha256(pending) });
    agent.send(sent[3]);
    expect(await agent.next()).toMatchObject({ status: 'duplicate' });
    agent.close();
    expect(s.collector.state.hosts.get(dev.host_id)?.pending_anomalies).toEqual([]);

    // Agent restored from an old backup: it acknowledged 1 and sends seq 2 again with a new id.
    agent = await connectAgent(s.url, dev.device_token);
    await hello(agent, { last_acked_seq: 1, pending_sha256: pendingSha256(pending) });
    agent.send(report(2, body(clock, pendingList(3), { full: true })));
    expect(await agent.next()).toMatchObject({ status: 'written' });
    clock.advance(HOUR);
    agent.send(report(3, body(clock, pendingList(3))));
    expect(await agent.next()).toMatchObject({ status: 'liveness' });
    agent.close();
    const envs = await envelopes(s, dev.host_id);
    const last = envs.at(-1)!;
    expect(last.agent_seq).toBe(2);
    expect(last.anomalies.map((a) => a.code)).toEqual(['COL_AGENT_SEQ_REGRESSED']);
    expect(s.collector.state.hosts.get(dev.host_id)?.agent_seq).toBe(3);

    // Without a hello that says so, an old seq is still only out of order (DESIGN: state untouched).
    agent = await connectAgent(s.url, dev.device_token);
    await hello(agent, { last_acked_seq: 3 });
    agent.send(report(1, body(clock, pendingList(3))));
    expect(await agent.next()).toMatchObject({ status: 'liveness' });
    agent.close();
    expect(s.collector.state.hosts.get(dev.host_id)?.pending_anomalies.map((a) => a.code)).toEqual(['COL_SEQ_OUT_OF_ORDER']);
  });
});

describe('collect-now', () => {
  it('reaches the live socket (audited); 404 for an unknown host, 409 when not connected', async () => {
    const { server: s, owner } = await start();
    const dev = await enrol(s, owner);
    const url = `/api/v1/admin/hosts/${dev.host_id}/collect-now`;
    const post = (u: string, payload: object = {}) => s.collector.app.inject({ method: 'POST', url: u, headers: bearer(owner), payload });
    expect((await post('/api/v1/admin/hosts/h_00000000000000aa/collect-now')).json()).toMatchObject({ code: 'COL_NOT_FOUND' });
    const offline = await post(url);
    expect(offline.statusCode).toBe(409);
    expect(offline.json()).toMatchObject({ code: 'COL_HOST_NOT_CONNECTED' });
    expect((await post(url, { full_inventory: 'yes' })).statusCode).toBe(400);

    // An agent that sent pending_sha256 gets full_pending; one that did not, does not.
    const agent = await connectAgent(s.url, dev.device_token);
    await hello(agent, { pending_sha256: pendingSha256([]) });
    const ok = await post(url, { full_inventory: true, full_pending: true });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ host_id: dev.host_id, sent: true, full_inventory: true, full_pending: true });
    expect(await agent.next()).toEqual({ type: 'collect-now', full_inventory: true, full_pending: true });
    agent.close();
    await agent.closed;
    const old = await connectAgent(s.url, dev.device_token);
    await hello(old);
    expect((await post(url, { full_pending: true })).json()).toMatchObject({ full_pending: false });
    expect(await old.next()).toEqual({ type: 'collect-now' });
    old.close();

    await s.collector.sink.flush();
    const audit = (await s.collector.sink.reader.auditEntries()).filter((e) => e.action === 'host.collect-now');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ outcome: 'success', target: { type: 'host', id: dev.host_id }, details: { full_inventory: true, full_pending: true } });
  });
});

describe('evidence cadence', () => {
  it('writes a heartbeat at the first check-in of each UTC day, even less than 24 h after the last envelope', async () => {
    const { server: s, clock, owner } = await start(undefined, manualClock('2025-01-06T23:30:00Z'));
    const dev = await enrol(s, owner);
    const pending = pendingList(1);
    const agent = await connectAgent(s.url, dev.device_token);
    await hello(agent);
    let seq = 0;
    const statuses: string[] = [];
    // Check-ins every 50 minutes for three days: 23:30 first, then across three midnights.
    for (let i = 0; i < 3 * 29; i++) {
      agent.send(report(++seq, body(clock, pending, { full: seq === 1, packages: seq === 1 })));
      statuses.push(((await agent.next()) as { status: string }).status);
      clock.advance(50 * 60_000);
    }
    agent.close();
    const envs = await envelopes(s, dev.host_id);
    const days = envs.map((e) => e.received_at.slice(0, 10));
    expect(days).toEqual(['2025-01-06', '2025-01-07', '2025-01-08', '2025-01-09']);
    expect(envs.map((e) => e.reason)).toEqual(['first', 'heartbeat', 'heartbeat', 'heartbeat']);
    // the first check-in after each midnight, not 24 h after the previous envelope
    for (const e of envs.slice(1)) expect(e.received_at.slice(11, 13)).toBe('00');
    expect(statuses.filter((x) => x === 'written')).toHaveLength(4);
  });
});
