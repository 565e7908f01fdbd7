import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../collector/clock.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { bearer, enrolBody, makeHome, removeHomes, T0 } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';
import { connectAgent, refusedUpgrade } from './ws-client.ts';

afterAll(removeHomes);

let server: RunningCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options = {}) {
  const clock = manualClock(T0);
  const { home } = await makeHome(clock);
  server = await startCollectorServer({ home, listen: '127.0.0.1:0', clock, options: { commitWindowMs: 5, ...options } });
  const owner = server.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
  const enrol = async () => {
    const tok = await server!.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} });
    const res = await server!.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret) });
    return res.json() as { host_id: string; device_token: string };
  };
  return { server, clock, owner, enrol };
}

describe('agent gateway', () => {
  it('checks the device token before the upgrade (401 on the raw socket)', async () => {
    const { server } = await start();
    expect(await refusedUpgrade(server.url, null)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_UNKNOWN' } });
    expect(await refusedUpgrade(server.url, 'ppd_' + 'A'.repeat(43))).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_UNKNOWN' } });
  });

  it('answers hello with config and a report with an ack after the commit', async () => {
    const { server, clock, enrol } = await start();
    const dev = await enrol();
    const agent = await connectAgent(server.url, dev.device_token);
    agent.send({ type: 'hello', protocol: 1, agent_version: '0.1.0' });
    expect(await agent.next()).toMatchObject({ type: 'config', interval_s: 3600, full_inventory: true });
    agent.send(reportMsg(1, reportBody({ packages: makePackages(20), collectedAt: clock().toISOString() })));
    const ack = await agent.next();
    expect(ack).toMatchObject({ type: 'ack', status: 'written' });
    expect((ack as { commit: string }).commit).toBe(await server.collector.sink.head());
    agent.send({ type: 'bogus' });
    expect(await agent.next()).toMatchObject({ type: 'nack', code: 'COL_UNKNOWN_TYPE', retry: false });
    agent.close();
  });

  it('closes a live socket at once when the device is revoked, and refuses it afterwards', async () => {
    const { server, owner, enrol } = await start();
    const dev = await enrol();
    const agent = await connectAgent(server.url, dev.device_token);
    const res = await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/revoke`, headers: bearer(owner) });
    expect(res.statusCode).toBe(200);
    expect(await agent.closed).toMatchObject({ code: 4401 });
    expect(await refusedUpgrade(server.url, dev.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_REVOKED' } });
    await server.collector.sink.flush();
    const audit = await server.collector.sink.reader.auditEntries();
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['device.revoked', 'device.auth-refused']));
  });

  it('rotates a device token the agent completes: asked in-band, old token valid until the new one is used', async () => {
    const { server, owner, enrol } = await start();
    const dev = await enrol();
    const agent = await connectAgent(server.url, dev.device_token);
    agent.send({ type: 'hello', protocol: 1, agent_version: '0.1.0', features: ['rotate-token'] });
    expect(await agent.next()).toMatchObject({ type: 'config' });
    const res = await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/rotate`, headers: bearer(owner) });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ host_id: dev.host_id, asked: true });
    expect(await agent.next()).toMatchObject({ type: 'config', rotate_token: true });
    // The socket stays open: nothing is cut off before the agent has its new token.
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);
    const issued = await fetch(`${server.url}/api/v1/agent/rotate`, { method: 'POST', headers: { authorization: `Bearer ${dev.device_token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const fresh = ((await issued.json()) as { device_token: string }).device_token;
    expect(fresh).toMatch(/^ppd_/);
    expect(fresh).not.toBe(dev.device_token);
    (await connectAgent(server.url, dev.device_token)).close(); // still valid: the new one was never used
    const again = await connectAgent(server.url, fresh);
    expect((await refusedUpgrade(server.url, dev.device_token)).status).toBe(401);
    again.close();
    agent.close();
  });

  it('keeps one session per device: a new connection replaces the old', async () => {
    const { server, enrol } = await start();
    const dev = await enrol();
    const a = await connectAgent(server.url, dev.device_token);
    const b = await connectAgent(server.url, dev.device_token);
    expect(await a.closed).toMatchObject({ code: 4409 });
    expect(server.collector.gateway.connected).toBe(1);
    b.close();
  });

  it('closes on frames over maxPayload with 1009 and counts COL_MESSAGE_TOO_LARGE', async () => {
    const { server, enrol } = await start({ maxFrameBytes: 64 * 1024 });
    const dev = await enrol();
    const a = await connectAgent(server.url, dev.device_token);
    a.sendRaw('x'.repeat(65 * 1024));
    expect(await a.closed).toMatchObject({ code: 1009 });
    const metrics = await server.collector.metrics.registry.metrics();
    expect(metrics).toMatch(/patchproof_reports_rejected_total\{code="COL_MESSAGE_TOO_LARGE"\} 1/);
  });
});
