// Unauthenticated operational endpoints: liveness and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { CollectorContext } from '../context.ts';

export function opsRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.get('/healthz', async () => ({
    status: ctx.lifecycle.stopping || ctx.ingest.closing ? 'stopping' : 'ok',
    collector_id: ctx.sink.collectorId,
    time: ctx.clock().toISOString(),
    agents_connected: ctx.gateway.connected,
  }));

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
