// Admin API: devices (list, revoke — closes the live socket at once — and token rotation).
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

  app.post('/api/v1/admin/devices/:id/rotate', { schema: { params: ID_PARAMS } }, async (request, reply) => {
    const id = hostIdParam(request.params, 'device');
    const a = actionContext(ctx, request);
    const existing = ctx.state.devices.get(id);
    if (!existing) throw colError('COL_NOT_FOUND', `no device ${id}`);
    if (existing.revoked_at !== null) throw colError('COL_DEVICE_REVOKED', `device ${id} is revoked; enrol the host again`, { data: { host_id: id } });
    const rotated = ctx.state.devices.rotate(id);
    if (!rotated) throw colError('COL_NOT_FOUND', `no device ${id}`);
    const closed = ctx.gateway.disconnect(id, CLOSE.revoked, 'device token rotated');
    await a.record(auditInput({ actor: a.actor, action: 'device.rotated', source: a.source, target: { type: 'host', id }, time: a.now, details: { connection_closed: closed } }), `device ${id} rotated`);
    reply.header('cache-control', 'no-store');
    return { host_id: id, device_token: rotated.secret };
  });
}
