import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { bearer, enrolBody, startTestCollector, type TestCollector } from './helpers.ts';

let c: TestCollector;
afterEach(async () => c?.close());

async function createToken(body: Record<string, unknown> = {}): Promise<string> {
  const res = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('admin')), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().secret as string;
}

describe('enrolment', () => {
  it('assigns a random host id, returns a device token once, commits host.yaml + meta.yaml with an audit entry', async () => {
    c = await startTestCollector();
    const token = await createToken({ group: 'web' });
    const res = await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(token), remoteAddress: '10.1.2.3' });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.host_id).toMatch(/^h_[0-9a-f]{16}$/);
    expect(out.device_token).toMatch(/^ppd_[A-Za-z0-9_-]{43}$/);
    const host = YAML.parse(new TextDecoder().decode((await c.sink.readFile(`hosts/${out.host_id}/host.yaml`))!));
    expect(host).toMatchObject({ schema: 'patchproof.host/v1', host_id: out.host_id, hostname: 'web-01.example.com', group: 'web' });
    const meta = YAML.parse(new TextDecoder().decode((await c.sink.readFile(`hosts/${out.host_id}/meta.yaml`))!));
    expect(meta).toEqual({ owner: null, in_scope: true });
    const audit = await c.sink.reader.auditEntries();
    const accepted = audit.find((e) => e.action === 'enrol.accepted');
    expect(accepted).toMatchObject({ actor: { type: 'enrolment-token' }, source: '10.1.2.3', target: { type: 'host', id: out.host_id }, outcome: 'success' });
    expect(c.state.devices.authenticate(out.device_token).ok).toBe(true);
  });

  it('refuses outside the CIDR, over the daily cap, expired and revoked tokens — each audited', async () => {
    c = await startTestCollector();
    const scoped = await createToken({ cidrs: ['10.0.0.0/8', '2001:db8::/32'], max_per_day: 2, expires: '7d' });
    const enrol = (token: string, remoteAddress: string, hostname = 'h1') =>
      c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(token, hostname), remoteAddress });
    expect((await enrol(scoped, '192.168.1.1')).json().code).toBe('COL_SOURCE_NOT_ALLOWED');
    expect((await enrol(scoped, '::ffff:10.9.9.9')).statusCode).toBe(200);
    expect((await enrol(scoped, '2001:db8::5')).statusCode).toBe(200);
    const capped = await enrol(scoped, '10.0.0.1');
    expect(capped.statusCode).toBe(429);
    expect(capped.json().code).toBe('COL_ENROL_CAP_REACHED');
    c.clockCtl.advance(24 * 3600_000);
    expect((await enrol(scoped, '10.0.0.1')).statusCode).toBe(200);
    c.clockCtl.advance(7 * 24 * 3600_000);
    expect((await enrol(scoped, '10.0.0.1')).json().code).toBe('COL_TOKEN_EXPIRED');

    const other = await createToken();
    const list = await c.app.inject({ method: 'GET', url: '/api/v1/admin/tokens', headers: bearer(c.key('auditor')) });
    const otherId = list.json().tokens.find((t: { cidrs: string[] }) => t.cidrs.length === 0).id;
    expect((await c.app.inject({ method: 'POST', url: `/api/v1/admin/tokens/${otherId}/revoke`, headers: bearer(c.key('admin')) })).statusCode).toBe(200);
    expect((await enrol(other, '10.0.0.1')).json().code).toBe('COL_TOKEN_REVOKED');
    expect((await enrol('ppe_' + 'x'.repeat(43), '10.0.0.1')).json().code).toBe('COL_TOKEN_INVALID');

    const refused = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'enrol.refused').map((e) => e.code);
    expect(refused).toEqual(['COL_SOURCE_NOT_ALLOWED', 'COL_ENROL_CAP_REACHED', 'COL_TOKEN_EXPIRED', 'COL_TOKEN_REVOKED', 'COL_TOKEN_INVALID']);
  });

  it('believes X-Forwarded-For only from configured proxies, for scopes and the audit source', async () => {
    const viaProxy = (token: string, forwardedFor: string, hostname: string) =>
      c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(token, hostname), remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': forwardedFor } });
    c = await startTestCollector();
    let scoped = await createToken({ cidrs: ['203.0.113.0/24'] });
    // No trusted proxy: the header is anyone's to forge and is ignored.
    expect((await viaProxy(scoped, '203.0.113.7', 'a')).json().code).toBe('COL_SOURCE_NOT_ALLOWED');
    await c.close();

    c = await startTestCollector({ options: { trustProxy: ['10.0.0.0/24'] } });
    scoped = await createToken({ cidrs: ['203.0.113.0/24'] });
    const ok = await viaProxy(scoped, '198.51.100.9, 203.0.113.7', 'b');
    expect(ok.statusCode, ok.body).toBe(200);
    // A client-supplied left-most entry cannot pretend to be inside the scope.
    expect((await viaProxy(scoped, '203.0.113.7, 198.51.100.9', 'c')).json().code).toBe('COL_SOURCE_NOT_ALLOWED');
    const audit = await c.sink.reader.auditEntries();
    expect(audit.find((e) => e.action === 'enrol.accepted')).toMatchObject({ source: '203.0.113.7' });
    expect(audit.find((e) => e.action === 'enrol.refused')).toMatchObject({ source: '198.51.100.9' });
  });

  it('refuses an invalid trust_proxy entry at start with a coded error', async () => {
    await expect(startTestCollector({ options: { trustProxy: ['10.0.0.1/8'] } })).rejects.toMatchObject({ code: 'COL_SCOPE_INVALID' });
  });
});
