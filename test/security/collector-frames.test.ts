// Hostile WebSocket frames from an enrolled device: every one gets a coded nack (or, over the
// 5 MiB limit, a 1009 close), nothing is written outside the audit log, each refusal is audited,
// and the collector keeps serving others.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../agent/log.ts';
import { createAgentRunner } from '../../agent/runner.ts';
import { StateStore } from '../../agent/state.ts';
import { webSocketTransport } from '../../agent/transport.ts';
import { MAX_FRAME_BYTES } from '../../collector/ingest/frame.ts';
import { makeBody } from '../agent/helpers/fake-collect.ts';
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
    const changed = execFileSync('git', ['--git-dir', c.sink.repoDir, 'diff', '--name-only', headBefore, head], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
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

/** Paths changed between two commits of the evidence repository. */
function changedSince(from: string, to: string): string[] {
  return execFileSync('git', ['--git-dir', c.sink.repoDir, 'diff', '--name-only', from, to], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
}

describe('frames over the real 5 MiB limit', () => {
  it('parses a frame of exactly 5 MiB, closes on one byte more with 1009, audits it with code and device, and serves others', async () => {
    expect(MAX_FRAME_BYTES).toBe(5 * 1024 * 1024);
    expect(c.options.maxFrameBytes).toBe(MAX_FRAME_BYTES);
    const big = await enrol('big-sender');
    const other = await enrol('after-big');
    const a = await connectAgent(url, big.device_token);
    a.ws.on('error', () => {}); // a reset while the rest of the frame is still being written
    await c.sink.flush();
    const head0 = (await c.sink.head())!;
    const rejectedBefore = /patchproof_reports_rejected_total\{code="COL_MESSAGE_TOO_LARGE"\} (\d+)/.exec(await c.metrics.registry.metrics())?.[1] ?? '0';

    // At the limit the frame is read and judged on its content (an unknown field), not its size.
    const shell = JSON.stringify({ type: 'hello', protocol: 1, agent_version: '1', pad: '' });
    const atLimit = shell.replace('"pad":""', `"pad":"${'x'.repeat(MAX_FRAME_BYTES - Buffer.byteLength(shell))}"`);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_FRAME_BYTES);
    a.sendRaw(atLimit);
    expect(await a.next(30_000)).toMatchObject({ type: 'nack', code: 'COL_MESSAGE_INVALID', retry: false });

    a.sendRaw(atLimit + ' ');
    expect(await a.closed).toMatchObject({ code: 1009 });

    await c.sink.flush();
    const entries = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'report.refused' && e.actor.id === big.host_id);
    expect(entries.map((e) => e.code)).toEqual(['COL_MESSAGE_INVALID', 'COL_MESSAGE_TOO_LARGE']);
    expect(entries[1]).toMatchObject({
      actor: { type: 'device', id: big.host_id },
      target: { type: 'host', id: big.host_id },
      outcome: 'refused',
      source: '127.0.0.1',
      details: { close_code: 1009, max_frame_bytes: MAX_FRAME_BYTES },
    });
    expect(await c.metrics.registry.metrics()).toContain(`patchproof_reports_rejected_total{code="COL_MESSAGE_TOO_LARGE"} ${Number(rejectedBefore) + 1}`);
    expect(c.logs.some((l) => l.includes('COL_MESSAGE_TOO_LARGE') && l.includes(big.host_id))).toBe(true);
    const changed = changedSince(head0, (await c.sink.head())!);
    expect(changed.every((p) => p.startsWith('audit/')), changed.join(', ')).toBe(true);
    expect(c.state.hosts.get(big.host_id)?.seq ?? 0).toBe(0);

    // Other devices are served, and the sender itself may reconnect.
    const good = await connectAgent(url, other.device_token);
    good.send({ type: 'report', report_id: reportId(), seq: 1, body: goodBody(c.clock()) });
    expect(await good.next()).toMatchObject({ type: 'ack', status: 'written' });
    good.close();
    const again = await connectAgent(url, big.device_token);
    again.send({ type: 'hello', protocol: 1, agent_version: '1.0' });
    expect(await again.next()).toMatchObject({ type: 'config' });
    again.close();
  }, 60_000);

  it('a real agent whose report is over the limit logs the coded refusal, sets the report aside and sends the next', async () => {
    const dev = await enrol('huge-inventory');
    const dir = await mkdtemp(join(tmpdir(), 'pp-big-agent-'));
    try {
      const store = await StateStore.open(join(dir, 'state'), { sync: false });
      await store.saveCredentials({ server: url, host_id: dev.host_id, device_token: dev.device_token, collector_id: c.sink.collectorId, enrolled_at: c.clock().toISOString() });
      // Schema-valid, but 20,000 packages with long names and versions are ~7 MB of JSON.
      const long = (i: number, what: string) => `${what}${String(i).padStart(5, '0')}-${'v'.repeat(150)}`;
      const huge = Array.from({ length: 20_000 }, (_, i) => ({ name: long(i, 'p'), arch: 'amd64', version: long(i, '1.') }));
      const small = [{ name: 'bash', arch: 'amd64', version: '5.2-1' }];
      let packages = huge;
      const log = memoryLog();
      const runner = createAgentRunner({ state: store, collect: async ({ now }) => ({ body: makeBody(now(), packages) }), log, connect: webSocketTransport({ connectTimeoutMs: 5000 }), ackTimeoutMs: 20_000 });

      const first = await runner.runOnce();
      expect(first).toMatchObject({ collected: 1, acked: 0, rejected: 1, pending: 0, outcome: 'closed' });
      const rejected = await store.spool.rejected();
      expect(rejected).toEqual([expect.objectContaining({ code: 'COL_MESSAGE_TOO_LARGE', report: expect.objectContaining({ seq: 1 }) })]);
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_REPORT_REJECTED', collector_code: 'COL_MESSAGE_TOO_LARGE', seq: 1 }));
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', code: 'COL_MESSAGE_TOO_LARGE', close_code: 1009 }));

      packages = small;
      const second = await runner.runOnce();
      expect(second).toMatchObject({ collected: 2, acked: 1, rejected: 0, pending: 0, outcome: 'drained' });
      await c.sink.flush();
      const audit = (await c.sink.reader.auditEntries()).filter((e) => e.target?.id === dev.host_id && e.action === 'report.refused');
      expect(audit.map((e) => e.code)).toEqual(['COL_MESSAGE_TOO_LARGE']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
