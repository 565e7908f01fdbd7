// Admin API: the collector itself — signing-key rotation (owner), the audit log, state summary.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../context.ts';
import { actionContext } from './admin-common.ts';

const AUDIT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { since_seq: { type: 'string', pattern: '^[0-9]{1,12}$' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

export function adminCollectorRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post('/api/v1/admin/keys/rotate', async (request) => {
    const a = actionContext(ctx, request);
    const out = await ctx.sink.rotateKey(a.actor, a.source);
    return { previous_fingerprint: out.oldFingerprint, fingerprint: out.newFingerprint, commit: out.commit };
  });

  app.get('/api/v1/admin/audit', { schema: { querystring: AUDIT_QUERY } }, async (request) => {
    const q = request.query as { since_seq?: string; limit?: string };
    const since = Number(q.since_seq ?? 0);
    const limit = Math.min(Math.max(Number(q.limit ?? 100), 1), 1000);
    const entries = (await ctx.sink.reader.auditEntries()).filter((e) => e.seq > since);
    return { entries: entries.slice(0, limit), more: entries.length > limit };
  });

  app.get('/api/v1/admin/state', async () => ({
    collector_id: ctx.sink.collectorId,
    key_fingerprint: ctx.sink.signer.fingerprint,
    head: await ctx.sink.head(),
    time: ctx.clock().toISOString(),
    agents_connected: ctx.gateway.connected,
    devices: ctx.state.devices.count(),
    hosts_with_state: ctx.state.hosts.count(),
    enrolment_tokens: ctx.state.tokens.list().length,
    api_keys: ctx.state.apiKeys.list().filter((k) => k.revoked_at === null).length,
    audit_outbox: ctx.state.outbox.size(),
    options: ctx.options,
  }));
}
