// Admin API: devices (list, revoke — closes the live socket at once — and asking for a token rotation).
import type { FastifyInstance } from 'fastify';
import { auditInput } from '../audit.ts';
import type { CollectorContext } from '../context.ts';
import { colError } from '../errors.ts';
import { CLOSE } from '../gateway/agent-gateway.ts';
import { actionContext, hostIdParam, ID_PARAMS } from './admin-common.ts';

export function adminDeviceRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/api/v1/admin/devices', async () => ({
    devices: ctx.state.devices.list().map((d) => ({ ...d, connected: ctx.gateway.isConnected(d.host_id) })),
  }));

  app.post('/api/v1/admin/devices/:id/revoke', { schema: { params: ID_PARAMS } }, async (request) => {
    const id = hostIdParam(request.params, 'device');
    const a = actionContext(ctx, request);
    const before = ctx.state.devices.get(id);
    if (!before) throw colError('COL_NOT_FOUND', `no device ${id}`);
    const device = ctx.state.devices.revoke(id)!;
    const closed = ctx.gateway.disconnect(id, CLOSE.revoked, 'device revoked');
    if (before.revoked_at === null) {
      await a.record(auditInput({ actor: a.actor, action: 'device.revoked', source: a.source, target: { type: 'host', id }, time: a.now, details: { connection_closed: closed } }), `device ${id} revoked`);
    }
    return { device };
  });

  // Rotation the agent completes (docs/protocol.md §7): the request is recorded, the agent is
  // asked in-band now or at its next hello, and its old token stays valid until it has the new one.
  app.post('/api/v1/admin/devices/:id/rotate', { schema: { params: ID_PARAMS } }, async (request, reply) => {
    const id = hostIdParam(request.params, 'device');
    const a = actionContext(ctx, request);
    const existing = ctx.state.devices.get(id);
    if (!existing) throw colError('COL_NOT_FOUND', `no device ${id}`);
    if (existing.revoked_at !== null) throw colError('COL_DEVICE_REVOKED', `device ${id} is revoked; enrol the host again`, { data: { host_id: id } });
    const requested = ctx.state.devices.requestRotation(id, a.actor.id);
    if (!requested) throw colError('COL_NOT_FOUND', `no device ${id}`);
    const asked = ctx.gateway.askToRotate(id);
    await a.record(
      auditInput({ actor: a.actor, action: 'device.rotation-requested', source: a.source, target: { type: 'host', id }, time: a.now, details: { asked } }),
      `device ${id} rotation requested`,
    );
    reply.code(202);
    return { host_id: id, rotation_requested_at: requested.rotation_requested_at, asked };
  });
}
