// Admin API: hosts (list from state, one host from the repository), meta.yaml edits, which
// are validated against the meta schema, committed and audited, and collect-now to a live agent.
import type { FastifyInstance } from 'fastify';
import { stringify, parse } from 'yaml';
import { repoPaths } from '../../evidence/paths.ts';
import { check } from '../../evidence/schema.ts';
import type { HostMeta } from '../../evidence/types.gen.ts';
import { auditInput } from '../audit.ts';
import type { CollectorContext } from '../context.ts';
import { colError } from '../errors.ts';
import { actionContext, hostIdParam, ID_PARAMS } from './admin-common.ts';

const COLLECT_NOW_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { full_inventory: { type: 'boolean' }, full_pending: { type: 'boolean' } },
} as const;

async function readYaml(ctx: CollectorContext, path: string): Promise<unknown> {
  const bytes = await ctx.sink.readFile(path);
  return bytes === null ? null : parse(new TextDecoder().decode(bytes));
}

export function adminHostRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/api/v1/admin/hosts', async () => ({
    hosts: ctx.state.devices.list().map((d) => {
      const s = ctx.state.hosts.get(d.host_id);
      return {
        host_id: d.host_id,
        hostname: d.hostname,
        group: d.group,
        enrolled_at: d.enrolled_at,
        revoked: d.revoked_at !== null,
        connected: ctx.gateway.isConnected(d.host_id),
        seq: s?.seq ?? 0,
        last_report_at: s?.last_report_at ?? null,
        last_written_at: s?.last_written_at ?? null,
      };
    }),
  }));

  app.get('/api/v1/admin/hosts/:id', { schema: { params: ID_PARAMS } }, async (request) => {
    const id = hostIdParam(request.params, 'host');
    const host = await readYaml(ctx, repoPaths.hostYaml(id));
    if (host === null) throw colError('COL_NOT_FOUND', `no host ${id}`);
    return { host, meta: await readYaml(ctx, repoPaths.metaYaml(id)), state: ctx.state.hosts.get(id), device: ctx.state.devices.get(id) };
  });

  app.put('/api/v1/admin/hosts/:id/meta', { schema: { params: ID_PARAMS }, bodyLimit: 64 * 1024 }, async (request) => {
    const id = hostIdParam(request.params, 'host');
    const a = actionContext(ctx, request);
    const problem = check('meta', request.body);
    if (problem !== null) throw colError('COL_REQUEST_INVALID', `meta.yaml refused: ${problem}`);
    const meta = request.body as HostMeta;
    if ((await ctx.sink.readFile(repoPaths.hostYaml(id))) === null) throw colError('COL_NOT_FOUND', `no host ${id}`);
    const before = ((await readYaml(ctx, repoPaths.metaYaml(id))) ?? {}) as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(meta)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify((meta as unknown as Record<string, unknown>)[k]))
      .sort();
    const { commit } = await ctx.sink.writeReviewed([{ path: repoPaths.metaYaml(id), content: stringify(meta) }], `host ${id} meta edited${changed.length > 0 ? `: ${changed.join(', ')}` : ''}`, [
      auditInput({ actor: a.actor, action: 'host.meta-edited', source: a.source, target: { type: 'host', id }, time: a.now, details: { fields: changed.slice(0, 32) } }),
    ]);
    return { host_id: id, meta, commit };
  });

  // Changes no state, but it is an admin action that makes a host report (and possibly new
  // evidence appear) at a time a person chose: audited, like every other admin action.
  app.post('/api/v1/admin/hosts/:id/collect-now', { schema: { params: ID_PARAMS, body: COLLECT_NOW_BODY } }, async (request, reply) => {
    const id = hostIdParam(request.params, 'host');
    const a = actionContext(ctx, request);
    const body = (request.body ?? {}) as { full_inventory?: boolean; full_pending?: boolean };
    if (!ctx.state.devices.get(id)) throw colError('COL_NOT_FOUND', `no host ${id}`);
    const r = ctx.gateway.collectNow(id, { fullInventory: body.full_inventory === true, fullPending: body.full_pending === true });
    if (!r.sent) throw colError('COL_HOST_NOT_CONNECTED', `host ${id} has no live connection`, { data: { host_id: id } });
    await a.record(
      auditInput({ actor: a.actor, action: 'host.collect-now', source: a.source, target: { type: 'host', id }, time: a.now, details: { full_inventory: r.full_inventory, full_pending: r.full_pending } }),
      `collect-now ${id}`,
    );
    reply.code(202);
    return { host_id: id, ...r };
  });
}
