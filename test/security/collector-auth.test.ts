// Hostile credentials and ids: device tokens checked before the WebSocket upgrade (unknown,
// malformed, revoked, rotated away, another kind of secret), failed-auth rate limiting, and
// admin API requests with foreign secrets, traversal in ids and hostile meta.yaml bodies.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, enrolBody, startTestCollector, type TestCollector } from '../collector/helpers.ts';
import { connectAgent } from '../collector/ws-client.ts';
import { ROUTE_PERMISSIONS } from '../../collector/auth/permissions.ts';
import { HOSTILE_STRINGS, WRONG_VALUES } from './collector-cases.ts';

let c: TestCollector;
let port: number;
let dev: { host_id: string; device_token: string };
let revokedDev: { host_id: string; device_token: string };
let rotatedAway: string;
let enrolToken: string;

/** A raw upgrade request: status code and coded body. */
function upgrade(headers: Record<string, string>, path = '/api/v1/agent'): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, code: undefined });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body || '{}') as { code?: string }).code }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function enrol(name: string) {
  return (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(enrolToken, name) })).json() as { host_id: string; device_token: string };
}

beforeAll(async () => {
  c = await startTestCollector({ options: { authFailuresPerMinute: 1_000_000 } });
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  port = (c.app.server.address() as { port: number }).port;
  enrolToken = (await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('admin')), payload: {} })).json().secret;
  dev = await enrol('good');
  revokedDev = await enrol('revoked');
  await c.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${revokedDev.host_id}/revoke`, headers: bearer(c.key('admin')) });
  const rot = await enrol('rotated');
  rotatedAway = rot.device_token;
  await c.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${rot.host_id}/rotate`, headers: bearer(c.key('admin')) });
  const next = (await c.app.inject({ method: 'POST', url: '/api/v1/agent/rotate', headers: bearer(rot.device_token), payload: {} })).json().device_token as string;
  // The next token's first use completes the rotation and retires the old token.
  expect((await upgrade({ authorization: `Bearer ${next}` })).status).toBe(101);
});
afterAll(async () => c?.close());

const DEVICE_CASES: [string, () => Record<string, string>, string][] = [
  ['no Authorization header', () => ({}), 'COL_DEVICE_UNKNOWN'],
  ['empty bearer', () => ({ authorization: 'Bearer ' }), 'COL_DEVICE_UNKNOWN'],
  ['Basic scheme', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 'COL_DEVICE_UNKNOWN'],
  ['lower-case scheme with a valid token', () => ({ authorization: `bearer ${dev.device_token}` }), 'COL_DEVICE_UNKNOWN'],
  ['token without scheme', () => ({ authorization: dev.device_token }), 'COL_DEVICE_UNKNOWN'],
  ['token with trailing junk', () => ({ authorization: `Bearer ${dev.device_token}x` }), 'COL_DEVICE_UNKNOWN'],
  ['token truncated', () => ({ authorization: `Bearer ${dev.device_token.slice(0, -1)}` }), 'COL_DEVICE_UNKNOWN'],
  ['token with one character changed', () => ({ authorization: `Bearer ${dev.device_token.slice(0, -1)}${dev.device_token.endsWith('A') ? 'B' : 'A'}` }), 'COL_DEVICE_UNKNOWN'],
  ['two tokens', () => ({ authorization: `Bearer ${dev.device_token} ${dev.device_token}` }), 'COL_DEVICE_UNKNOWN'],
  ['enrolment token as device token', () => ({ authorization: `Bearer ${enrolToken}` }), 'COL_DEVICE_UNKNOWN'],
  ['admin key as device token', () => ({ authorization: `Bearer ${c.key('owner')}` }), 'COL_DEVICE_UNKNOWN'],
  ['host id as token', () => ({ authorization: `Bearer ${dev.host_id}` }), 'COL_DEVICE_UNKNOWN'],
  ['token in the query string', () => ({}), 'COL_DEVICE_UNKNOWN'],
  ['very long header', () => ({ authorization: `Bearer ppd_${'A'.repeat(6000)}` }), 'COL_DEVICE_UNKNOWN'],
  ['revoked device', () => ({ authorization: `Bearer ${revokedDev.device_token}` }), 'COL_DEVICE_REVOKED'],
  ['token rotated away', () => ({ authorization: `Bearer ${rotatedAway}` }), 'COL_DEVICE_UNKNOWN'],
  ['made-up well-formed token', () => ({ authorization: `Bearer ppd_${'Q'.repeat(43)}` }), 'COL_DEVICE_UNKNOWN'],
];

describe('device authentication before the upgrade', () => {
  it.each(DEVICE_CASES)('%s → 401', async (name, headers, code) => {
    const path = name === 'token in the query string' ? `/api/v1/agent?token=${dev.device_token}` : '/api/v1/agent';
    expect(await upgrade(headers(), path)).toEqual({ status: 401, code });
  });

  it.each(DEVICE_CASES.filter(([name]) => name !== 'token in the query string'))('%s → 401 on POST /api/v1/agent/rotate too, and no token is issued', async (_name, headers, code) => {
    const res = await c.app.inject({ method: 'POST', url: '/api/v1/agent/rotate', headers: { 'content-type': 'application/json', ...headers() }, payload: '{}' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe(code);
    expect(res.body).not.toContain('ppd_');
    expect(c.state.devices.get(dev.host_id)?.next_token_issued_at).toBeNull();
  });

  it.each(['/api/v1/agent/', '/api/v1/agents', '/../api/v1/agent', '/api/v1/enroll', '/'])('upgrade on %s → 404', async (path) => {
    expect(await upgrade({ authorization: `Bearer ${dev.device_token}` }, path)).toEqual({ status: 404, code: 'COL_NOT_FOUND' });
  });

  it('accepts the real token, and audits the revoked device that tried', async () => {
    expect((await upgrade({ authorization: `Bearer ${dev.device_token}` })).status).toBe(101);
    await c.sink.flush();
    const refused = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'device.auth-refused');
    expect(refused.length).toBeGreaterThanOrEqual(DEVICE_CASES.length);
    expect(refused.some((e) => e.code === 'COL_DEVICE_REVOKED' && e.actor.id === revokedDev.host_id)).toBe(true);
  });

  it('answers repeated failures from one address with 429 (budget per minute)', async () => {
    const strict = await startTestCollector({ options: { authFailuresPerMinute: 3 } });
    try {
      await strict.app.listen({ host: '127.0.0.1', port: 0 });
      const savedPort = port;
      port = (strict.app.server.address() as { port: number }).port;
      const got: number[] = [];
      for (let i = 0; i < 5; i++) got.push((await upgrade({ authorization: `Bearer ppd_${'Q'.repeat(43)}` })).status);
      port = savedPort;
      expect(got).toEqual([401, 401, 401, 429, 429]);
      // The three refused one by one are audited so; the two rate-limited ones in one summary.
      await strict.refusals.flush();
      const audit = await strict.sink.reader.auditEntries();
      expect(audit.filter((e) => e.action === 'device.auth-refused')).toHaveLength(3);
      expect(audit.filter((e) => e.action === 'refusal.summary')).toEqual([
        expect.objectContaining({ source: '127.0.0.1', code: 'COL_RATE_LIMITED', actor: { type: 'anonymous', id: 'anonymous' }, details: expect.objectContaining({ action: 'device.auth-refused', count: 2 }) }),
      ]);
    } finally {
      await strict.close();
    }
  });
});

describe('admin API hostile input', () => {
  const secrets = () => [dev.device_token, enrolToken, `ppa_${'A'.repeat(43)}`];
  it.each([0, 1, 2])('a foreign secret (#%i) is not an admin key (401)', async (i) => {
    const res = await c.app.inject({ method: 'GET', url: '/api/v1/admin/hosts', headers: bearer(secrets()[i]!) });
    expect(res.statusCode).toBe(401);
  });

  const spellings = (path: string) => [path.replace('admin', '%61dmin'), path.replace('/api/', '/%61pi/'), path.replace('v1', 'v%31'), `${path}/`, path.replace('/admin/', '/admin//'), path.replace('/admin/', '/admin/./')];
  const routeSpellings = Object.keys(ROUTE_PERMISSIONS).flatMap((r) => {
    const [method, path] = r.split(' ') as [string, string];
    return spellings(path.replace(':id', 'h_0123456789abcdef')).map((url) => [method, url] as const);
  });
  it.each(routeSpellings)('%s %s without a key → 401/404, never served', async (method, url) => {
    const res = await c.app.inject({ method: method as 'GET', url, payload: method === 'GET' ? undefined : {} });
    expect([401, 404]).toContain(res.statusCode);
  });

  const ids = ['..', '..%2f..%2fetc%2fpasswd', '%2e%2e', 'h_0123', 'h_0123456789abcdeg', 'H_0123456789ABCDEF', 'h_0123456789abcdef%00', 'h_0123456789abcdef%0a', 'tok_000000000000/..', "h_0123456789abcdef'--"];
  const routes = ['POST /api/v1/admin/devices/:id/revoke', 'POST /api/v1/admin/devices/:id/rotate', 'GET /api/v1/admin/hosts/:id', 'PUT /api/v1/admin/hosts/:id/meta', 'POST /api/v1/admin/tokens/:id/revoke', 'POST /api/v1/admin/apikeys/:id/revoke'];
  it.each(routes.flatMap((r) => ids.map((id) => [r, id] as const)))('%s with id %s → refused, nothing written', async (route, id) => {
    const [method, path] = route.split(' ') as ['GET' | 'POST' | 'PUT', string];
    const before = await c.sink.head();
    const res = await c.app.inject({ method, url: path.replace(':id', id), headers: bearer(c.key('owner')), payload: method === 'GET' ? undefined : { in_scope: true } });
    // ".." segments resolve to a path no route serves: not found.
    expect([400, 404]).toContain(res.statusCode);
    expect(res.json().code).toMatch(/^COL_(REQUEST_INVALID|NOT_FOUND)$/);
    await c.sink.flush();
    expect(await c.sink.head()).toBe(before);
  });

  const metaCases: [string, unknown][] = [
    ...WRONG_VALUES.map(([l, v]) => [`in_scope = ${l}`, { in_scope: v }] as [string, unknown]).filter(([n]) => n !== 'in_scope = boolean'),
    ...HOSTILE_STRINGS.filter(([l]) => !['too long'].includes(l) && /[\u0000-\u001f\u007f]/.test(HOSTILE_STRINGS.find(([x]) => x === l)![1])).map(([l, s]) => [`owner ${l}`, { in_scope: true, owner: s }] as [string, unknown]),
    ['owner too long', { in_scope: true, owner: 'a'.repeat(300) }],
    ['unknown field', { in_scope: true, password: 'x' }],
    ['missing in_scope', { owner: 'x' }],
    ['bad classification', { in_scope: true, classification: 'top-secret' }],
    ['bad framework', { in_scope: true, frameworks: ['nist'] }],
    ['array body', [{ in_scope: true }]],
    ['tag with slash', { in_scope: true, tags: ['a/b'] }],
    ['notes with NUL', { in_scope: true, notes: 'a\u0000b' }],
    ['decommissioned_at not a date', { in_scope: true, decommissioned_at: 'soon' }],
  ];
  it.each(metaCases)('meta.yaml %s → 400, nothing written', async (_name, body) => {
    const before = await c.sink.head();
    const res = await c.app.inject({ method: 'PUT', url: `/api/v1/admin/hosts/${dev.host_id}/meta`, headers: bearer(c.key('operator')), payload: body as object });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('COL_REQUEST_INVALID');
    await c.sink.flush();
    expect(await c.sink.head()).toBe(before);
  });

  it('token create refuses hostile scope', async () => {
    for (const payload of [{ cidrs: ['10.0.0.1/8'] }, { cidrs: ['../etc'] }, { group: '../../x' }, { group: 'a b' }, { expires: 'yesterday' }, { max_per_day: -1 }, { extra: 1 }]) {
      const res = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('admin')), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toMatch(/^COL_(SCOPE_INVALID|REQUEST_INVALID)$/);
    }
  });

  it('keeps serving the good device after all of it', async () => {
    const a = await connectAgent(`http://127.0.0.1:${port}`, dev.device_token);
    a.send({ type: 'hello', protocol: 1, agent_version: '1.0' });
    expect(await a.next()).toMatchObject({ type: 'config' });
    a.close();
  });
});
