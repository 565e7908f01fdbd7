// Admin API: API keys (owner only): list, create — the secret is returned once — and revoke.
import type { FastifyInstance } from 'fastify';
import { createApiKey, revokeApiKey } from '../admin-actions.ts';
import type { CollectorContext } from '../context.ts';
import { actionContext, ID_PARAMS } from './admin-common.ts';

const KEY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'name'],
  properties: { role: { type: 'string', maxLength: 16 }, name: { type: 'string', maxLength: 64 } },
} as const;

export function adminApiKeyRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/api/v1/admin/apikeys', async () => ({ api_keys: ctx.state.apiKeys.list() }));

  app.post('/api/v1/admin/apikeys', { schema: { body: KEY_BODY } }, async (request, reply) => {
    const { key, secret } = await createApiKey(actionContext(ctx, request), request.body as { role: string; name: string });
    reply.code(201).header('cache-control', 'no-store');
    return { key, secret };
  });

  app.post('/api/v1/admin/apikeys/:id/revoke', { schema: { params: ID_PARAMS } }, async (request) => {
    const { id } = request.params as { id: string };
    return { key: await revokeApiKey(actionContext(ctx, request), id) };
  });
}
