// Evidence coverage: every in-scope host is expected to report at the evidence cadence on each day
// it is enrolled and not decommissioned. A host-day is covered when a report was received within
// the cadence in force that day before the day's end (24h cadence: a report that day).
import type { ModelCoverageMonth } from './model-types.ts';
import { DAY_MS, monthKey, nextMonthMs, round1, type PeriodBounds } from './sla-time.ts';

export interface HostDays {
  readonly hostId: string;
  /** Midnight (ms) of each expected day, ascending. */
  readonly expected: readonly number[];
  /** Same length: whether that day is covered. */
  readonly covered: readonly boolean[];
  /** Months (YYYY-MM) with at least one report received in them (within the window). */
  readonly reportingMonths: ReadonlySet<string>;
}

/** The span a host is expected to report in, clipped to the period; null when empty. */
export function expectedWindow(bounds: PeriodBounds, enrolledMs: number, decommissionedMs: number | null): { fromMs: number; untilMs: number } | null {
  const fromMs = Math.max(bounds.startMs, Math.floor(enrolledMs / DAY_MS) * DAY_MS);
  const untilMs = Math.min(bounds.asOfMs, decommissionedMs === null ? Number.POSITIVE_INFINITY : Math.floor(decommissionedMs / DAY_MS) * DAY_MS);
  return untilMs > fromMs ? { fromMs, untilMs } : null;
}

/**
 * Per-day coverage of one host; `times` are its report received_at values (ms, ascending). `cadenceMs`
 * is the evidence cadence, or the cadence in force on a day (given its midnight) when it changes.
 */
export function hostDays(hostId: string, times: readonly number[], window: { fromMs: number; untilMs: number }, cadenceMs: number | ((dayMs: number) => number)): HostDays {
  const cadenceOn = typeof cadenceMs === 'number' ? () => cadenceMs : cadenceMs;
  const expected: number[] = [];
  const covered: boolean[] = [];
  const reportingMonths = new Set<string>();
  let i = 0;
  let month = '';
  let monthEnd = Number.NEGATIVE_INFINITY;
  for (let day = window.fromMs; day < window.untilMs; day += DAY_MS) {
    const end = day + DAY_MS;
    if (day >= monthEnd) [month, monthEnd] = [monthKey(day), nextMonthMs(day)];
    while (i < times.length && (times[i] as number) < end) {
      if ((times[i] as number) >= day) reportingMonths.add(month);
      i++;
    }
    const last = i > 0 ? (times[i - 1] as number) : Number.NEGATIVE_INFINITY;
    expected.push(day);
    covered.push(last >= end - cadenceOn(day));
  }
  return { hostId, expected, covered, reportingMonths };
}

export function coveragePct(days: HostDays): number | null {
  if (days.expected.length === 0) return null;
  return round1((100 * days.covered.filter(Boolean).length) / days.expected.length);
}

/** Runs of consecutive uncovered days: [firstDayMs, dayCount]. */
export function coverageGaps(days: HostDays): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  for (let k = 0; k < days.expected.length; k++) {
    if (days.covered[k]) continue;
    const last = gaps[gaps.length - 1];
    if (last && last[0] + last[1] * DAY_MS === days.expected[k]) last[1]++;
    else gaps.push([days.expected[k] as number, 1]);
  }
  return gaps;
}

/** Monthly coverage rows over all in-scope hosts, one per month of the period. */
export function coverageByMonth(months: readonly string[], hosts: readonly HostDays[]): ModelCoverageMonth[] {
  const rows = new Map(months.map((m) => [m, { month: m, hosts_in_scope: 0, hosts_reporting: 0, hosts_fully_covered: 0, host_days_expected: 0, host_days_reported: 0, coverage_pct: null as number | null }]));
  for (const h of hosts) {
    const perMonth = new Map<string, [number, number]>();
    let m = '';
    let mEnd = Number.NEGATIVE_INFINITY;
    h.expected.forEach((day, k) => {
      if (day >= mEnd) [m, mEnd] = [monthKey(day), nextMonthMs(day)];
      const acc = perMonth.get(m) ?? [0, 0];
      acc[0]++;
      if (h.covered[k]) acc[1]++;
      perMonth.set(m, acc);
    });
    for (const [m, [exp, rep]] of perMonth) {
      const row = rows.get(m);
      if (!row) continue;
      row.hosts_in_scope++;
      if (h.reportingMonths.has(m)) row.hosts_reporting++;
      if (rep === exp) row.hosts_fully_covered++;
      row.host_days_expected += exp;
      row.host_days_reported += rep;
    }
  }
  for (const row of rows.values()) row.coverage_pct = row.host_days_expected === 0 ? null : round1((100 * row.host_days_reported) / row.host_days_expected);
  return [...rows.values()];
}
