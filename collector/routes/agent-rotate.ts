// POST /api/v1/agent/rotate: a device, authenticated by its current token, gets a next token
// (shown once). The current one keeps working until the next one first authenticates — which
// retires it — or until the grace deadline, so an agent that dies before storing the answer
// simply asks again.
import type { FastifyInstance } from 'fastify';
import type { RotateResponse } from '../../evidence/types.gen.ts';
import { actors, auditInput } from '../audit.ts';
import { normaliseAddress } from '../auth/cidr.ts';
import type { CollectorContext } from '../context.ts';
import { colError } from '../errors.ts';

export const AGENT_ROTATE_PATH = '/api/v1/agent/rotate';

const BODY = { type: 'object', additionalProperties: false, properties: {} } as const;

export function agentRotateRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post(AGENT_ROTATE_PATH, { bodyLimit: 1024, schema: { body: BODY } }, async (request, reply): Promise<RotateResponse> => {
    const source = normaliseAddress(request.ip);
    const auth = ctx.deviceAuth.check(request.headers.authorization, source);
    if (!auth.ok) throw colError(auth.code, auth.message);
    const hostId = auth.device.host_id;
    const issued = ctx.state.devices.issueNextToken(hostId, ctx.options.deviceTokenGraceS * 1000);
    if (!issued) throw colError('COL_DEVICE_REVOKED', 'device revoked');
    const validUntil = issued.device.token_valid_until!;
    await ctx.record(
      auditInput({
        actor: actors.device(hostId),
        action: 'device.token-issued',
        source,
        target: { type: 'host', id: hostId },
        time: ctx.clock(),
        details: { requested_by: issued.device.rotation_requested_by ?? 'device', previous_token_valid_until: validUntil },
      }),
      `device ${hostId} token issued`,
    );
    ctx.state.devices.touch(hostId, source);
    reply.header('cache-control', 'no-store');
    return { host_id: hostId, device_token: issued.secret, previous_token_valid_until: validUntil };
  });
}
