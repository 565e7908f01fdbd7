// End to end for an advisory bounded by `last_affected` (no fixed version named): a host on the last
// affected version is exposed with an SLA clock from the advisory's publication, and remediated by
// the first report showing a later version; hosts above the bound are not exposed at all.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, CVSS_CRITICAL, pkg, snapshotOf } from './scenario.ts';

const NGINX: OsvRecord = {
  id: 'DEBIAN-CVE-2025-2001', modified: '2025-01-05T00:00:00Z', published: '2025-01-05T00:00:00Z', aliases: ['CVE-2025-2001'], summary: 'nginx: request smuggling',
  severity: [{ type: 'CVSS_V3', score: CVSS_CRITICAL }],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'nginx' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.22.1-9' }] }] }],
};
const H = { inTime: 'h_00000000000000e1', late: 'h_00000000000000e2', open: 'h_00000000000000e3', above: 'h_00000000000000e4' };
const ON_BOUND = [pkg('nginx', '1.22.1-9'), pkg('nginx-common', '1.22.1-9', 'nginx')];
const PAST = [pkg('nginx', '1.22.1-9+deb12u1'), pkg('nginx-common', '1.22.1-9+deb12u1', 'nginx')];
const host = (id: string, upgradeOn?: string, packages = ON_BOUND) => buildHost({
  id, hostname: id.slice(-2), start: '2024-12-20', end: '2025-02-28', packages, ...(upgradeOn ? { events: [{ date: upgradeOn, set: PAST }] } : {}),
});
const model = evaluate({
  evidence: snapshotOf([host(H.inTime, '2025-01-07'), host(H.late, '2025-01-20'), host(H.open), host(H.above, undefined, PAST)]),
  policies: singlePolicy(), advisories: { snapshot_hash: 'b'.repeat(64), records: [NGINX] },
  period: { start: '2025-01-01', end: '2025-02-28' }, organisation: 'Example Ltd',
});
const finding = (id: string) => model.findings.find((f) => f.host_id === id);

describe('last_affected end to end', () => {
  it('exposes hosts on the bound, not hosts above it', () => {
    expect(model.findings.map((f) => f.host_id)).toEqual([H.inTime, H.late, H.open]);
    expect(finding(H.above)).toBeUndefined();
  });

  it('clocks from the advisory (no fixed version named) and remediates at the first report past the bound', () => {
    const common = {
      advisory_id: 'DEBIAN-CVE-2025-2001', source: 'nginx', packages: ['nginx', 'nginx-common'], installed_version: '1.22.1-9', fixed_version: null,
      severity: { class: 'critical', source: 'cvss', score: 9.8 }, fix_published_at: '2025-01-05T00:00:00Z', fix_published_source: 'DEBIAN-CVE-2025-2001',
      exposed_since: '2024-12-20T06:00:00Z', detected_at: '2025-01-05T06:00:00Z', clock_started_at: '2025-01-05T00:00:00Z', due_at: '2025-01-08T00:00:00Z',
    };
    expect(finding(H.inTime)).toMatchObject({ ...common, remediated_at: '2025-01-07T06:00:00Z', status: 'fixed-in-sla', age_days: 2.3 });
    expect(finding(H.late)).toMatchObject({ ...common, remediated_at: '2025-01-20T06:00:00Z', status: 'fixed-late', age_days: 15.3 });
    expect(finding(H.open)).toMatchObject({ ...common, remediated_at: null, status: 'open-overdue', age_days: 55 });
    expect(finding(H.inTime)!.evidence.map((e) => [e.role, e.path])).toEqual([
      ['first-seen', `hosts/${H.inTime}/reports/2024/12/20/060000Z-000001.json`],
      ['detected', `hosts/${H.inTime}/reports/2025/01/05/060000Z-000017.json`],
      ['last-affected', `hosts/${H.inTime}/reports/2025/01/06/060000Z-000018.json`],
      ['remediated', `hosts/${H.inTime}/reports/2025/01/07/060000Z-000019.json`],
    ]);
  });

  it('counts them in the metrics and host rows', () => {
    const critical = model.metrics.by_severity.find((r) => r.class === 'critical')!;
    expect([critical.total, critical.fixed_in_sla, critical.fixed_late, critical.open_overdue, critical.unfixed_upstream]).toEqual([3, 1, 1, 1, 0]);
    expect(model.hosts.map((h) => [h.host_id, h.status, h.open_findings])).toEqual([[H.inTime, 'ok', 0], [H.late, 'ok', 0], [H.open, 'findings-overdue', 1], [H.above, 'ok', 0]]);
  });
});
