// Policy versions over parts of the period: each day's coverage is judged with the evidence cadence
// in force that day, and a silence is stale while it is longer than the threshold in force at the
// time — so a revision in mid-period changes only the part of the period after its effective date.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import { parsePolicyFiles } from '../../compliance/policy-load.ts';
import { slaPolicyText } from './policy-fixtures.ts';
import { buildHost, snapshotOf } from './scenario.ts';

const S1 = 'h_00000000000000c1';
const S3 = 'h_00000000000000c3';
const PERIOD = { start: '2025-01-01', end: '2025-03-31' };

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

// v1.0: stale after 72h, daily evidence; v2.0 from 2025-02-15: stale after 10 days, evidence every 72h.
const POLICIES = parsePolicyFiles({
  'patch-management@1.0.mdx': slaPolicyText({ version: '1.0', effective: '2024-01-01', staleAfter: '72h', cadence: '24h' }),
  'patch-management.mdx': slaPolicyText({ version: '2.0', effective: '2025-02-15', supersedes: '1.0', staleAfter: '10d', cadence: '72h' }),
});
const HOSTS = [
  // Silent Jan 11–15 (under v1), Feb 9–15 (across the revision) and Mar 2–6 (under v2).
  buildHost({ id: S1, hostname: 's1', start: '2024-12-20', end: '2025-03-31', packages: [], skipDates: [...days('2025-01-11', '2025-01-15'), ...days('2025-02-09', '2025-02-15'), ...days('2025-03-02', '2025-03-06')] }),
  // Stops reporting after 2025-02-10.
  buildHost({ id: S3, hostname: 's3', start: '2024-12-20', end: '2025-02-10', packages: [] }),
];
const model = evaluate({ evidence: snapshotOf(HOSTS), policies: POLICIES, advisories: null, period: PERIOD, organisation: 'Example Ltd' });
/** [since, until, detail] of one host's findings of a kind, in stretch order (two stretches of one silence share `since`). */
const rows = (host: string, kind: string) => model.host_findings
  .filter((f) => f.host_id === host && f.kind === kind)
  .map((f) => [f.since, f.until, f.detail])
  .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || (a[1] === null ? 1 : b[1] === null ? -1 : String(a[1]).localeCompare(String(b[1]))));

describe('stale threshold and evidence cadence per policy version', () => {
  it('judges each day with the cadence in force that day', () => {
    expect(rows(S1, 'coverage-gap')).toEqual([
      ['2025-01-11T00:00:00Z', undefined, 'No evidence within the 24h cadence for 5 days (2025-01-11..2025-01-15).'],
      ['2025-02-09T00:00:00Z', undefined, 'No evidence within the 24h, then 72h cadence for 7 days (2025-02-09..2025-02-15).'],
      // Under v2's 72h cadence, the report of Mar 1 still covers Mar 2 and Mar 3.
      ['2025-03-04T00:00:00Z', undefined, 'No evidence within the 72h cadence for 3 days (2025-03-04..2025-03-06).'],
    ]);
    const h = new Map(model.hosts.map((x) => [x.host_id, x]));
    expect(h.get(S1)!.coverage_pct).toBe(83.3); // 75 of 90 days
    expect(h.get(S3)!.coverage_pct).toBe(45.6); // Jan 1 – Feb 10: 41 of 90 days
    expect(model.coverage.map((c) => [c.month, c.host_days_expected, c.host_days_reported])).toEqual([['2025-01', 62, 57], ['2025-02', 56, 31], ['2025-03', 62, 28]]);
  });

  it('finds the silences that passed the threshold in force at the time, with exact stretches', () => {
    expect(rows(S1, 'stale-host')).toEqual([
      ['2025-01-10T06:00:00Z', '2025-01-16T06:00:00Z', 'No report for 6 days until 2025-01-16T06:00:00Z (last report 2025-01-10T06:00:00Z; stale from 2025-01-13T06:00:00Z until 2025-01-16T06:00:00Z; threshold 72h (patch-management v1.0)).'],
      // Stale under v1 from Feb 11; v2's 10-day threshold ends it on Feb 15, before the next report of Feb 16.
      ['2025-02-08T06:00:00Z', '2025-02-15T00:00:00Z', 'No report for 8 days until 2025-02-16T06:00:00Z (last report 2025-02-08T06:00:00Z; stale from 2025-02-11T06:00:00Z until 2025-02-15T00:00:00Z; threshold 72h (patch-management v1.0)).'],
      // Mar 1 → Mar 7 is 6 days: not stale under v2.
    ]);
    expect(rows(S3, 'stale-host')).toEqual([
      ['2025-02-10T06:00:00Z', '2025-02-15T00:00:00Z', 'No report for 49.8 days at period end (last report 2025-02-10T06:00:00Z; stale from 2025-02-13T06:00:00Z until 2025-02-15T00:00:00Z; threshold 72h (patch-management v1.0)).'],
      ['2025-02-10T06:00:00Z', null, 'No report for 49.8 days at period end (last report 2025-02-10T06:00:00Z; stale from 2025-02-20T06:00:00Z; threshold 240h (patch-management v2.0)).'],
    ]);
    expect(model.hosts.map((x) => [x.host_id, x.status])).toEqual([[S1, 'ok'], [S3, 'stale']]);
  });

  it('tells the stale-hosts evaluator which hosts are stale at period end and which silences ended', () => {
    const ev = model.controls.find((c) => c.id === 'CC6.1')!.evaluators.find((e) => e.id === 'stale-hosts')!;
    expect(ev).toEqual({ id: 'stale-hosts', status: 'deficient', summary: '1 of 2 in-scope hosts had stopped reporting at period end; 3 earlier silences passed the stale threshold then in force; 0 decommissioned hosts still reported.' });
  });

  it('differs from judging the whole period by the version in force at its end', () => {
    const endOnly = parsePolicyFiles({ 'patch-management.mdx': slaPolicyText({ version: '2.0', effective: '2024-01-01', staleAfter: '10d', cadence: '72h' }) });
    const m = evaluate({ evidence: snapshotOf(HOSTS), policies: endOnly, advisories: null, period: PERIOD, organisation: 'Example Ltd' });
    expect(m.host_findings.filter((f) => f.host_id === S1).map((f) => [f.kind, f.since])).toEqual([
      ['coverage-gap', '2025-01-13T00:00:00Z'], ['coverage-gap', '2025-02-11T00:00:00Z'], ['coverage-gap', '2025-03-04T00:00:00Z'],
    ]);
    expect(m.hosts.find((x) => x.host_id === S1)!.coverage_pct).toBe(87.8); // 79 of 90 days
  });
});
