// Parses and checks an enrolment token's scope (shared by `patchproof token create` and the
// admin API), and decides whether a presented token may enrol from a given address now.
import { addressAllowed, parseCidr } from './auth/cidr.ts';
import { colError, type ColCode } from './errors.ts';
import type { EnrolToken, NewEnrolToken } from './state/enrol-tokens.ts';

export const GROUP_RE = /^[A-Za-z0-9._-]{1,64}$/;
export const DEFAULT_GROUP = 'default';

export interface TokenSpecInput {
  cidrs?: unknown;
  max_per_day?: unknown;
  expires?: unknown;
  group?: unknown;
}

const DURATION_RE = /^(\d{1,6})([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "7d", "12h", "30m", "2w" relative to now, or an ISO 8601 time; must lie in the future. */
export function parseExpiry(text: string, now: Date): string {
  const m = DURATION_RE.exec(text);
  let at: Date;
  if (m) at = new Date(now.getTime() + Number(m[1]) * UNIT_MS[m[2] as string]!);
  else if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) at = new Date(text);
  else throw colError('COL_SCOPE_INVALID', `expiry ${JSON.stringify(text.slice(0, 40))} is neither an ISO time nor a duration like 7d`);
  if (Number.isNaN(at.getTime())) throw colError('COL_SCOPE_INVALID', `expiry ${JSON.stringify(text.slice(0, 40))} is not a valid time`);
  if (at.getTime() <= now.getTime()) throw colError('COL_SCOPE_INVALID', 'expiry lies in the past');
  return at.toISOString();
}

export function parseTokenSpec(input: TokenSpecInput, now: Date, createdBy: string): NewEnrolToken {
  const cidrs = input.cidrs ?? [];
  if (!Array.isArray(cidrs) || cidrs.length > 32 || !cidrs.every((c) => typeof c === 'string')) {
    throw colError('COL_SCOPE_INVALID', 'cidrs must be a list of at most 32 CIDR strings');
  }
  const max = input.max_per_day ?? null;
  if (max !== null && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1 || max > 1_000_000)) {
    throw colError('COL_SCOPE_INVALID', 'max_per_day must be an integer from 1 to 1000000');
  }
  const expires = input.expires ?? null;
  if (expires !== null && typeof expires !== 'string') throw colError('COL_SCOPE_INVALID', 'expires must be a string');
  const group = input.group ?? DEFAULT_GROUP;
  if (typeof group !== 'string' || !GROUP_RE.test(group)) throw colError('COL_SCOPE_INVALID', 'group must match [A-Za-z0-9._-]{1,64}');
  return {
    cidrs: [...new Set((cidrs as string[]).map(parseCidr))],
    max_per_day: max as number | null,
    expires_at: expires === null ? null : parseExpiry(expires, now),
    group,
    created_by: createdBy,
  };
}

/** Why `token` may not enrol from `source` at `now` (the daily cap is checked atomically later). */
export function enrolmentRefusal(token: EnrolToken, source: string | null, now: Date): ColCode | null {
  if (token.revoked_at !== null) return 'COL_TOKEN_REVOKED';
  if (token.expires_at !== null && now.getTime() >= new Date(token.expires_at).getTime()) return 'COL_TOKEN_EXPIRED';
  if (!addressAllowed(source, token.cidrs)) return 'COL_SOURCE_NOT_ALLOWED';
  return null;
}
