// POST /api/v1/enroll: rate-limited per source address before the body is read (those refusals
// are audited in summaries); refusals the framework makes (malformed JSON, oversized or non-JSON
// bodies) are audited like the rest.
import type { FastifyError, FastifyInstance } from 'fastify';
import { isPatchproofError } from '../../evidence/errors.ts';
import { actors, auditInput } from '../audit.ts';
import { normaliseAddress } from '../auth/cidr.ts';
import type { CollectorContext } from '../context.ts';
import { enrol } from '../enrolment.ts';
import { colError } from '../errors.ts';
import { errorReply } from '../http-errors.ts';

export const ENROLL_PATH = '/api/v1/enroll';

export function enrollRoutes(app: FastifyInstance, ctx: CollectorContext): void {
  app.post(
    ENROLL_PATH,
    {
      bodyLimit: 16 * 1024,
      onRequest: async (request) => {
        const source = normaliseAddress(request.ip);
        if (!ctx.enrolLimiter.take(source ?? 'unknown')) {
          ctx.metrics.enrolments.inc({ outcome: 'refused', code: 'COL_RATE_LIMITED' });
          ctx.refusals.count(auditInput({ actor: actors.anonymous(), action: 'enrol.refused', outcome: 'refused', source, code: 'COL_RATE_LIMITED', time: ctx.clock() }));
          throw colError('COL_RATE_LIMITED', 'too many enrolment attempts from this address; retry later');
        }
      },
      errorHandler: async (err: FastifyError, request, reply) => {
        const { status, body } = errorReply(err, request);
        if (!isPatchproofError(err) && status < 500) {
          const code = String(body.code);
          ctx.metrics.enrolments.inc({ outcome: 'refused', code });
          const input = auditInput({ actor: actors.anonymous(), action: 'enrol.refused', outcome: 'refused', source: normaliseAddress(request.ip), code, time: ctx.clock() });
          await ctx.recordRefusal(input, 'enrolment refused').catch((e: unknown) => request.log.warn({ err: e }, 'audit of a refusal failed'));
        }
        return reply.code(status).send(body);
      },
    },
    async (request, reply) => {
      const response = await enrol(
        {
          state: ctx.state,
          sink: ctx.sink,
          clock: ctx.clock,
          random: ctx.random,
          metrics: ctx.metrics,
          checkinIntervalS: ctx.options.checkinIntervalS,
          recordRefusal: ctx.recordRefusal,
          log: request.log,
        },
        request.body,
        normaliseAddress(request.ip),
      );
      reply.header('cache-control', 'no-store');
      return response;
    },
  );
}
