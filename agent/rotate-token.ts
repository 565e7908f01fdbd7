// Device-token rotation on the agent, crash-safe: ask the collector for a next token with the
// current one (POST /api/v1/agent/rotate, over the same verified TLS as the socket), store it
// durably (StateStore.replaceDeviceToken: 0600, fsync, rename) and only then use it. The
// collector keeps the current token valid until the next one first authenticates, so a crash at
// any point leaves a token that works: the old one before the rename, the new one after it.
import { check } from '../evidence/schema.ts';
import type { RotateResponse } from '../evidence/types.gen.ts';
import { silentLog, type AgentLog } from './log.ts';
import type { Credentials, StateStore } from './state.ts';
import { postJson, readJson } from './https-json.ts';
import { parseServerUrl } from './tls.ts';
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
  const { status, res } = await postJson(url, trust, '{}', { timeoutMs: options.timeoutMs ?? 30_000, bearer: creds.device_token, ...(options.signal ? { signal: options.signal } : {}) });
  if (status !== 200) {
    const err = await readErrorBody(res);
    const detail = err ? `${err.code}: ${err.message}` : `HTTP ${status}`;
    const data = { status, collector_code: err?.code ?? null };
    if (status === 401 || status === 403) throw agtError('AGT_AUTH_REFUSED', `the collector refused to rotate the device token (${detail})`, { data });
    throw agtError('AGT_SERVER_UNREACHABLE', `the collector could not rotate the device token (${detail})`, { data });
  }
  const body = await readJson(res, 16 * 1024, 'the token rotation answer');
  const invalid = check('rotateResponse', body);
  if (invalid !== null) throw agtError('AGT_PROTOCOL_ERROR', `the token rotation answer does not match the protocol: ${invalid}`);
  const answer = body as RotateResponse;
  if (answer.host_id !== creds.host_id) throw agtError('AGT_PROTOCOL_ERROR', `the token rotation answer is for ${answer.host_id}, not this host (${creds.host_id})`);
  const credentials = await store.replaceDeviceToken(answer.device_token, (options.now ?? (() => new Date()))());
  log.info('device token rotated; the new one retires the old at its first use', { host_id: creds.host_id, previous_valid_until: answer.previous_token_valid_until });
  return { credentials, previousValidUntil: answer.previous_token_valid_until };
}
