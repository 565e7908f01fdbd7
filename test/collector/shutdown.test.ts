// Graceful shutdown from the HTTP side: from the moment shutdown begins, enrolment and admin
// calls get 503 COL_SHUTTING_DOWN (nothing half-done against a closing store) while a report
// already in progress is still committed and acknowledged, and /healthz says "stopping".
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, enrolBody, startTestCollector, type TestCollector } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

describe('shutdown', () => {
  it('refuses new enrolment and admin requests with 503 COL_SHUTTING_DOWN once it has begun, and finishes the report in progress', async () => {
    // A long commit window keeps one report in progress while shutdown waits for it.
    c = await startTestCollector({ options: { commitWindowMs: 1500 } });
    const collector = c;
    const tok = await collector.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(collector.key('admin')), payload: {} });
    const secret = tok.json().secret as string;
    const host = (await collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(secret, 'before') })).json() as { host_id: string };
    await collector.sink.flush();

    const inProgress = collector.ingest.submit(host.host_id, reportMsg(1, reportBody({ packages: makePackages(4), collectedAt: collector.clock().toISOString() })));
    const stopped = collector.shutdown();

    const enrol = await collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(secret, 'during') });
    expect(enrol.statusCode).toBe(503);
    expect(enrol.json()).toMatchObject({ code: 'COL_SHUTTING_DOWN', message: expect.stringContaining('shutting down') });
    expect(enrol.headers).toMatchObject({ connection: 'close', 'retry-after': '5' });
    for (const [method, url, payload] of [
      ['GET', '/api/v1/admin/tokens', undefined],
      ['POST', '/api/v1/admin/tokens', {}],
      ['POST', `/api/v1/admin/devices/${host.host_id}/revoke`, undefined],
      ['PUT', `/api/v1/admin/hosts/${host.host_id}/meta`, { in_scope: true }],
    ] as const) {
      const res = await collector.app.inject({ method, url, headers: bearer(collector.key('owner')), ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(503);
      expect(res.json().code).toBe('COL_SHUTTING_DOWN');
    }
    // No credentials needed to learn it is stopping; the refusal comes before authentication.
    expect((await collector.app.inject({ method: 'GET', url: '/api/v1/admin/state' })).json().code).toBe('COL_SHUTTING_DOWN');
    const health = await collector.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('stopping');
    expect((await collector.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);

    // Nothing refused during shutdown happened: one device, not revoked; one token.
    expect(collector.state.devices.count()).toEqual({ total: 1, revoked: 0 });
    expect(collector.state.tokens.list()).toHaveLength(1);

    expect(await inProgress).toMatchObject({ type: 'ack', status: 'written' });
    await stopped;
  });

  it('serves everything until shutdown begins', async () => {
    c = await startTestCollector();
    expect((await c.app.inject({ method: 'GET', url: '/api/v1/admin/tokens', headers: bearer(c.key('auditor')) })).statusCode).toBe(200);
    expect((await c.app.inject({ method: 'GET', url: '/healthz' })).json().status).toBe('ok');
  });
});
