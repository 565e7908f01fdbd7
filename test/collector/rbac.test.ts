// Walks EVERY registered admin route × EVERY role and asserts allowed/forbidden exactly as the
// permission matrix says; also that the matrix covers every route and the docs show it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PREFIX, PUBLIC_ROUTES, ROUTE_PERMISSIONS, permissionMatrixMarkdown, roleAllows } from '../../collector/auth/permissions.ts';
import { ROLES } from '../../collector/state/api-keys.ts';
import { bearer, startTestCollector, type TestCollector } from './helpers.ts';

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => c.close());

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

  const cases = Object.entries(ROUTE_PERMISSIONS).flatMap(([route, permission]) => ROLES.map((role) => ({ route, permission, role })));
  it.each(cases)('$route as $role', async ({ route, permission, role }) => {
    const [method] = route.split(' ');
    const res = await c.app.inject({ method: method as 'GET', url: urlFor(route), headers: bearer(c.key(role)), payload: method === 'GET' ? undefined : {} });
    if (roleAllows(role, permission)) {
      expect([401, 403], `${route} as ${role}: ${res.body}`).not.toContain(res.statusCode);
    } else {
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
