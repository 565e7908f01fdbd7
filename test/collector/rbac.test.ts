// Walks EVERY registered admin route × EVERY role and asserts allowed/forbidden exactly as the
// permission matrix says; also that the matrix covers every route and the docs show it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PREFIX, PUBLIC_ROUTES, ROUTE_PERMISSIONS, permissionMatrixMarkdown, roleAllows } from '../../collector/auth/permissions.ts';
import { ROLES } from '../../collector/state/api-keys.ts';
import { bearer, enrolBody, startTestCollector, type TestCollector } from './helpers.ts';
import { connectAgent, type TestAgent } from './ws-client.ts';

let c: TestCollector;
let live: { host_id: string; agent: TestAgent };
beforeAll(async () => {
  c = await startTestCollector();
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  const host = await enrolled('live-host');
  const agent = await connectAgent(`http://127.0.0.1:${(c.app.server.address() as { port: number }).port}`, host.device_token);
  live = { host_id: host.host_id, agent };
});
afterAll(async () => {
  live?.agent.close();
  await c.close();
});

async function enrolled(hostname: string): Promise<{ host_id: string; device_token: string }> {
  const tok = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('owner')), payload: {} });
  return (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, hostname) })).json();
}

let exceptionNo = 0;
const exception = (id: string) => ({
  id,
  title: 'Permission matrix fixture',
  advisories: ['CVE-2025-1001'],
  hosts: ['*'],
  reason: 'Fixture for the permission matrix test.',
  risk_assessment: { likelihood: 'low', impact: 'low', summary: 'None.' },
  compensating_controls: ['None needed.'],
  planned_remediation: '2025-02-28',
  expires: '2025-03-15',
  requested_by: 'Alice Example',
  approver: null,
  approved_at: null,
});

/**
 * For each route: a request whose objects exist (fresh ones for actions that change them), and
 * the status an allowed caller gets. A 404 or a 5xx would mean the permission check passed but
 * the call was never really made.
 */
const FIXTURES: Record<string, () => Promise<{ url: string; payload?: unknown; status: number }>> = {
  'GET /api/v1/admin/tokens': async () => ({ url: '/api/v1/admin/tokens', status: 200 }),
  'POST /api/v1/admin/tokens': async () => ({ url: '/api/v1/admin/tokens', payload: { group: 'rbac' }, status: 201 }),
  'POST /api/v1/admin/tokens/:id/revoke': async () => {
    const tok = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('owner')), payload: {} });
    return { url: `/api/v1/admin/tokens/${tok.json().token.id}/revoke`, status: 200 };
  },
  'GET /api/v1/admin/devices': async () => ({ url: '/api/v1/admin/devices', status: 200 }),
  'POST /api/v1/admin/devices/:id/revoke': async () => ({ url: `/api/v1/admin/devices/${(await enrolled('to-revoke')).host_id}/revoke`, status: 200 }),
  'POST /api/v1/admin/devices/:id/rotate': async () => ({ url: `/api/v1/admin/devices/${(await enrolled('to-rotate')).host_id}/rotate`, status: 202 }),
  'GET /api/v1/admin/hosts': async () => ({ url: '/api/v1/admin/hosts', status: 200 }),
  'GET /api/v1/admin/hosts/:id': async () => ({ url: `/api/v1/admin/hosts/${live.host_id}`, status: 200 }),
  'PUT /api/v1/admin/hosts/:id/meta': async () => ({ url: `/api/v1/admin/hosts/${live.host_id}/meta`, payload: { owner: 'ops', in_scope: true }, status: 200 }),
  'POST /api/v1/admin/hosts/:id/collect-now': async () => ({ url: `/api/v1/admin/hosts/${live.host_id}/collect-now`, payload: {}, status: 202 }),
  'PUT /api/v1/admin/exceptions/:id': async () => {
    const id = `EXC-${String(++exceptionNo).padStart(4, '0')}`;
    return { url: `/api/v1/admin/exceptions/${id}`, payload: exception(id), status: 201 };
  },
  'GET /api/v1/admin/apikeys': async () => ({ url: '/api/v1/admin/apikeys', status: 200 }),
  'POST /api/v1/admin/apikeys': async () => ({ url: '/api/v1/admin/apikeys', payload: { role: 'auditor', name: 'rbac fixture' }, status: 201 }),
  'POST /api/v1/admin/apikeys/:id/revoke': async () => ({ url: `/api/v1/admin/apikeys/${c.state.apiKeys.create({ name: 'to revoke', role: 'auditor', created_by: 'test' }).key.id}/revoke`, status: 200 }),
  'POST /api/v1/admin/keys/rotate': async () => {
    c.clockCtl.advance(60_000); // each signing key gets its own validity window
    return { url: '/api/v1/admin/keys/rotate', status: 200 };
  },
  'GET /api/v1/admin/audit': async () => ({ url: '/api/v1/admin/audit', status: 200 }),
  'GET /api/v1/admin/state': async () => ({ url: '/api/v1/admin/state', status: 200 }),
};

const adminRoutes = () => c.routes.filter((r) => r.split(' ')[1]!.startsWith(ADMIN_PREFIX));
const urlFor = (route: string) => route.split(' ')[1]!.replace(':id', 'h_0123456789abcdef');

describe('admin API permission matrix', () => {
  it('covers every registered route: public ones are few and named, all others are in the table', () => {
    expect([...adminRoutes()].sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
    expect(c.routes.filter((r) => !(r in ROUTE_PERMISSIONS)).sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it.each(['/api/v1/%61dmin/tokens', '/api/v1/admin/%74okens', '/api/v1/admin/tokens/', '/api/v1/admin//tokens', '/api/v1/admin/./tokens', '/api/v1/admin/tokens?role=owner', '/api/v1/admin/tokens;x'])(
    'cannot be bypassed by spelling the path differently: %s',
    async (url) => {
      const res = await c.app.inject({ method: 'GET', url });
      expect([401, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain('"tokens"');
    },
  );

  it('is the table shown in docs/collector.md', () => {
    const doc = readFileSync(new URL('../../docs/collector.md', import.meta.url), 'utf8');
    expect(doc).toContain(permissionMatrixMarkdown());
  });

  it('refuses every admin route without a key, with a malformed key, and with a revoked key (401)', async () => {
    const revoked = c.state.apiKeys.create({ name: 'gone', role: 'owner', created_by: 'test' });
    c.state.apiKeys.revoke(revoked.key.id);
    for (const route of adminRoutes()) {
      const [method, _] = route.split(' ');
      for (const headers of [{}, { authorization: 'Bearer ppa_short' }, { authorization: 'Basic abc' }, bearer(revoked.secret)]) {
        const res = await c.app.inject({ method: method as 'GET', url: urlFor(route), headers });
        expect(res.statusCode, `${route} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json().code).toBe('COL_UNAUTHENTICATED');
      }
    }
  });

  it('has a fixture for every route', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
  });

  const cases = Object.entries(ROUTE_PERMISSIONS).flatMap(([route, permission]) => ROLES.map((role) => ({ route, permission, role })));
  it.each(cases)('$route as $role', async ({ route, permission, role }) => {
    const [method] = route.split(' ');
    if (roleAllows(role, permission)) {
      const f = await FIXTURES[route]!();
      const res = await c.app.inject({ method: method as 'GET', url: f.url, headers: bearer(c.key(role)), ...(f.payload === undefined ? {} : { payload: f.payload as object }) });
      expect(res.statusCode, `${route} as ${role}: ${res.body}`).toBeLessThan(500);
      expect([401, 403, 404], `${route} as ${role}: ${res.body}`).not.toContain(res.statusCode);
      expect(res.statusCode, `${route} as ${role}: ${res.body}`).toBe(f.status);
    } else {
      const res = await c.app.inject({ method: method as 'GET', url: urlFor(route), headers: bearer(c.key(role)), payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${route} as ${role}: ${res.body}`).toBe(403);
      expect(res.json().code).toBe('COL_FORBIDDEN');
    }
  });

  it('refuses a route missing from the table, even for the owner (fail closed)', async () => {
    const extra = await startTestCollector();
    try {
      extra.app.get('/api/v1/admin/unlisted', async () => ({ leaked: true }));
      extra.app.get('/somewhere-new', async () => ({ leaked: true }));
      const admin = await extra.app.inject({ method: 'GET', url: '/api/v1/admin/unlisted', headers: bearer(extra.key('owner')) });
      expect(admin.statusCode).toBe(403);
      expect((await extra.app.inject({ method: 'GET', url: '/somewhere-new' })).statusCode).toBe(401);
      expect((await extra.app.inject({ method: 'GET', url: '/somewhere-new', headers: bearer(extra.key('owner')) })).statusCode).toBe(403);
    } finally {
      await extra.close();
    }
  });
});
