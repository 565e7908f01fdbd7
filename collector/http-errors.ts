// How the HTTP API answers failures: a coded JSON body { code, message, hint?, data } with the
// catalog's status; fastify's own errors mapped to COL_* codes; bugs become COL_INTERNAL without
// details. Logs never carry bearer secrets (pino redaction plus our own redactSecrets).
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isPatchproofError } from '../evidence/errors.ts';
import { COL_ERRORS, type ColCode } from './errors.ts';
import { redactSecrets } from './secrets.ts';

export const LOG_REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'token', 'secret', 'device_token', '*.token', '*.secret', '*.device_token'],
  censor: '[redacted]',
};

function body(code: ColCode | string, message: string, extra: Record<string, unknown> = {}) {
  const hint = (COL_ERRORS as Record<string, { hint?: string }>)[code]?.hint;
  return { code, message: redactSecrets(message), ...(hint ? { hint } : {}), data: {}, ...extra };
}

const FASTIFY_CODES: Record<string, { status: number; code: ColCode }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'COL_MESSAGE_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'COL_REQUEST_INVALID' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'COL_REQUEST_INVALID' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'COL_REQUEST_INVALID' },
};

/** Status and coded body for any error a request raised; bugs are logged and hidden. */
export function errorReply(err: FastifyError, request: FastifyRequest): { status: number; body: Record<string, unknown> } {
  if (isPatchproofError(err)) {
    if (err.status >= 500) request.log.error({ err: { code: err.code, message: redactSecrets(err.message) } }, 'request failed');
    return { status: err.status, body: { ...err.toJSON(), message: redactSecrets(err.message) } };
  }
  if (err.validation) return { status: 400, body: body('COL_REQUEST_INVALID', `request refused: ${err.message}`) };
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) return { status: mapped.status, body: body(mapped.code, err.message) };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // e.g. malformed JSON bodies (SyntaxError with statusCode 400).
    return { status: err.statusCode, body: body('COL_REQUEST_INVALID', err.message) };
  }
  request.log.error({ err: { message: redactSecrets(String(err.message)), code: err.code } }, 'unexpected error');
  return { status: 500, body: body('COL_INTERNAL', 'internal error') };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body: payload } = errorReply(err, request);
    return reply.code(status).send(payload);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body('COL_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`));
  });
}
