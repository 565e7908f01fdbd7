// The single authorisation check for the HTTP API: every request to a route that is not one of
// the few public ones is authenticated (Bearer ppa_…) and checked against the route → permission
// table before anything else happens. It decides on the route fastify matched, never on the raw
// URL (so /api/v1/%61dmin/… is no way around it), and runs as the first request hook (onRequest),
// so no body is parsed for a caller who may not call the route. A route missing from the table
// is refused for everyone (fail closed).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { colError } from '../errors.ts';
import type { CollectorMetrics } from '../metrics.ts';
import type { ApiKey, ApiKeyStore } from '../state/api-keys.ts';
import { bearerToken } from './bearer.ts';
import { PUBLIC_ROUTES, roleAllows, routePermission } from './permissions.ts';

const callers = new WeakMap<FastifyRequest, ApiKey>();

/** The authenticated API key of an admin request (set by the guard). */
export function callerOf(request: FastifyRequest): ApiKey {
  const key = callers.get(request);
  if (!key) throw colError('COL_UNAUTHENTICATED', 'no authenticated caller');
  return key;
}

export function adminGuard(apiKeys: ApiKeyStore, metrics: CollectorMetrics) {
  return async function adminPreHandler(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const route = request.routeOptions.url;
    if (route === undefined) return; // no such route: the not-found handler answers
    if (PUBLIC_ROUTES.has(`${request.method} ${route}`)) return;
    const key = apiKeys.authenticate(bearerToken(request.headers.authorization));
    if (!key) {
      metrics.authRefused.inc({ kind: 'api-key', code: 'COL_UNAUTHENTICATED' });
      throw colError('COL_UNAUTHENTICATED', 'a valid admin API key is required');
    }
    const permission = routePermission(request.method, route);
    if (!permission || !roleAllows(key.role, permission)) {
      metrics.authRefused.inc({ kind: 'api-key', code: 'COL_FORBIDDEN' });
      throw colError('COL_FORBIDDEN', `role ${key.role} may not ${request.method} ${route}`, {
        data: { role: key.role, ...(permission ? { permission } : {}) },
      });
    }
    callers.set(request, key);
  };
}
