// Risk acceptances: which findings an exception names, whether it can excuse them at a given
// time, and its status as of period end. Only an approved, unexpired exception whose approver is
// not its requester excuses anything; the others are listed so the auditor sees them too.
import type { SnapshotException } from './evidence-snapshot.ts';
import type { ExceptionStatus } from './model-types.ts';
import { DAY_MS, dateMs } from './sla-time.ts';

export interface ExceptionRule {
  readonly id: string;
  readonly file: string;
  readonly commit: string | null;
  readonly status: ExceptionStatus;
  /** Can excuse at all: approved and not self-approved. */
  readonly valid: boolean;
  /** Excuses from the start of its approval day... */
  readonly fromMs: number;
  /** ...until the end of its expiry day (exclusive instant). */
  readonly untilMs: number;
  readonly advisories: ReadonlySet<string>;
  readonly packages: ReadonlySet<string>;
  readonly anyHost: boolean;
  readonly hosts: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** What an exception can be matched against. */
export interface ExceptionTarget {
  readonly host_id: string;
  readonly group: string;
  readonly advisory_id: string;
  readonly aliases: readonly string[];
  readonly packages: readonly string[];
  readonly source: string;
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}

export function exceptionStatus(e: SnapshotException['record'], asOfMs: number): ExceptionStatus {
  if (!e.approver || !e.approved_at || dateMs(e.approved_at) >= asOfMs) return 'unapproved';
  if (norm(e.approver) === norm(e.requested_by)) return 'self-approved';
  return dateMs(e.expires) + DAY_MS <= asOfMs ? 'expired' : 'active';
}

export function buildExceptionRules(exceptions: readonly SnapshotException[], asOfMs: number): ExceptionRule[] {
  return [...exceptions]
    .sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0))
    .map((x) => {
      const e = x.record;
      const status = exceptionStatus(e, asOfMs);
      const hosts = e.hosts as readonly string[];
      return {
        id: e.id,
        file: x.path,
        commit: x.commit,
        status,
        valid: status === 'active' || status === 'expired',
        fromMs: e.approved_at ? dateMs(e.approved_at) : Number.POSITIVE_INFINITY,
        untilMs: dateMs(e.expires) + DAY_MS,
        advisories: new Set((e.advisories ?? []).map(norm)),
        packages: new Set((e.packages ?? []).map(norm)),
        anyHost: hosts.includes('*'),
        hosts: new Set(hosts.filter((h) => h.startsWith('h_'))),
        groups: new Set(hosts.filter((h) => h.startsWith('group:')).map((h) => h.slice('group:'.length))),
      };
    });
}

interface NormTarget {
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

function normTarget(t: ExceptionTarget): NormTarget {
  return { ids: [t.advisory_id, ...t.aliases].map(norm), names: [t.source, ...t.packages].map(norm) };
}

function names(rule: ExceptionRule, t: ExceptionTarget, n: NormTarget): boolean {
  if (!rule.anyHost && !rule.hosts.has(t.host_id) && !rule.groups.has(t.group)) return false;
  if (rule.advisories.size > 0 && !n.ids.some((id) => rule.advisories.has(id))) return false;
  if (rule.packages.size > 0 && !n.names.some((x) => rule.packages.has(x))) return false;
  return true;
}

/** Does the exception name this finding? Advisories and packages, when both given, must both match. */
export function exceptionNames(rule: ExceptionRule, t: ExceptionTarget): boolean {
  return names(rule, t, normTarget(t));
}

/** The exceptions that name a finding, valid or not, in id order. */
export function matchingExceptions(rules: readonly ExceptionRule[], t: ExceptionTarget): ExceptionRule[] {
  if (rules.length === 0) return [];
  const n = normTarget(t);
  return rules.filter((r) => names(r, t, n));
}

/** The first valid exception in force at `ms`, if any. */
export function excusingAt(rules: readonly ExceptionRule[], ms: number): ExceptionRule | undefined {
  return rules.find((r) => r.valid && r.fromMs <= ms && ms < r.untilMs);
}

/**
 * The first valid exception that had expired by `ms` after it once excused the exposure that began at
 * `exposedMs`: in force at some instant from the exposure on. One that lapsed before the exposure
 * never covered it, so the finding is judged as if it did not exist (it is still listed as matched).
 */
export function expiredBy(rules: readonly ExceptionRule[], ms: number, exposedMs: number): ExceptionRule | undefined {
  return rules.find((r) => r.valid && r.untilMs <= ms && r.fromMs < r.untilMs && r.untilMs > exposedMs);
}
