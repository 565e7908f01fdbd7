// The SLA engine on hand-built stories with exact expected statuses and dates.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel, ModelFinding } from '../../compliance/model-types.ts';
import { ADVISORIES, EXCEPTIONS, fleetSnapshot, H, PERIOD } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

let cached: ComplianceModel | undefined;
function model(): ComplianceModel {
  cached ??= evaluate({ evidence: fleetSnapshot(), policies: twoVersionPolicies(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
  return cached;
}

function only(hostId: string, advisory?: string): ModelFinding {
  const list = model().findings.filter((f) => f.host_id === hostId && (advisory === undefined || f.advisory_id === advisory));
  expect(list).toHaveLength(1);
  return list[0]!;
}

function pick(f: ModelFinding) {
  const { exposed_since, fix_published_at, detected_at, clock_started_at, due_at, remediated_at, status, exception_id, policy_version, age_days } = f;
  return { exposed_since, fix_published_at, detected_at, clock_started_at, due_at, remediated_at, status, exception_id, policy_version, age_days };
}

describe('SLA scenarios', () => {
  it('a late patch: high, clock from fix publication, fixed after the 14-day SLA', () => {
    const f = only(H.late);
    expect(f.advisory_id).toBe('DSA-1001-1');
    expect(f.packages).toEqual(['libssl3', 'openssl']);
    expect(f.source).toBe('openssl');
    expect(f.severity).toEqual({ class: 'high', label: 'important', source: 'vendor', score: null });
    expect(pick(f)).toEqual({
      exposed_since: '2024-12-01T06:00:00Z', fix_published_at: '2025-01-10T12:00:00Z', detected_at: '2025-01-11T06:00:00Z',
      clock_started_at: '2025-01-10T12:00:00Z', due_at: '2025-01-24T12:00:00Z', remediated_at: '2025-02-01T06:00:00Z',
      status: 'fixed-late', exception_id: null, policy_version: '1.0', age_days: 21.8,
    });
    expect(f.evidence.map((e) => e.role)).toEqual(['first-seen', 'detected', 'last-affected', 'remediated']);
    expect(f.evidence[3]!.path).toBe(`hosts/${H.late}/reports/2025/02/01/060000Z-000063.json`);
  });

  it('a patch in time', () => {
    expect(pick(only(H.intime))).toMatchObject({ remediated_at: '2025-01-15T06:00:00Z', due_at: '2025-01-24T12:00:00Z', status: 'fixed-in-sla', age_days: 4.8 });
  });

  it('a kernel installed on day 1 but booted two weeks later is remediated at the reboot', () => {
    const f = only(H.rebooted);
    expect(f.kernel).toBe(true);
    expect(f.package).toBe('linux-image-6.1.0-20-amd64');
    expect(f.severity).toMatchObject({ class: 'critical', source: 'cvss', score: 9.8 });
    expect(pick(f)).toMatchObject({
      fix_published_at: '2025-01-05T00:00:00Z', detected_at: '2025-01-05T06:00:00Z', due_at: '2025-01-08T00:00:00Z',
      remediated_at: '2025-01-20T06:00:00Z', status: 'fixed-late',
    });
  });

  it('a kernel installed but never rebooted stays open and is reboot debt', () => {
    expect(pick(only(H.noreboot))).toMatchObject({ remediated_at: null, status: 'open-overdue', age_days: 86 });
    const debt = model().host_findings.filter((h) => h.host_id === H.noreboot);
    expect(debt.map((d) => [d.kind, d.since])).toEqual([['reboot-debt', '2025-01-06T06:00:00Z']]);
    expect(model().hosts.find((h) => h.host_id === H.noreboot)).toMatchObject({ status: 'findings-overdue', open_findings: 1, overdue_findings: 1, kernel: { running: '6.1.0-20-amd64', installed_latest: '6.1.0-21-amd64' } });
  });

  it('without kernel_requires_reboot the kernel counts as fixed when installed', async () => {
    const { singlePolicy } = await import('./policy-fixtures.ts');
    const m = evaluate({ evidence: fleetSnapshot(), policies: singlePolicy({ kernelReboot: false }), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
    const f = m.findings.find((x) => x.host_id === H.noreboot)!;
    expect(pick(f)).toMatchObject({ remediated_at: '2025-01-06T06:00:00Z', status: 'fixed-in-sla' });
  });

  it('an exception that expires mid-period: exception-expired at period end, excepted while it ran', () => {
    expect(pick(only(H.expiring))).toMatchObject({ due_at: '2025-02-01T00:00:00Z', status: 'exception-expired', exception_id: 'EXC-0001' });
    const e = model().exceptions.find((x) => x.id === 'EXC-0001')!;
    expect(e.status).toBe('expired');
    expect(e.findings_excused).toEqual([]);
    expect(e.findings_matched).toEqual([only(H.expiring).id]);
  });

  it('an active exception by group and package excuses', () => {
    const f = only(H.excepted);
    expect(pick(f)).toMatchObject({ status: 'excepted', exception_id: 'EXC-0003' });
    expect(f.evidence.at(-1)).toMatchObject({ path: 'exceptions/EXC-0003.yaml', role: 'exception' });
    expect(model().exceptions.find((x) => x.id === 'EXC-0003')).toMatchObject({ status: 'active', findings_excused: [f.id] });
  });

  it('a policy change mid-period: a clock started after the revision takes the new 7-day SLA', () => {
    expect(pick(only(H.policyChange))).toMatchObject({
      clock_started_at: '2025-02-20T00:00:00Z', due_at: '2025-02-27T00:00:00Z', remediated_at: '2025-03-01T06:00:00Z', status: 'fixed-late', policy_version: '2.0',
    });
    const pm = model().policies.filter((p) => p.id === 'patch-management');
    expect(pm.map((p) => [p.version, p.in_force])).toEqual([
      ['1.0', { from: '2025-01-01', to: '2025-02-14' }],
      ['2.0', { from: '2025-02-15', to: '2025-03-31' }],
    ]);
  });

  it('a self-approved exception is flagged and excuses nothing', () => {
    const f = only(H.selfApproved);
    expect(pick(f)).toMatchObject({ due_at: '2025-01-17T00:00:00Z', status: 'open-overdue', exception_id: null });
    expect(model().exceptions.find((x) => x.id === 'EXC-0002')).toMatchObject({ status: 'self-approved', findings_matched: [f.id], findings_excused: [] });
  });

  it('an unfixed-upstream advisory is reported without a clock', () => {
    expect(pick(only(H.unfixed))).toEqual({
      exposed_since: '2024-12-01T06:00:00Z', fix_published_at: null, detected_at: '2025-01-15T06:00:00Z', clock_started_at: null,
      due_at: null, remediated_at: null, status: 'unfixed-upstream', exception_id: null, policy_version: '1.0', age_days: 120.8,
    });
    expect(only(H.unfixed).fixed_version).toBeNull();
  });

  it('advisories published after the period are not judged', () => {
    expect(model().findings.some((f) => f.advisory_id === 'DSA-1007-1')).toBe(false);
  });

  it('a host that stops reporting is stale, with a coverage gap', () => {
    const hf = model().host_findings.filter((h) => h.host_id === H.stale);
    expect(hf.map((h) => [h.kind, h.since])).toEqual([
      ['coverage-gap', '2025-03-11T00:00:00Z'],
      ['stale-host', '2025-03-10T06:00:00Z'],
    ]);
    expect(hf[0]!.detail).toContain('21 days (2025-03-11..2025-03-31)');
    expect(model().hosts.find((h) => h.host_id === H.stale)).toMatchObject({ status: 'stale', last_report_at: '2025-03-10T06:00:00Z', coverage_pct: 76.7 });
  });

  it('hygiene: missing owner and classification, a chain gap, a decommissioned host still reporting', () => {
    const hf = model().host_findings.filter((h) => h.host_id === H.hygiene);
    expect(hf.map((h) => [h.kind, h.since])).toEqual([
      ['chain-gap', '2025-01-10T06:00:00Z'],
      ['coverage-gap', '2025-01-09T00:00:00Z'],
      ['decommissioned-reporting', '2025-03-16T06:00:00Z'],
    ]);
    expect(hf[0]!.detail).toContain('reports 40..40 are missing');
    expect(model().hosts.find((h) => h.host_id === H.hygiene)!.status).toBe('decommissioned');
  });

  it('an active host without owner or classification is flagged', async () => {
    const { buildHost, snapshotOf, pkg } = await import('./scenario.ts');
    const host = buildHost({ id: 'h_00000000000000aa', hostname: 'nameless', start: '2025-01-01', end: '2025-03-31', packages: [pkg('bash', '5.2.15-2')], meta: null });
    const m = evaluate({ evidence: snapshotOf([host]), policies: twoVersionPolicies(), advisories: null, period: PERIOD, organisation: 'Example Ltd' });
    expect(m.host_findings.map((h) => h.kind)).toEqual(['missing-classification', 'missing-owner']);
    expect(m.hosts[0]!.meta).toEqual({ owner: null, purpose: null, classification: null, environment: null, in_scope: true, decommissioned_at: null });
  });

  it('host statuses', () => {
    const byId = Object.fromEntries(model().hosts.map((h) => [h.host_id, h.status]));
    expect(byId).toEqual({
      [H.late]: 'ok', [H.intime]: 'ok', [H.rebooted]: 'ok', [H.noreboot]: 'findings-overdue', [H.expiring]: 'findings-overdue',
      [H.excepted]: 'ok', [H.policyChange]: 'ok', [H.selfApproved]: 'findings-overdue', [H.unfixed]: 'ok', [H.stale]: 'stale',
      [H.hygiene]: 'decommissioned', [H.outOfScope]: 'out-of-scope',
    });
  });

  it('metrics: adherence, MTTR and counts per class', () => {
    const m = model().metrics;
    expect(m.overall).toEqual({
      class: 'all', total: 9, with_clock: 7, fixed_in_sla: 1, fixed_late: 3, open_within_sla: 0, open_overdue: 2, excepted: 1,
      exception_expired: 1, unfixed_upstream: 1, adherence_pct: 14.3, mttr_hours_mean: 306, mttr_hours_p90: 522, oldest_open_days: 120.8,
    });
    expect(m.by_severity.find((r) => r.class === 'high')).toMatchObject({ total: 4, with_clock: 4, fixed_in_sla: 1, fixed_late: 2, open_overdue: 1, adherence_pct: 25 });
    expect(m.by_severity.map((r) => r.class)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(m.ttr_histogram).toEqual([
      { bucket: '<=1d', count: 0 }, { bucket: '1-3d', count: 0 }, { bucket: '3-7d', count: 1 }, { bucket: '7-14d', count: 1 },
      { bucket: '14-30d', count: 2 }, { bucket: '30-90d', count: 0 }, { bucket: '>90d', count: 0 },
    ]);
  });

  it('adherence over time re-judges each month end (the expiring exception excused January)', () => {
    expect(model().metrics.adherence_over_time.map((r) => r.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    const jan = model().metrics.adherence_over_time[0]!;
    // As of 2025-02-01: late (open, overdue), intime (fixed), rebooted (fixed late), noreboot (overdue), selfApproved (overdue);
    // expiring and excepted are excused by exceptions then.
    expect(jan).toEqual({ month: '2025-01', with_clock: 5, in_sla: 1, adherence_pct: 20 });
  });

  it('coverage per month counts host-days', () => {
    const c = model().coverage;
    expect(c.map((r) => r.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(c[0]).toMatchObject({ hosts_in_scope: 11, hosts_reporting: 11, hosts_fully_covered: 10, host_days_expected: 341, host_days_reported: 340 });
    expect(c[2]).toMatchObject({ hosts_in_scope: 11, hosts_fully_covered: 10, host_days_expected: 11 * 31 - 17, host_days_reported: 11 * 31 - 17 - 21 });
  });

  it('exceptions are all listed in id order with their status', () => {
    expect(model().exceptions.map((e) => [e.id, e.status])).toEqual([['EXC-0001', 'expired'], ['EXC-0002', 'self-approved'], ['EXC-0003', 'active']]);
    expect(EXCEPTIONS).toHaveLength(3);
  });

  it('patch events come from the reports, within the period', () => {
    const ev = model().patch_events.filter((e) => e.host_id === H.late);
    expect(ev.map((e) => [e.name, e.action, e.from, e.to, e.when])).toEqual([
      ['libssl3', 'upgrade', '3.0.14-1', '3.0.15-1', '2025-02-01T06:00:00Z'],
      ['openssl', 'upgrade', '3.0.14-1', '3.0.15-1', '2025-02-01T06:00:00Z'],
    ]);
  });
});
