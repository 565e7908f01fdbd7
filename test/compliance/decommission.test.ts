// Decommissioned hosts: the decommissioning ends open exposures (judged at that instant), reports
// after it start no new findings and are a decommissioned-reporting host finding, and the host
// stops counting towards coverage from its decommissioning day.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel, ModelFinding } from '../../compliance/model-types.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, DEFAULT_META, debianAdvisory, pkg, snapshotOf, type HostSpec } from './scenario.ts';

const PERIOD = { start: '2025-01-01', end: '2025-03-31' } as const;
const ADVISORIES = [
  debianAdvisory({ id: 'DSA-1001-1', source: 'openssl', fixed: '3.0.15-1', published: '2025-01-10T12:00:00Z', summary: 'Important: openssl security update' }),
  debianAdvisory({ id: 'DSA-1005-1', source: 'sudo', fixed: '1.9.13-3', published: '2025-01-03T00:00:00Z', summary: 'Important: sudo security update' }),
  debianAdvisory({ id: 'DSA-1004-1', source: 'curl', fixed: '7.88.1-11', published: '2025-02-20T00:00:00Z', summary: 'Important: curl security update' }),
];
const BASE = [pkg('bash', '5.2.15-2')];
const H = { inSla: 'h_00000000000000d1', late: 'h_00000000000000d2', after: 'h_00000000000000d3', future: 'h_00000000000000d4', fixedFirst: 'h_00000000000000d5' } as const;

const spec = (id: string, decommissioned_at: string, extra: Partial<HostSpec>): HostSpec => ({
  id, hostname: id.slice(-2), start: '2024-12-01', end: '2025-03-31', packages: BASE, meta: { ...DEFAULT_META, decommissioned_at }, ...extra,
});

const SPECS: HostSpec[] = [
  // Decommissioned (end of 2025-01-20) within the 14-day SLA, and still reporting afterwards.
  spec(H.inSla, '2025-01-20', { packages: [...BASE, pkg('openssl', '3.0.14-1')] }),
  // Decommissioned (end of 2025-02-10) after the due date 2025-01-17; stops reporting that day.
  spec(H.late, '2025-02-10', { end: '2025-02-10', packages: [...BASE, pkg('sudo', '1.9.13-2')] }),
  // Installs a vulnerable curl after its decommissioning (it kept reporting): no finding.
  spec(H.after, '2025-02-01', { events: [{ date: '2025-02-15', set: [pkg('curl', '7.88.1-10')] }] }),
  // decommissioned_at after as_of: not decommissioned yet, judged as usual.
  spec(H.future, '2025-06-30', { packages: [...BASE, pkg('sudo', '1.9.13-2')] }),
  // Fixed by a report before its decommissioning: the report, not the decommissioning, closes it.
  spec(H.fixedFirst, '2025-01-31', { end: '2025-01-31', packages: [...BASE, pkg('openssl', '3.0.14-1')], events: [{ date: '2025-01-15', set: [pkg('openssl', '3.0.15-1')] }] }),
];

let cached: ComplianceModel | undefined;
function model(): ComplianceModel {
  cached ??= evaluate({
    evidence: snapshotOf(SPECS.map(buildHost)), policies: singlePolicy(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES },
    period: PERIOD, organisation: 'Example Ltd',
  });
  return cached;
}

function findingsOf(hostId: string): ModelFinding[] {
  return model().findings.filter((f) => f.host_id === hostId);
}

describe('decommissioned hosts', () => {
  it('an exposure open at the decommissioning ends there, in SLA when that is before the due date', () => {
    const [f, ...rest] = findingsOf(H.inSla);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      advisory_id: 'DSA-1001-1', exposed_since: '2024-12-01T06:00:00Z', fix_published_at: '2025-01-10T12:00:00Z', detected_at: '2025-01-11T06:00:00Z',
      clock_started_at: '2025-01-10T12:00:00Z', due_at: '2025-01-24T12:00:00Z', remediated_at: '2025-01-21T00:00:00Z', status: 'fixed-in-sla', age_days: 10.5,
    });
    expect(f!.evidence.map((e) => [e.role, e.path])).toEqual([
      ['first-seen', `hosts/${H.inSla}/reports/2024/12/01/060000Z-000001.json`],
      ['detected', `hosts/${H.inSla}/reports/2025/01/11/060000Z-000042.json`],
      ['last-affected', `hosts/${H.inSla}/reports/2025/01/20/060000Z-000051.json`],
      ['decommissioned', `hosts/${H.inSla}/meta.yaml`],
    ]);
  });

  it('a decommissioning after the due date closes the finding as fixed-late: the SLA was missed while it ran', () => {
    expect(findingsOf(H.late).map((f) => [f.advisory_id, f.due_at, f.remediated_at, f.status, f.age_days])).toEqual([
      ['DSA-1005-1', '2025-01-17T00:00:00Z', '2025-02-11T00:00:00Z', 'fixed-late', 39],
    ]);
  });

  it('reports after the decommissioning start no findings, and are a decommissioned-reporting host finding', () => {
    expect(findingsOf(H.after)).toEqual([]);
    const hf = model().host_findings.filter((h) => h.host_id === H.after);
    expect(hf.map((h) => [h.kind, h.since])).toEqual([['decommissioned-reporting', '2025-02-02T06:00:00Z']]);
    expect(hf[0]!.detail).toBe('Decommissioned 2025-02-02T00:00:00Z but still reporting: 58 reports since.');
    expect(model().host_findings.filter((h) => h.host_id === H.inSla).map((h) => [h.kind, h.since])).toEqual([['decommissioned-reporting', '2025-01-21T06:00:00Z']]);
  });

  it('a decommissioning date after as_of does not apply yet', () => {
    expect(findingsOf(H.future).map((f) => [f.remediated_at, f.status])).toEqual([[null, 'open-overdue']]);
    expect(model().hosts.find((h) => h.host_id === H.future)).toMatchObject({ status: 'findings-overdue', open_findings: 1, overdue_findings: 1 });
  });

  it('a fix reported before the decommissioning is the remediation', () => {
    const [f] = findingsOf(H.fixedFirst);
    expect(f).toMatchObject({ remediated_at: '2025-01-15T06:00:00Z', status: 'fixed-in-sla' });
    expect(f!.evidence.map((e) => e.role)).toEqual(['first-seen', 'detected', 'last-affected', 'remediated']);
  });

  it('decommissioned hosts have no open or overdue findings and no stale or reboot findings', () => {
    const rows = model().hosts.filter((h) => h.host_id !== H.future);
    expect(rows.map((h) => [h.host_id, h.status, h.open_findings, h.overdue_findings])).toEqual([
      [H.inSla, 'decommissioned', 0, 0], [H.late, 'decommissioned', 0, 0], [H.after, 'decommissioned', 0, 0], [H.fixedFirst, 'decommissioned', 0, 0],
    ]);
    expect(model().host_findings.filter((h) => h.kind === 'stale-host')).toEqual([]);
  });

  it('coverage expects reports only on the days before the decommissioning day', () => {
    const byId = Object.fromEntries(model().hosts.map((h) => [h.host_id, h.coverage_pct]));
    expect(byId).toEqual({ [H.inSla]: 100, [H.late]: 100, [H.after]: 100, [H.future]: 100, [H.fixedFirst]: 100 });
    // January: inSla 19 days, late 31, after 31, future 31, fixedFirst 30; February: late 9, after 0 (decommissioned 02-01), future 28.
    expect(model().coverage.map((c) => [c.month, c.hosts_in_scope, c.host_days_expected, c.host_days_reported])).toEqual([
      ['2025-01', 5, 142, 142],
      ['2025-02', 2, 37, 37],
      ['2025-03', 1, 31, 31],
    ]);
  });

  it('monthly adherence sees the finding open before the decommissioning and closed after', () => {
    // As of 2025-02-01: inSla fixed in SLA; late open and overdue; future overdue; fixedFirst fixed in SLA.
    expect(model().metrics.adherence_over_time[0]).toEqual({ month: '2025-01', with_clock: 4, in_sla: 2, adherence_pct: 50 });
  });
});
