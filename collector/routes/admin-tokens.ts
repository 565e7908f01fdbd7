// Admin API: enrolment tokens (list, create — the secret is returned once — and revoke).
import type { FastifyInstance } from 'fastify';
import { createEnrolToken, revokeEnrolToken } from '../admin-actions.ts';
import type { CollectorContext } from '../context.ts';
import { actionContext, ID_PARAMS } from './admin-common.ts';

const TOKEN_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cidrs: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 64 } },
    max_per_day: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    expires: { type: 'string', maxLength: 40 },
    group: { type: 'string', maxLength: 64 },
  },
} as const;

export function adminTokenRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/api/v1/admin/tokens', async () => ({ tokens: ctx.state.tokens.list() }));

  app.post('/api/v1/admin/tokens', { schema: { body: TOKEN_BODY } }, async (request, reply) => {
    const { token, secret } = await createEnrolToken(actionContext(ctx, request), (request.body ?? {}) as Record<string, unknown>);
    reply.code(201).header('cache-control', 'no-store');
    return { token, secret };
  });

  app.post('/api/v1/admin/tokens/:id/revoke', { schema: { params: ID_PARAMS } }, async (request) => {
    const { id } = request.params as { id: string };
    return { token: await revokeEnrolToken(actionContext(ctx, request), id) };
  });
}
