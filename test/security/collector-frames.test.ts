// Hostile WebSocket frames from an enrolled device: every one gets a coded nack, nothing is
// written outside the audit log, each refusal is audited, and the collector keeps serving others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, enrolBody, startTestCollector, type TestCollector } from '../collector/helpers.ts';
import { connectAgent, type TestAgent } from '../collector/ws-client.ts';
import { frameCases, goodBody, reportId } from './collector-cases.ts';

let c: TestCollector;
let url: string;
let attacker: { host_id: string; device_token: string };
let bystander: { host_id: string; device_token: string };
let ws: TestAgent;
let headBefore: string;

async function enrol(hostname: string) {
  const tok = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('admin')), payload: {} });
  return (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, hostname) })).json();
}

beforeAll(async () => {
  c = await startTestCollector({ options: { deviceMessagesPerMinute: 1_000_000, refusalAuditsPerMinute: 1_000_000, refusalAuditsGlobalPerMinute: 1_000_000 } });
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(c.app.server.address() as { port: number }).port}`;
  attacker = await enrol('attacker');
  bystander = await enrol('bystander');
  ws = await connectAgent(url, attacker.device_token);
  await c.sink.flush();
  headBefore = (await c.sink.head())!;
});
afterAll(async () => {
  ws?.close();
  await c?.close();
});

const cases = frameCases(new Date('2025-01-06T09:00:00Z'));

describe(`hostile frames (${cases.length} cases)`, () => {
  it.each(cases)('$name', async ({ frame, codes }) => {
    ws.sendRaw(frame);
    const reply = await ws.next();
    expect(reply.type).toBe('nack');
    if (reply.type !== 'nack') return;
    expect(codes).toContain(reply.code);
    expect(reply.retry).toBe(false);
    expect(reply.message.length).toBeLessThanOrEqual(2048);
  });

  it('wrote nothing but audit entries, audited every refusal, and still serves other devices', async () => {
    await c.sink.flush();
    const head = (await c.sink.head())!;
    const changed = (await import('node:child_process')).execFileSync('git', ['--git-dir', c.sink.repoDir, 'diff', '--name-only', headBefore, head], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(changed.every((p) => p.startsWith('audit/')), changed.join(', ')).toBe(true);
    expect(await c.sink.list(`hosts/${attacker.host_id}/reports`)).toEqual([]);
    expect(c.state.hosts.get(attacker.host_id)?.seq ?? 0).toBe(0);
    const refusals = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'report.refused' && e.actor.id === attacker.host_id);
    expect(refusals).toHaveLength(cases.length);
    expect(refusals.every((e) => e.outcome === 'refused' && /^COL_/.test(e.code ?? ''))).toBe(true);

    const good = await connectAgent(url, bystander.device_token);
    good.send({ type: 'report', report_id: reportId(), seq: 1, body: goodBody(c.clock()) });
    expect(await good.next()).toMatchObject({ type: 'ack', status: 'written' });
    // The attacker's connection survived its own garbage too.
    ws.send({ type: 'hello', protocol: 1, agent_version: '1.0' });
    expect(await ws.next()).toMatchObject({ type: 'config' });
    good.close();
  });

  it('re-acknowledges a replayed report id as a duplicate and never writes it twice', async () => {
    const id = reportId();
    const msg = { type: 'report', report_id: id, seq: 50, body: goodBody(c.clock()) };
    ws.send(msg);
    const first = await ws.next();
    expect(first).toMatchObject({ type: 'ack', status: 'written' });
    const head = await c.sink.head();
    for (let i = 0; i < 5; i++) {
      ws.send(msg);
      expect(await ws.next()).toMatchObject({ type: 'ack', status: 'duplicate', report_id: id, path: (first as { path: string }).path });
    }
    // Same id, different content: still the same report as far as the collector is concerned.
    ws.send({ ...msg, body: { ...msg.body, hostname: 'other-name' } });
    expect(await ws.next()).toMatchObject({ status: 'duplicate' });
    await c.sink.flush();
    expect(await c.sink.head()).toBe(head);
  });
});
