// The gateway's per-device limits over real WebSockets: messages per minute (token bucket on the
// collector clock) and reports in progress at once, both refused with a retryable
// COL_RATE_LIMITED nack that costs the device nothing else and other devices nothing at all, and
// audited in refusal summaries.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../collector/clock.ts';
import type { CollectorOptions } from '../../collector/options.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { bearer, enrolBody, makeHome, removeHomes, T0 } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';
import { connectAgent } from './ws-client.ts';

afterAll(removeHomes);

let server: RunningCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Partial<CollectorOptions>) {
  const clock = manualClock(T0);
  const { home } = await makeHome(clock);
  server = await startCollectorServer({ home, listen: '127.0.0.1:0', clock, options: { commitWindowMs: 5, ...options } });
  const running = server;
  const owner = running.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
  const enrol = async (hostname: string) => {
    const tok = await running.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} });
    return (await running.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, hostname) })).json() as { host_id: string; device_token: string };
  };
  return { server: running, clock, enrol };
}

const hello = { type: 'hello', protocol: 1, agent_version: '0.1.0' };
const rejected = async (s: RunningCollector, code: string) => Number(new RegExp(`patchproof_reports_rejected_total\\{code="${code}"\\} (\\d+)`).exec(await s.collector.metrics.registry.metrics())?.[1] ?? 0);

describe('per-device message rate', () => {
  it('refuses messages over deviceMessagesPerMinute with COL_RATE_LIMITED (retry), per device, refilled by the clock', async () => {
    const { server, clock, enrol } = await start({ deviceMessagesPerMinute: 5 });
    const a = await enrol('chatty');
    const b = await enrol('quiet');
    const ca = await connectAgent(server.url, a.device_token);
    const cb = await connectAgent(server.url, b.device_token);
    for (let i = 0; i < 5; i++) {
      ca.send(hello);
      expect(await ca.next()).toMatchObject({ type: 'config' });
    }
    ca.send(hello);
    expect(await ca.next()).toEqual({ type: 'nack', report_id: null, code: 'COL_RATE_LIMITED', message: expect.stringContaining('too many messages'), retry: true });
    // A report over the limit is refused before it is read: nothing is written.
    ca.send(reportMsg(1, reportBody({ packages: makePackages(3), collectedAt: clock().toISOString() })));
    expect(await ca.next()).toMatchObject({ type: 'nack', code: 'COL_RATE_LIMITED', retry: true });
    expect(server.collector.state.hosts.get(a.host_id)?.seq ?? 0).toBe(0);
    expect(await rejected(server, 'COL_RATE_LIMITED')).toBe(2);

    // Another device has its own bucket.
    for (let i = 0; i < 5; i++) {
      cb.send(hello);
      expect(await cb.next()).toMatchObject({ type: 'config' });
    }

    // 5 per minute refill one message every 12 s of collector time.
    clock.advance(11_000);
    ca.send(hello);
    expect(await ca.next()).toMatchObject({ type: 'nack', code: 'COL_RATE_LIMITED' });
    clock.advance(1_000);
    ca.send(reportMsg(1, reportBody({ packages: makePackages(3), collectedAt: clock().toISOString() })));
    expect(await ca.next()).toMatchObject({ type: 'ack', status: 'written' });
    ca.send(hello);
    expect(await ca.next()).toMatchObject({ type: 'nack', code: 'COL_RATE_LIMITED' });
    // The connection itself stays open: the limit slows a device down, it does not cut it off.
    expect(ca.ws.readyState).toBe(ca.ws.OPEN);
    // Not audited one by one (a flood would flood the log), but every one is in a summary.
    await server.collector.refusals.flush();
    const audit = await server.collector.sink.reader.auditEntries();
    expect(audit.filter((e) => e.action === 'report.refused')).toEqual([]);
    expect(audit.filter((e) => e.action === 'refusal.summary')).toEqual([
      expect.objectContaining({ actor: { type: 'device', id: a.host_id }, target: { type: 'host', id: a.host_id }, source: '127.0.0.1', code: 'COL_RATE_LIMITED', details: expect.objectContaining({ action: 'report.refused', count: 4 }) }),
    ]);
    ca.close();
    cb.close();
  });
});

describe('reports in progress per device', () => {
  it('refuses a message while maxOutstandingPerDevice are being processed, and accepts again once they are acked', async () => {
    // A long commit window keeps the first reports in progress while the next frame arrives.
    const { server, clock, enrol } = await start({ maxOutstandingPerDevice: 2, commitWindowMs: 400 });
    const a = await enrol('burst');
    const b = await enrol('steady');
    const ca = await connectAgent(server.url, a.device_token);
    const cb = await connectAgent(server.url, b.device_token);
    const body = (n: number) => reportBody({ packages: makePackages(n), collectedAt: clock().toISOString() });
    ca.send(reportMsg(1, body(3), 'burst'));
    ca.send(reportMsg(2, body(4), 'burst'));
    ca.send(reportMsg(3, body(5), 'burst'));
    cb.send(reportMsg(1, body(3), 'steady'));
    const replies = [await ca.next(), await ca.next(), await ca.next()];
    // The third is refused at once, before the two ahead of it are committed.
    expect(replies[0]).toEqual({ type: 'nack', report_id: null, code: 'COL_RATE_LIMITED', message: expect.any(String), retry: true });
    expect(replies.slice(1)).toEqual([
      expect.objectContaining({ type: 'ack', status: 'written', report_id: reportMsg(1, body(3), 'burst').report_id }),
      expect.objectContaining({ type: 'ack', status: 'written', report_id: reportMsg(2, body(4), 'burst').report_id }),
    ]);
    // The other device was not held back by the busy one.
    expect(await cb.next()).toMatchObject({ type: 'ack', status: 'written' });
    expect(server.collector.state.hosts.get(a.host_id)).toMatchObject({ seq: 2, agent_seq: 2 });

    // Resent after the acks, the refused report is taken.
    ca.send(reportMsg(3, body(5), 'burst'));
    expect(await ca.next()).toMatchObject({ type: 'ack', status: 'written', report_id: reportMsg(3, body(5), 'burst').report_id });
    expect(await rejected(server, 'COL_RATE_LIMITED')).toBe(1);
    await server.collector.refusals.flush();
    expect((await server.collector.sink.reader.auditEntries()).filter((e) => e.action === 'refusal.summary')).toEqual([
      expect.objectContaining({ actor: { type: 'device', id: a.host_id }, code: 'COL_RATE_LIMITED', details: expect.objectContaining({ count: 1 }) }),
    ]);
    ca.close();
    cb.close();
  });
});
