// Who changed an exception file: the git history names the commit author (the collector's own
// identity for every change made through it), the audit entry written in the same commit names
// the person or API key that asked for the change. The model lists both without a link, so they
// are paired here: an exception's audit entry belongs to the first commit of its file at or after
// the entry's time (commit times have whole seconds, audit times milliseconds).
import type { AuditRow, ExceptionInfo } from './model-types.ts';

export interface ExceptionChange {
  commit: string;
  time: string;
  /** The git commit author. */
  author: string;
  message: string;
  /** The audit entries committed with this change (normally one). */
  audit: AuditRow[];
  /** Why `audit` is empty: the commit predates the period's audit log, or no entry names it. */
  noAudit: 'before-period' | 'not-audited' | null;
}

const SECOND_MS = 1000;

/** True for the audit entries that accompany a change of exception `id`. */
export function isExceptionChange(row: AuditRow, id: string): boolean {
  return row.target === `exception:${id}` && row.outcome === 'success' && row.action.startsWith('exception.');
}

/**
 * The exception's history, oldest first, each commit with its audit entries. `audit` may hold
 * any entries (those of other targets are skipped); `periodStart` (YYYY-MM-DD) is where the
 * model's audit log begins.
 */
export function exceptionChanges(e: Pick<ExceptionInfo, 'id' | 'history'>, audit: readonly AuditRow[], periodStart: string): ExceptionChange[] {
  const commits = e.history.map((h) => ({ ...h, ms: Date.parse(h.time) }));
  const order = commits.map((_, i) => i).sort((a, b) => commits[a]!.ms - commits[b]!.ms || a - b);
  const entries = new Map<number, AuditRow[]>();
  for (const row of audit) {
    if (!isExceptionChange(row, e.id)) continue;
    const t = Date.parse(row.time);
    const at = order.find((i) => t < commits[i]!.ms + SECOND_MS);
    if (at === undefined) continue;
    entries.set(at, [...(entries.get(at) ?? []), row]);
  }
  const startMs = Date.parse(`${periodStart}T00:00:00Z`);
  return commits.map(({ ms, ...h }, i) => {
    const rows = (entries.get(i) ?? []).sort((a, b) => a.seq - b.seq);
    return { ...h, audit: rows, noAudit: rows.length > 0 ? null : ms < startMs ? 'before-period' : 'not-audited' };
  });
}
