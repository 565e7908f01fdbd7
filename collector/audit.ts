// Who did what, from where: builds audit inputs for the evidence audit log. Actor ids are ours
// (key ids, token ids, host ids, a CLI user name) — never a secret, never agent-chosen text.
import { userInfo } from 'node:os';
import type { AuditInput } from '../evidence/audit-log.ts';
import type { ApiKey } from './state/api-keys.ts';

export type Actor = AuditInput['actor'];

const ACTOR_ID_RE = /[^A-Za-z0-9@._:-]/g;

export const actors = {
  apiKey: (key: Pick<ApiKey, 'id' | 'role'>): Actor => ({ type: 'api-key', id: key.id, role: key.role }),
  enrolToken: (tokenId: string): Actor => ({ type: 'enrolment-token', id: tokenId }),
  device: (hostId: string): Actor => ({ type: 'device', id: hostId }),
  anonymous: (): Actor => ({ type: 'anonymous', id: 'anonymous' }),
  system: (): Actor => ({ type: 'system', id: 'collector' }),
  /**
   * The local user running a CLI command, sanitised to the audit id alphabet. The id is the bare
   * user name: the type already says `cli`, and readers render `type:id`.
   */
  cli: (name?: string): Actor => {
    let user = name;
    if (user === undefined) {
      try {
        user = userInfo().username;
      } catch {
        user = 'unknown';
      }
    }
    const id = user.replace(ACTOR_ID_RE, '_').slice(0, 128);
    return { type: 'cli', id: id === '' ? 'unknown' : id };
  },
};

/** An actor as one string, `type:id` (e.g. `cli:alice`, `api-key:key_…`), for state records such as created_by. */
export function actorRef(actor: Actor): string {
  return `${actor.type}:${actor.id}`;
}

export interface AuditEvent {
  actor: Actor;
  action: string;
  outcome?: 'success' | 'refused';
  source?: string | null;
  target?: AuditInput['target'];
  code?: string;
  details?: AuditInput['details'];
  time: Date;
}

/** An AuditInput with empty optional parts left out (the schema forbids nulls there). */
export function auditInput(e: AuditEvent): AuditInput {
  return {
    actor: e.actor,
    action: e.action,
    outcome: e.outcome ?? 'success',
    time: e.time,
    ...(e.source ? { source: e.source } : {}),
    ...(e.target ? { target: e.target } : {}),
    ...(e.code ? { code: e.code } : {}),
    ...(e.details ? { details: e.details } : {}),
  };
}
