// Helpers shared by the admin routes: the acting API key as an audit actor, and id params.
import type { FastifyRequest } from 'fastify';
import { HOST_ID_RE } from '../../evidence/paths.ts';
import type { ActionContext } from '../admin-actions.ts';
import { actors } from '../audit.ts';
import { callerOf } from '../auth/admin-guard.ts';
import { normaliseAddress } from '../auth/cidr.ts';
import type { CollectorContext } from '../context.ts';
import { colError } from '../errors.ts';

export const ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z]{1,4}_[0-9a-f]{12,16}$' } },
} as const;

/** The :id of a host route; anything but a collector-assigned host id is simply not found. */
export function hostIdParam(params: unknown, what: 'host' | 'device'): string {
  const { id } = params as { id: string };
  if (!HOST_ID_RE.test(id)) throw colError('COL_NOT_FOUND', `no such ${what}`);
  return id;
}

export function actionContext(ctx: CollectorContext, request: FastifyRequest): ActionContext {
  return {
    state: ctx.state,
    actor: actors.apiKey(callerOf(request)),
    source: normaliseAddress(request.ip),
    now: ctx.clock(),
    record: ctx.record,
  };
}
