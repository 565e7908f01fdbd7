// Device token rotation on the collector, over real sockets: an administrator's request reaches
// the agent in-band (only agents that announce the feature), POST /api/v1/agent/rotate issues a
// next token, the current one keeps working until the next one first authenticates (or the grace
// runs out), re-asking replaces an unused next token without extending the grace, and every
// step is audited with its actor.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../collector/clock.ts';
import type { CollectorOptions } from '../../collector/options.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { bearer, enrolBody, makeHome, removeHomes, T0 } from './helpers.ts';
import { connectAgent, refusedUpgrade } from './ws-client.ts';

afterAll(removeHomes);
let server: RunningCollector | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GRACE_S = 3600;

async function start(options: Partial<CollectorOptions> = {}) {
  const clock = manualClock(T0);
  const { home } = await makeHome(clock);
  server = await startCollectorServer({ home, listen: '127.0.0.1:0', clock, options: { commitWindowMs: 5, deviceTokenGraceS: GRACE_S, ...options } });
  const s = server;
  const operator = s.collector.state.apiKeys.create({ name: 'op', role: 'operator', created_by: 't' });
  const admin = s.collector.state.apiKeys.create({ name: 'ad', role: 'admin', created_by: 't' });
  const enrol = async (hostname = 'rot-host') => {
    const tok = await s.collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(operator.secret), payload: {} });
    return (await s.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, hostname) })).json() as { host_id: string; device_token: string };
  };
  const requestRotation = async (hostId: string) => {
    const res = await s.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${hostId}/rotate`, headers: bearer(operator.secret), remoteAddress: '10.7.7.7' });
    expect(res.statusCode, res.body).toBe(202);
    return res.json() as { host_id: string; rotation_requested_at: string; asked: boolean };
  };
  const rotate = async (token: string) => {
    const res = await fetch(`${s.url}/api/v1/agent/rotate`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    return { status: res.status, body: (await res.json()) as { device_token: string; previous_token_valid_until: string; host_id: string; code?: string } };
  };
  const audit = async () => {
    // device.rotated goes through the outbox, committed right after the authentication.
    for (let i = 0; i < 50 && s.collector.state.outbox.size() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    await s.collector.sink.flush();
    return s.collector.sink.reader.auditEntries();
  };
  return { server: s, clock, operator, admin, enrol, requestRotation, rotate, audit };
}

const hello = (features?: string[]) => ({ type: 'hello', protocol: 1, agent_version: '0.1.0', ...(features ? { features } : {}) });

describe('device token rotation', () => {
  it('asks a connected agent in-band, issues the next token, retires the old one at its first use, and audits each step', async () => {
    const { server, clock, operator, enrol, requestRotation, rotate, audit } = await start();
    const dev = await enrol();
    const agent = await connectAgent(server.url, dev.device_token);
    agent.send(hello(['rotate-token']));
    expect(await agent.next()).not.toHaveProperty('rotate_token');

    expect(await requestRotation(dev.host_id)).toEqual({ host_id: dev.host_id, rotation_requested_at: clock().toISOString(), asked: true });
    expect(await agent.next()).toEqual({ type: 'config', interval_s: 3600, jitter_s: 300, rotate_token: true });

    clock.advance(5000);
    const issued = await rotate(dev.device_token);
    expect(issued.status).toBe(200);
    expect(issued.body).toEqual({ host_id: dev.host_id, device_token: expect.stringMatching(/^ppd_[A-Za-z0-9_-]{43}$/), previous_token_valid_until: new Date(clock().getTime() + GRACE_S * 1000).toISOString() });
    expect(server.collector.state.devices.get(dev.host_id)).toMatchObject({ next_token_issued_at: clock().toISOString(), rotation_requested_at: expect.any(String) });

    const fresh = await connectAgent(server.url, issued.body.device_token);
    expect(await refusedUpgrade(server.url, dev.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_UNKNOWN' } });
    // The newer connection replaced the agent's old session.
    expect(await agent.closed).toMatchObject({ code: 4409 });
    expect(server.collector.state.devices.get(dev.host_id)).toMatchObject({ rotated_at: clock().toISOString(), rotation_requested_at: null, rotation_requested_by: null, next_token_issued_at: null, token_valid_until: null });
    // A later hello is not asked again.
    fresh.send(hello(['rotate-token']));
    expect(await fresh.next()).not.toHaveProperty('rotate_token');
    fresh.close();

    const entries = await audit();
    const rotation = entries.filter((e) => e.action.startsWith('device.rot') || e.action === 'device.token-issued');
    expect(rotation).toEqual([
      expect.objectContaining({ action: 'device.rotation-requested', actor: { type: 'api-key', id: operator.key.id, role: 'operator' }, source: '10.7.7.7', target: { type: 'host', id: dev.host_id }, details: { asked: true } }),
      expect.objectContaining({
        action: 'device.token-issued',
        actor: { type: 'device', id: dev.host_id },
        source: '127.0.0.1',
        details: { requested_by: operator.key.id, previous_token_valid_until: issued.body.previous_token_valid_until },
      }),
      expect.objectContaining({ action: 'device.rotated', actor: { type: 'device', id: dev.host_id }, source: '127.0.0.1', target: { type: 'host', id: dev.host_id }, details: { requested_by: operator.key.id, issued_at: expect.any(String) } }),
    ]);
  });

  it('asks only agents that announce the feature; the request waits for the next hello that can take it', async () => {
    const { server, enrol, requestRotation } = await start();
    const dev = await enrol();
    const old = await connectAgent(server.url, dev.device_token);
    old.send(hello());
    await old.next();
    expect((await requestRotation(dev.host_id)).asked).toBe(false);
    old.send(hello());
    expect(await old.next()).not.toHaveProperty('rotate_token'); // an older agent's schema would refuse the field
    old.close();
    await old.closed;
    const current = await connectAgent(server.url, dev.device_token);
    current.send(hello(['rotate-token']));
    expect(await current.next()).toMatchObject({ type: 'config', rotate_token: true });
    current.close();
    // Not connected at all: recorded, not asked.
    const offline = await enrol('offline');
    expect((await requestRotation(offline.host_id)).asked).toBe(false);
  });

  it('keeps the old token working when the agent never stored the answer, and asking again replaces the unused token without extending the grace', async () => {
    const { server, clock, enrol, rotate } = await start();
    const dev = await enrol();
    const first = await rotate(dev.device_token); // the agent dies before storing this
    clock.advance(60_000);
    const second = await rotate(dev.device_token); // restarted with the old token, it asks again
    expect(second.status).toBe(200);
    expect(second.body.previous_token_valid_until).toBe(first.body.previous_token_valid_until);
    expect(await refusedUpgrade(server.url, first.body.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_UNKNOWN' } });
    (await connectAgent(server.url, dev.device_token)).close();
    (await connectAgent(server.url, second.body.device_token)).close();
    expect((await refusedUpgrade(server.url, dev.device_token)).status).toBe(401);
  });

  it('retires the old token when the grace runs out unused; the next token still completes the rotation', async () => {
    const { server, clock, enrol, rotate, audit } = await start();
    const dev = await enrol();
    const issued = await rotate(dev.device_token);
    clock.advance(GRACE_S * 1000 - 1);
    (await connectAgent(server.url, dev.device_token)).close();
    clock.advance(1);
    expect(await refusedUpgrade(server.url, dev.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_TOKEN_RETIRED' } });
    expect(await rotate(dev.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_TOKEN_RETIRED' } });
    (await connectAgent(server.url, issued.body.device_token)).close();
    const entries = await audit();
    expect(entries.filter((e) => e.action === 'device.auth-refused')).toEqual([
      expect.objectContaining({ code: 'COL_DEVICE_TOKEN_RETIRED', actor: { type: 'device', id: dev.host_id } }),
      expect.objectContaining({ code: 'COL_DEVICE_TOKEN_RETIRED', actor: { type: 'device', id: dev.host_id } }),
    ]);
    expect(entries.filter((e) => e.action === 'device.rotated')).toHaveLength(1);
  });

  it('presenting the unused next token to the rotate route completes that rotation and issues another', async () => {
    const { server, enrol, rotate, audit } = await start();
    const dev = await enrol();
    const a = await rotate(dev.device_token);
    const b = await rotate(a.body.device_token);
    expect(b.status).toBe(200);
    expect(await refusedUpgrade(server.url, dev.device_token)).toMatchObject({ status: 401 });
    (await connectAgent(server.url, a.body.device_token)).close(); // current until b is used
    (await connectAgent(server.url, b.body.device_token)).close();
    expect(await refusedUpgrade(server.url, a.body.device_token)).toMatchObject({ status: 401 });
    expect((await audit()).filter((e) => e.action === 'device.rotated')).toHaveLength(2);
  });

  it('refuses revoked and unknown devices (coded, audited, rate-limited per source)', async () => {
    const { server, operator, admin, enrol, rotate, audit } = await start({ authFailuresPerMinute: 3 });
    const dev = await enrol();
    const pending = await rotate(dev.device_token);
    expect((await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/revoke`, headers: bearer(admin.secret) })).statusCode).toBe(200);
    expect(await rotate(dev.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_REVOKED' } });
    expect(await refusedUpgrade(server.url, pending.body.device_token)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_REVOKED' } });
    const revokedAsk = await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/rotate`, headers: bearer(operator.secret) });
    expect(revokedAsk.json().code).toBe('COL_DEVICE_REVOKED');
    expect(await rotate(`ppd_${'Q'.repeat(43)}`)).toMatchObject({ status: 401, body: { code: 'COL_DEVICE_UNKNOWN' } });
    // Three failures from this address so far (limit 3/min, shared with the WebSocket upgrade).
    const noAuth = await fetch(`${server.url}/api/v1/agent/rotate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noAuth.status).toBe(429);
    expect(((await noAuth.json()) as { code: string }).code).toBe('COL_RATE_LIMITED');
    expect(await refusedUpgrade(server.url, null)).toMatchObject({ status: 429 });
    const entries = await audit();
    expect(entries.filter((e) => e.action === 'device.auth-refused').map((e) => e.code)).toEqual(['COL_DEVICE_REVOKED', 'COL_DEVICE_REVOKED', 'COL_DEVICE_UNKNOWN']);
    expect(entries.filter((e) => e.action === 'device.token-issued')).toHaveLength(1);
  });
});
