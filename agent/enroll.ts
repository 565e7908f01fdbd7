// Enrolment: trade a one-time enrolment token (ppe_…) and this host's facts for a host id and a
// device token (ppd_…) over the same verified TLS as the socket, and keep them in credentials.json.
import { check } from '../evidence/schema.ts';
import type { EnrollRequest, EnrollResponse, ReportBody } from '../evidence/types.gen.ts';
import { silentLog, type AgentLog } from './log.ts';
import { resolveState, type Credentials, type StateStore } from './state.ts';
import { postJson, readJson } from './https-json.ts';
import { normalizePin, parseServerUrl } from './tls.ts';
import { readErrorBody } from './transport.ts';
import { agtError } from './transport-errors.ts';
import { AGENT_VERSION } from './version.ts';

export const ENROLL_PATH = 'api/v1/enroll';
const TOKEN_RE = /^ppe_[A-Za-z0-9_-]{20,100}$/;

export interface EnrollOptions {
  server: string;
  token: string;
  state: StateStore | string;
  /** This host's facts: the body a collection would send (only identity fields are used). */
  facts: () => Promise<Pick<ReportBody, 'hostname' | 'os' | 'arch' | 'machine_id' | 'agent_version'>>;
  ca?: { pem: string; file?: string };
  pinSha256?: string;
  /** Overrides the collected host name. */
  hostname?: string;
  /** Replace existing credentials (a new host id; the old one stays in the evidence). */
  force?: boolean;
  timeoutMs?: number;
  now?: () => Date;
  log?: AgentLog;
}

export interface EnrollResult {
  host_id: string;
  collector_id: string;
  server: string;
  credentialsPath: string;
}

export async function enroll(options: EnrollOptions): Promise<EnrollResult> {
  const log = options.log ?? silentLog;
  const base = parseServerUrl(options.server);
  if (!TOKEN_RE.test(options.token)) throw agtError('AGT_ENROLL_REFUSED', 'the enrolment token is malformed (expected ppe_ followed by 20–100 characters)', { hint: 'Copy the token exactly as `patchproof token create` printed it.' });
  const pin = options.pinSha256 === undefined ? undefined : normalizePin(options.pinSha256);
  const state = await resolveState(options.state);
  if (!options.force && (await state.hasCredentials())) {
    const existing = await state.credentials();
    throw agtError('AGT_STATE_INVALID', `${state.dir} is already enrolled as ${existing.host_id}`, { hint: 'Pass --force to enrol again (the host gets a new id).' });
  }

  const facts = await options.facts();
  const body: EnrollRequest = {
    token: options.token,
    hostname: options.hostname ?? facts.hostname,
    os: facts.os,
    agent_version: facts.agent_version || AGENT_VERSION,
    ...(facts.machine_id === undefined ? {} : { machine_id: facts.machine_id }),
    ...(facts.arch === undefined ? {} : { arch: facts.arch }),
  };
  const problem = check('enrollRequest', body);
  if (problem !== null) throw agtError('AGT_REPORT_INVALID', `enrolment request does not match the protocol: ${problem.replace(/ppe_\S+/g, 'ppe_…')}`);

  const url = new URL(ENROLL_PATH, base);
  const trust = { ...(options.ca ? { ca: options.ca.pem } : {}), ...(pin ? { pinSha256: pin } : {}) };
  log.info('enrolling', { server: base.origin, hostname: body.hostname });
  const { status, res } = await postJson(url, trust, JSON.stringify(body), { timeoutMs: options.timeoutMs ?? 30_000 });
  if (status < 200 || status > 299) {
    const err = await readErrorBody(res);
    const detail = err ? `${err.code}: ${err.message}` : `HTTP ${status}`;
    throw agtError('AGT_ENROLL_REFUSED', `the collector refused the enrolment (${detail})`, {
      data: { status, collector_code: err?.code ?? null, collector_message: err?.message ?? null },
    });
  }
  const response = await readJson(res, 64 * 1024, 'the enrolment response');
  const invalid = check('enrollResponse', response);
  if (invalid !== null) throw agtError('AGT_PROTOCOL_ERROR', `the enrolment response does not match the protocol: ${invalid}`);
  const answer = response as EnrollResponse;

  const credentials: Credentials = {
    server: base.href,
    host_id: answer.host_id,
    device_token: answer.device_token,
    collector_id: answer.collector_id,
    ...(options.ca ? { ca_pem: options.ca.pem, ...(options.ca.file ? { ca_file: options.ca.file } : {}) } : {}),
    ...(pin ? { pin_sha256: pin } : {}),
    enrolled_at: (options.now ?? (() => new Date()))().toISOString(),
  };
  await state.saveCredentials(credentials);
  // A re-enrolled host starts a new identity: the collector holds no inventory for it yet.
  await state.update({
    last_acked_inventory_sha256: null,
    inventory_requested: false,
    ...(answer.interval_s === undefined ? {} : { interval_s: answer.interval_s }),
  });
  log.info('enrolled', { host_id: answer.host_id, collector_id: answer.collector_id });
  return { host_id: answer.host_id, collector_id: answer.collector_id, server: base.href, credentialsPath: `${state.dir}/credentials.json` };
}

