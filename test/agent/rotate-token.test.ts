// The agent's side of device token rotation, against a real collector over wss on 127.0.0.1:
// the runner rotates when the collector asks and completes it with one connection; a refused or
// malformed answer leaves credentials.json exactly as it was (the old token keeps working).
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../agent/log.ts';
import { rotateDeviceToken } from '../../agent/rotate-token.ts';
import { createAgentRunner } from '../../agent/runner.ts';
import { StateStore } from '../../agent/state.ts';
import { webSocketTransport } from '../../agent/transport.ts';
import { startCollectorServer, type RunningCollector } from '../../collector/server.ts';
import { manualClock } from '../../collector/clock.ts';
import { bearer, enrolBody, makeHome, removeHomes, T0 } from '../collector/helpers.ts';
import { fakeCollect } from './helpers/fake-collect.ts';
import { makePki, type TestPki } from './helpers/pki.ts';

let pki: TestPki;
let server: RunningCollector;
let owner: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  pki = makePki();
  const clock = manualClock(T0);
  const { home } = await makeHome(clock);
  server = await startCollectorServer({ home, listen: '127.0.0.1:0', clock, tlsCert: join(pki.dir, 'server.pem'), tlsKey: join(pki.dir, 'server.key'), options: { commitWindowMs: 5 } });
  owner = server.collector.state.apiKeys.create({ name: 'o', role: 'owner', created_by: 't' }).secret;
});
afterEach(async () => {
  for (const f of closers.splice(0)) await f();
});
afterAll(async () => {
  await server?.close();
  await removeHomes();
});

/** A host enrolled with the collector and an agent state directory holding its credentials. */
async function enrolledStore(hostname: string) {
  const c = server.collector;
  const tok = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} });
  const dev = (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, hostname) })).json() as { host_id: string; device_token: string };
  const store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'pp-rot-')), 'state'), { sync: false });
  await store.saveCredentials({ server: server.url, host_id: dev.host_id, device_token: dev.device_token, collector_id: c.sink.collectorId, ca_pem: pki.caPem, enrolled_at: new Date().toISOString() });
  return { store, dev };
}

const credentialsText = (store: StateStore) => readFileSync(join(store.dir, 'credentials.json'), 'utf8');

describe('agent token rotation', () => {
  it('rotates when the collector asks, completes it by connecting once with the new token, and reports with it', async () => {
    const { store, dev } = await enrolledStore('asked');
    const c = server.collector;
    expect((await c.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/rotate`, headers: bearer(owner) })).json()).toMatchObject({ asked: false });
    const log = memoryLog();
    const runner = createAgentRunner({ state: store, collect: fakeCollect().collect, log, connect: webSocketTransport({ connectTimeoutMs: 5000 }), ackTimeoutMs: 10_000 });
    closers.push(() => runner.stop());

    expect(await runner.runOnce()).toMatchObject({ acked: 1, outcome: 'drained' });
    const creds = await store.credentials();
    expect(creds.device_token).not.toBe(dev.device_token);
    expect(creds).toMatchObject({ host_id: dev.host_id, token_rotated_at: expect.any(String), ca_pem: pki.caPem });
    expect(statSync(join(store.dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    // The one connection with the new token completed the rotation: the old token is gone.
    expect(c.state.devices.get(dev.host_id)).toMatchObject({ rotated_at: expect.any(String), rotation_requested_at: null, next_token_issued_at: null });
    expect(c.state.devices.authenticate(dev.device_token)).toMatchObject({ ok: false, code: 'COL_DEVICE_UNKNOWN' });
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'collector asked for a new device token' }));
    expect(log.lines).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('device token rotated') }));
    expect(JSON.stringify(log.lines)).not.toContain('ppd_');

    expect(await runner.runOnce()).toMatchObject({ acked: 1, outcome: 'drained' });
    expect((await store.credentials()).device_token).toBe(creds.device_token);
  });

  it('leaves credentials.json untouched when the collector refuses (the old token is all the agent has)', async () => {
    const { store, dev } = await enrolledStore('refused');
    const before = credentialsText(store);
    await server.collector.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev.host_id}/revoke`, headers: bearer(owner) });
    await expect(rotateDeviceToken(store)).rejects.toMatchObject({ code: 'AGT_AUTH_REFUSED', data: { status: 401, collector_code: 'COL_DEVICE_REVOKED' } });
    expect(credentialsText(store)).toBe(before);
  });

  it('refuses an answer for another host or off the protocol, and keeps the old token', async () => {
    const answers: unknown[] = [
      { host_id: 'h_ffffffffffffffff', device_token: `ppd_${'n'.repeat(43)}`, previous_token_valid_until: '2025-01-13T09:00:00.000Z' },
      { host_id: 'h_ffffffffffffffff', device_token: 'not-a-token', previous_token_valid_until: 'soon' },
      'not json',
    ];
    // A stand-in collector (real TLS, the test CA's certificate) that answers what the test says.
    let next = 0;
    const stand: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => {
      const a = answers[next++];
      res.writeHead(200, { 'content-type': 'application/json' }).end(typeof a === 'string' ? a : JSON.stringify(a));
    });
    await new Promise<void>((r) => stand.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => stand.close(r)));
    const store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'pp-rot-')), 'state'), { sync: false });
    await store.saveCredentials({ server: `https://127.0.0.1:${(stand.address() as { port: number }).port}/`, host_id: 'h_0123456789abcdef', device_token: `ppd_${'o'.repeat(43)}`, collector_id: 'x', ca_pem: pki.caPem, enrolled_at: T0 });
    const before = credentialsText(store);
    await expect(rotateDeviceToken(store)).rejects.toMatchObject({ code: 'AGT_PROTOCOL_ERROR', message: expect.stringContaining('not this host') });
    await expect(rotateDeviceToken(store)).rejects.toMatchObject({ code: 'AGT_PROTOCOL_ERROR', message: expect.stringContaining('does not match the protocol') });
    await expect(rotateDeviceToken(store)).rejects.toMatchObject({ code: 'AGT_PROTOCOL_ERROR', message: expect.stringContaining('not JSON') });
    expect(credentialsText(store)).toBe(before);
  });
});
