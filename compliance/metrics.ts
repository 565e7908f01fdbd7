// Period metrics over the findings: SLA adherence, time to remediate, open age — per severity
// class and overall — plus the monthly, histogram and age series the site charts.
import type { JudgedFinding } from './findings.ts';
import type { FindingStatus, MetricRow, ModelMetrics } from './model-types.ts';
import { SEVERITY_CLASS_IDS, type SeverityClassId } from './policy.ts';
import { judgeAt, ttrHours } from './sla-clock.ts';
import { nextMonthMs, round1, dateMs, type PeriodBounds } from './sla-time.ts';

const TTR_BUCKETS: ReadonlyArray<[string, number]> = [['<=1d', 24], ['1-3d', 72], ['3-7d', 168], ['7-14d', 336], ['14-30d', 720], ['30-90d', 2160], ['>90d', Infinity]];
const AGE_BUCKETS: ReadonlyArray<[string, number]> = [['0-7d', 7], ['7-30d', 30], ['30-90d', 90], ['90-180d', 180], ['>180d', Infinity]];

function pct(part: number, whole: number): number | null {
  return whole === 0 ? null : round1((100 * part) / whole);
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function isClocked(status: FindingStatus, due: string | number | null): boolean {
  return due !== null && status !== 'excepted' && status !== 'unfixed-upstream';
}

function isInSla(status: FindingStatus): boolean {
  return status === 'fixed-in-sla' || status === 'open-within-sla';
}

export function metricRow(cls: SeverityClassId | 'all', findings: readonly JudgedFinding[]): MetricRow {
  const count = (s: FindingStatus): number => findings.filter((f) => f.row.status === s).length;
  const clocked = findings.filter((f) => isClocked(f.row.status, f.row.due_at));
  const ttrs = findings.map((f) => ttrHours(f.clock, f.facts)).filter((h): h is number => h !== null).sort((a, b) => a - b);
  const open = findings.filter((f) => f.row.remediated_at === null).map((f) => f.row.age_days);
  const p90 = percentile(ttrs, 90);
  return {
    class: cls,
    total: findings.length,
    with_clock: clocked.length,
    fixed_in_sla: count('fixed-in-sla'),
    fixed_late: count('fixed-late'),
    open_within_sla: count('open-within-sla'),
    open_overdue: count('open-overdue'),
    excepted: count('excepted'),
    exception_expired: count('exception-expired'),
    unfixed_upstream: count('unfixed-upstream'),
    adherence_pct: pct(clocked.filter((f) => isInSla(f.row.status)).length, clocked.length),
    mttr_hours_mean: ttrs.length === 0 ? null : round1(ttrs.reduce((a, b) => a + b, 0) / ttrs.length),
    mttr_hours_p90: p90 === null ? null : round1(p90),
    oldest_open_days: open.length === 0 ? null : open.reduce((a, b) => (b > a ? b : a), 0),
  };
}

function buckets(values: readonly number[], edges: ReadonlyArray<[string, number]>): { bucket: string; count: number }[] {
  const out = edges.map(([bucket]) => ({ bucket, count: 0 }));
  for (const v of values) {
    const i = edges.findIndex(([, max]) => v <= max);
    (out[i < 0 ? out.length - 1 : i] as { count: number }).count++;
  }
  return out;
}

/** Adherence as each month of the period closed: every finding judged again at the month's end. */
function adherenceOverTime(findings: readonly JudgedFinding[], months: readonly string[], bounds: PeriodBounds): ModelMetrics['adherence_over_time'] {
  return months.map((month) => {
    const end = Math.min(nextMonthMs(dateMs(`${month}-01`)), bounds.asOfMs);
    let withClock = 0;
    let inSla = 0;
    for (const f of findings) {
      if (f.facts.exposedMs >= end || f.facts.publishedMs >= end) continue;
      const { status } = judgeAt(f.clock, f.facts, f.rules, end);
      if (!isClocked(status, f.clock.clockMs !== null && f.clock.clockMs < end ? f.clock.dueMs : null)) continue;
      withClock++;
      if (isInSla(status)) inSla++;
    }
    return { month, with_clock: withClock, in_sla: inSla, adherence_pct: pct(inSla, withClock) };
  });
}

export function computeMetrics(findings: readonly JudgedFinding[], months: readonly string[], bounds: PeriodBounds): ModelMetrics {
  const ttrs = findings.map((f) => ttrHours(f.clock, f.facts)).filter((h): h is number => h !== null);
  return {
    by_severity: SEVERITY_CLASS_IDS.map((cls) => metricRow(cls, findings.filter((f) => f.row.severity.class === cls))),
    overall: metricRow('all', findings),
    adherence_over_time: adherenceOverTime(findings, months, bounds),
    ttr_histogram: buckets(ttrs, TTR_BUCKETS),
    open_by_age: buckets(findings.filter((f) => f.row.remediated_at === null).map((f) => f.row.age_days), AGE_BUCKETS),
  };
}
