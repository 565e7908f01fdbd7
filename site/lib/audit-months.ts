// The audit log split by month, for the audit index and its month pages.
import type { AuditRow } from './model-types.ts';

export interface AuditMonth {
  month: string;
  rows: AuditRow[];
  refused: number;
}

/** Above this many entries the audit index links to month pages instead of listing every entry. */
export const AUDIT_INDEX_LIMIT = 3000;

export function auditMonths(rows: readonly AuditRow[]): AuditMonth[] {
  const byMonth = new Map<string, AuditRow[]>();
  for (const r of rows) {
    const m = r.time.slice(0, 7);
    const list = byMonth.get(m);
    if (list) list.push(r);
    else byMonth.set(m, [r]);
  }
  return [...byMonth.keys()].sort().map((month) => {
    const list = byMonth.get(month) as AuditRow[];
    return { month, rows: list, refused: list.filter((r) => r.outcome === 'refused').length };
  });
}
