// A JSON POST to the collector over the agent's verified TLS socket (CA and/or SPKI pin checked
// before any byte of HTTP), and a bounded JSON read of the answer: enrolment and token rotation.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connectError, openVerifiedSocket } from './tls.ts';
import { agtError } from './transport-errors.ts';

export interface PostOptions {
  readonly timeoutMs: number;
  /** A device token: sent as `Authorization: Bearer …`. */
  readonly bearer?: string;
  readonly signal?: AbortSignal;
}

export function postJson(url: URL, trust: { ca?: string; pinSha256?: string }, payload: string, opts: PostOptions): Promise<{ status: number; res: IncomingMessage }> {
  const where = url.host;
  const { timeoutMs } = opts;
  return openVerifiedSocket(url, trust, { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) }).then(
    (socket) =>
      new Promise((resolve, reject) => {
        const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = request(url, {
          method: 'POST',
          headers: {
            ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}),
            'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), accept: 'application/json',
          },
          createConnection: () => socket,
          timeout: timeoutMs,
        });
        req.on('response', (res) => resolve({ status: res.statusCode ?? 0, res }));
        req.on('timeout', () => req.destroy(agtError('AGT_SERVER_UNREACHABLE', `no answer from ${where} within ${Math.round(timeoutMs / 1000)} s`)));
        req.on('error', (err) => reject(connectError(err, where)));
        req.end(payload);
      }),
  );
}

/** The answer's JSON, at most `limit` bytes; `what` names it in errors ("the enrolment response"). */
export async function readJson(res: IncomingMessage, limit: number, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) throw agtError('AGT_PROTOCOL_ERROR', `${what} is too large`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw agtError('AGT_PROTOCOL_ERROR', `${what} is not JSON`);
  }
}
