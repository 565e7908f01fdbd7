// Enrolment: an agent presents a scoped ppe_ token and its facts; the collector assigns a random
// host id, writes host.yaml + meta.yaml in a signed commit with its audit entry, and returns a
// device token once. Every refusal is audited too.
import { stringify } from 'yaml';
import type { AuditInput } from '../evidence/audit-log.ts';
import type { RecordAudit } from './admin-actions.ts';
import { repoPaths } from '../evidence/paths.ts';
import { assertValid, check } from '../evidence/schema.ts';
import type { EnrollRequest, EnrollResponse, HostMeta, HostRecord } from '../evidence/types.gen.ts';
import { actors, auditInput, type Actor } from './audit.ts';
import type { Clock } from './clock.ts';
import { colError, type ColCode } from './errors.ts';
import type { EvidenceSink } from './evidence-sink.ts';
import type { CollectorMetrics } from './metrics.ts';
import { newIds, type RandomBytes } from './secrets.ts';
import type { CollectorState } from './state/state.ts';
import { enrolmentRefusal } from './token-spec.ts';

export interface EnrolmentDeps {
  readonly state: CollectorState;
  readonly sink: EvidenceSink;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly metrics: CollectorMetrics;
  readonly checkinIntervalS: number;
  /** Audits a refusal (within the collector's refusal budget). */
  readonly recordRefusal: RecordAudit;
  readonly log?: { warn: (obj: object, msg: string) => void };
}

const REFUSAL_MESSAGES: Partial<Record<ColCode, string>> = {
  COL_TOKEN_INVALID: 'enrolment token not recognised',
  COL_TOKEN_REVOKED: 'enrolment token has been revoked',
  COL_TOKEN_EXPIRED: 'enrolment token has expired',
  COL_SOURCE_NOT_ALLOWED: 'enrolment from this address is not allowed by the token',
  COL_ENROL_CAP_REACHED: "enrolment token's daily cap is reached",
};

export function initialMeta(): HostMeta {
  return { owner: null, in_scope: true };
}

export async function enrol(d: EnrolmentDeps, body: unknown, source: string | null): Promise<EnrollResponse> {
  const now = d.clock();
  const refuse = async (code: ColCode, actor: Actor, message: string, details?: AuditInput['details']): Promise<never> => {
    d.metrics.enrolments.inc({ outcome: 'refused', code });
    const entry = auditInput({ actor, action: 'enrol.refused', outcome: 'refused', source, code, time: now, ...(details ? { details } : {}) });
    // A failed audit write must not turn the refusal into a different error.
    await d.recordRefusal(entry, 'enrolment refused').catch((err: unknown) => d.log?.warn({ err }, 'audit of an enrolment refusal failed'));
    throw colError(code, message);
  };

  const problem = check('enrollRequest', body);
  if (problem !== null) {
    const tokenOk = typeof (body as { token?: unknown } | null)?.token === 'string';
    const token = tokenOk ? d.state.tokens.findBySecret((body as { token: string }).token) : null;
    return refuse('COL_REQUEST_INVALID', token ? actors.enrolToken(token.id) : actors.anonymous(), `enrolment request refused: ${problem}`.slice(0, 500), {
      problem: problem.slice(0, 500),
    });
  }
  const req = body as EnrollRequest;
  const token = d.state.tokens.findBySecret(req.token);
  if (!token) return refuse('COL_TOKEN_INVALID', actors.anonymous(), REFUSAL_MESSAGES.COL_TOKEN_INVALID!);
  const actor = actors.enrolToken(token.id);
  const why = enrolmentRefusal(token, source, now);
  if (why) return refuse(why, actor, REFUSAL_MESSAGES[why]!, { token_id: token.id });
  const day = d.state.tokens.reserveUse(token.id, token.max_per_day);
  if (day === null) return refuse('COL_ENROL_CAP_REACHED', actor, REFUSAL_MESSAGES.COL_ENROL_CAP_REACHED!, { token_id: token.id, max_per_day: token.max_per_day });

  const hostId = newIds.host(d.random);
  const host: HostRecord = assertValid<HostRecord>('host', {
    schema: 'patchproof.host/v1',
    host_id: hostId,
    hostname: req.hostname,
    ...(req.machine_id === undefined ? {} : { machine_id: req.machine_id }),
    os: req.os,
    ...(req.arch === undefined ? {} : { arch: req.arch }),
    enrolled_at: now.toISOString(),
    enrolled_via: token.id,
    group: token.group,
    collector_id: d.sink.collectorId,
  });
  const { secret } = d.state.devices.insert({ host_id: hostId, hostname: req.hostname, group: token.group, enrolled_via: token.id, source });
  try {
    await d.sink.write(
      [
        { path: repoPaths.hostYaml(hostId), content: stringify(host) },
        { path: repoPaths.metaYaml(hostId), content: stringify(assertValid<HostMeta>('meta', initialMeta())) },
      ],
      `enrol ${hostId}`,
      [
        auditInput({
          actor,
          action: 'enrol.accepted',
          source,
          target: { type: 'host', id: hostId },
          time: now,
          details: { token_id: token.id, group: token.group, hostname: req.hostname },
        }),
      ],
    );
  } catch (cause) {
    d.log?.warn({ err: cause, host_id: hostId }, 'enrolment commit failed');
    d.state.devices.remove(hostId);
    d.state.tokens.releaseUse(token.id, day);
    d.metrics.enrolments.inc({ outcome: 'failed', code: 'COL_COMMIT_FAILED' });
    throw colError('COL_COMMIT_FAILED', 'enrolment could not be committed; try again', { cause });
  }
  d.metrics.enrolments.inc({ outcome: 'accepted', code: '' });
  return { host_id: hostId, device_token: secret, collector_id: d.sink.collectorId, interval_s: d.checkinIntervalS };
}
