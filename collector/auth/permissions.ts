// The permission matrix: which role may do what, and which permission every admin route needs.
// docs/collector.md shows the same table; a test walks every route × every role against it.
import type { Role } from '../state/api-keys.ts';

export const PERMISSIONS = [
  'tokens.read',
  'tokens.create',
  'tokens.revoke',
  'devices.read',
  'devices.revoke',
  'devices.rotate',
  'hosts.read',
  'hosts.meta',
  'hosts.collect',
  'exceptions.write',
  'apikeys.manage',
  'keys.rotate',
  'audit.read',
  'state.read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  owner: PERMISSIONS,
  admin: ['tokens.read', 'tokens.create', 'tokens.revoke', 'devices.read', 'devices.revoke', 'devices.rotate', 'hosts.read', 'hosts.meta', 'hosts.collect', 'exceptions.write', 'audit.read', 'state.read'],
  operator: ['tokens.read', 'tokens.create', 'devices.read', 'devices.rotate', 'hosts.read', 'hosts.meta', 'hosts.collect', 'state.read'],
  auditor: ['tokens.read', 'devices.read', 'hosts.read', 'audit.read', 'state.read'],
};

/** Every admin route, keyed "METHOD url" exactly as registered with fastify. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'GET /api/v1/admin/tokens': 'tokens.read',
  'POST /api/v1/admin/tokens': 'tokens.create',
  'POST /api/v1/admin/tokens/:id/revoke': 'tokens.revoke',
  'GET /api/v1/admin/devices': 'devices.read',
  'POST /api/v1/admin/devices/:id/revoke': 'devices.revoke',
  'POST /api/v1/admin/devices/:id/rotate': 'devices.rotate',
  'GET /api/v1/admin/hosts': 'hosts.read',
  'GET /api/v1/admin/hosts/:id': 'hosts.read',
  'PUT /api/v1/admin/hosts/:id/meta': 'hosts.meta',
  'POST /api/v1/admin/hosts/:id/collect-now': 'hosts.collect',
  'PUT /api/v1/admin/exceptions/:id': 'exceptions.write',
  'GET /api/v1/admin/apikeys': 'apikeys.manage',
  'POST /api/v1/admin/apikeys': 'apikeys.manage',
  'POST /api/v1/admin/apikeys/:id/revoke': 'apikeys.manage',
  'POST /api/v1/admin/keys/rotate': 'keys.rotate',
  'GET /api/v1/admin/audit': 'audit.read',
  'GET /api/v1/admin/state': 'state.read',
};

export const ADMIN_PREFIX = '/api/v1/admin/';

/** The only routes served without an admin key; every other route needs one (fail closed).
 *  POST /api/v1/agent/rotate authenticates the device's own token instead. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['GET /healthz', 'GET /metrics', 'POST /api/v1/enroll', 'POST /api/v1/agent/rotate']);

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The permission a route needs, or undefined (an unlisted admin route is refused: fail closed). */
export function routePermission(method: string, url: string): Permission | undefined {
  return ROUTE_PERMISSIONS[`${method} ${url}`];
}

/** The matrix as Markdown (docs/collector.md embeds exactly this; a test keeps them equal). */
export function permissionMatrixMarkdown(roles: readonly Role[] = ['owner', 'admin', 'operator', 'auditor']): string {
  const lines = [`| route | permission | ${roles.join(' | ')} |`, `|---|---|${roles.map(() => ':-:').join('|')}|`];
  for (const [route, permission] of Object.entries(ROUTE_PERMISSIONS)) {
    lines.push(`| \`${route}\` | ${permission} | ${roles.map((r) => (roleAllows(r, permission) ? '✓' : '—')).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
