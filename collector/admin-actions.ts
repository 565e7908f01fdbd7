// State-changing admin actions shared by the admin API and the CLI: each changes the state
// database and records one audit event. How the event reaches the audit log is the caller's
// (the API commits it through the evidence sink; the CLI may queue it in the outbox).
import type { AuditInput } from '../evidence/audit-log.ts';
import { actorRef, auditInput, type Actor } from './audit.ts';
import { colError } from './errors.ts';
import { isRole, type ApiKey } from './state/api-keys.ts';
import type { EnrolToken } from './state/enrol-tokens.ts';
import type { CollectorState } from './state/state.ts';
import { ID_RE } from './secrets.ts';
import { parseTokenSpec, type TokenSpecInput } from './token-spec.ts';

export type RecordAudit = (input: AuditInput, label: string) => Promise<void>;

export interface ActionContext {
  readonly state: CollectorState;
  readonly actor: Actor;
  readonly source: string | null;
  readonly now: Date;
  readonly record: RecordAudit;
}

const NAME_RE = /^[A-Za-z0-9 ._@:-]{1,64}$/;

function event(ctx: ActionContext, action: string, target: AuditInput['target'], details?: AuditInput['details']): AuditInput {
  return auditInput({ actor: ctx.actor, action, source: ctx.source, target, time: ctx.now, ...(details ? { details } : {}) });
}

export async function createEnrolToken(ctx: ActionContext, input: TokenSpecInput): Promise<{ token: EnrolToken; secret: string }> {
  const spec = parseTokenSpec(input, ctx.now, actorRef(ctx.actor));
  const created = ctx.state.tokens.create(spec);
  const t = created.token;
  await ctx.record(
    event(ctx, 'token.created', { type: 'enrolment-token', id: t.id }, { cidrs: t.cidrs, max_per_day: t.max_per_day, expires_at: t.expires_at, group: t.group }),
    `token ${t.id} created`,
  );
  return created;
}

export async function revokeEnrolToken(ctx: ActionContext, id: string): Promise<EnrolToken> {
  if (!ID_RE.enrolToken.test(id)) throw colError('COL_NOT_FOUND', 'no such enrolment token');
  const before = ctx.state.tokens.get(id);
  if (!before) throw colError('COL_NOT_FOUND', `no enrolment token ${id}`);
  const after = ctx.state.tokens.revoke(id)!;
  if (before.revoked_at === null) await ctx.record(event(ctx, 'token.revoked', { type: 'enrolment-token', id }), `token ${id} revoked`);
  return after;
}

export async function createApiKey(ctx: ActionContext, input: { role?: unknown; name?: unknown }): Promise<{ key: ApiKey; secret: string }> {
  if (!isRole(input.role)) throw colError('COL_ROLE_INVALID', `unknown role ${JSON.stringify(String(input.role)).slice(0, 40)}`);
  if (typeof input.name !== 'string' || !NAME_RE.test(input.name)) throw colError('COL_REQUEST_INVALID', 'name must be 1-64 characters of letters, digits, space and ._@:-');
  const created = ctx.state.apiKeys.create({ name: input.name, role: input.role, created_by: actorRef(ctx.actor) });
  await ctx.record(event(ctx, 'apikey.created', { type: 'api-key', id: created.key.id }, { role: created.key.role, name: created.key.name }), `api key ${created.key.id} created`);
  return created;
}

export async function revokeApiKey(ctx: ActionContext, id: string): Promise<ApiKey> {
  if (!ID_RE.apiKey.test(id)) throw colError('COL_NOT_FOUND', 'no such API key');
  const before = ctx.state.apiKeys.get(id);
  if (!before) throw colError('COL_NOT_FOUND', `no API key ${id}`);
  const after = ctx.state.apiKeys.revoke(id)!;
  if (before.revoked_at === null) await ctx.record(event(ctx, 'apikey.revoked', { type: 'api-key', id }), `api key ${id} revoked`);
  return after;
}
