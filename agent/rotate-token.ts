// Device-token rotation on the agent, crash-safe: ask the collector for a next token with the
// current one (POST /api/v1/agent/rotate, over the same verified TLS as the socket), store it
// durably (StateStore.replaceDeviceToken: 0600, fsync, rename) and only then use it. The
// collector keeps the current token valid until the next one first authenticates, so a crash at
// any point leaves a token that works: the old one before the rename, the new one after it.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { check } from '../evidence/schema.ts';
import type { RotateResponse } from '../evidence/types.gen.ts';
import { silentLog, type AgentLog } from './log.ts';
import type { Credentials, StateStore } from './state.ts';
import { connectError, openVerifiedSocket, parseServerUrl } from './tls.ts';
import { readErrorBody } from './transport.ts';
import { agtError } from './transport-errors.ts';

export const ROTATE_PATH = 'api/v1/agent/rotate';

export interface RotateOptions {
  log?: AgentLog;
  now?: () => Date;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RotateResult {
  /** The stored credentials, now holding the new token. */
  credentials: Credentials;
  /** Until then the old token keeps working if the new one is never used. */
  previousValidUntil: string;
}

export async function rotateDeviceToken(store: StateStore, options: RotateOptions = {}): Promise<RotateResult> {
  const log = options.log ?? silentLog;
  const creds = await store.credentials();
  const url = new URL(ROTATE_PATH, parseServerUrl(creds.server));
  const trust = { ...(creds.ca_pem ? { ca: creds.ca_pem } : {}), ...(creds.pin_sha256 ? { pinSha256: creds.pin_sha256 } : {}) };
  const { status, res } = await post(url, trust, creds.device_token, options.timeoutMs ?? 30_000, options.signal);
  if (status !== 200) {
    const err = await readErrorBody(res);
    const detail = err ? `${err.code}: ${err.message}` : `HTTP ${status}`;
    const data = { status, collector_code: err?.code ?? null };
    if (status === 401 || status === 403) throw agtError('AGT_AUTH_REFUSED', `the collector refused to rotate the device token (${detail})`, { data });
    throw agtError('AGT_SERVER_UNREACHABLE', `the collector could not rotate the device token (${detail})`, { data });
  }
  const body = await readJson(res);
  const invalid = check('rotateResponse', body);
  if (invalid !== null) throw agtError('AGT_PROTOCOL_ERROR', `the token rotation answer does not match the protocol: ${invalid}`);
  const answer = body as RotateResponse;
  if (answer.host_id !== creds.host_id) throw agtError('AGT_PROTOCOL_ERROR', `the token rotation answer is for ${answer.host_id}, not this host (${creds.host_id})`);
  const credentials = await store.replaceDeviceToken(answer.device_token, (options.now ?? (() => new Date()))());
  log.info('device token rotated; the new one retires the old at its first use', { host_id: creds.host_id, previous_valid_until: answer.previous_token_valid_until });
  return { credentials, previousValidUntil: answer.previous_token_valid_until };
}

function post(url: URL, trust: { ca?: string; pinSha256?: string }, token: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; res: IncomingMessage }> {
  const where = url.host;
  const payload = '{}';
  return openVerifiedSocket(url, trust, { timeoutMs, ...(signal ? { signal } : {}) }).then(
    (socket) =>
      new Promise((resolve, reject) => {
        const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = request(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), accept: 'application/json' },
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

async function readJson(res: IncomingMessage, limit = 16 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) throw agtError('AGT_PROTOCOL_ERROR', 'the token rotation answer is too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw agtError('AGT_PROTOCOL_ERROR', 'the token rotation answer is not JSON');
  }
}
