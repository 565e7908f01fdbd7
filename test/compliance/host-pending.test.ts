// The host record's pending updates: the latest report's pending list (here the real apt simulation of
// the captured Debian 12 host) with security flag, advisory ids and vendor severity, joined with the
// open findings each update would fix, bounded and sorted.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import { MAX_PENDING_ROWS, pendingRows } from '../../compliance/model-pending.ts';
import type { ModelFinding } from '../../compliance/model-types.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { buildDebianHost, capturedPending, DEBIAN_HOST_ID } from './debian-real-host.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { snapshotOf } from './scenario.ts';

/** MINIMAL TEST RECORD, not a real advisory: openssl fixed in the 3.0.22-1~deb12u2 the captured apt simulation offers. */
const MINIMAL_OPENSSL_3022: OsvRecord = {
  id: 'MINIMAL-TEST-DEBIAN-OPENSSL-0002', modified: '2026-11-20T00:00:00Z', published: '2026-11-20T00:00:00Z', aliases: ['CVE-0000-0002'],
  summary: 'MINIMAL TEST RECORD (not a real advisory)', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.22-1~deb12u2' }] }] }],
};

describe('pending updates on the host record (real apt simulation)', () => {
  const host = buildDebianHost({ start: '2026-11-01', end: '2026-11-22', pendingFrom: '2026-11-22T06:00:00Z', fingerprint: 'A'.repeat(40) });
  const model = evaluate({
    evidence: snapshotOf([host]), policies: singlePolicy(), advisories: { snapshot_hash: 'd'.repeat(64), records: [MINIMAL_OPENSSL_3022] },
    period: { start: '2026-11-01', end: '2026-11-22' }, organisation: 'Example Ltd',
  });
  const row = model.hosts.find((h) => h.host_id === DEBIAN_HOST_ID)!;
  const finding = model.findings[0]!;

  it('keeps every pending update of the latest report, security updates first', () => {
    expect([row.pending_count, row.pending_security_count, row.pending!.length]).toEqual([136, 81, 136]);
    expect(row.pending!.slice(0, 81).every((p) => p.security)).toBe(true);
    expect(row.pending!.slice(81).every((p) => !p.security)).toBe(true);
    const names = row.pending!.slice(0, 81).map((p) => p.name);
    expect(names).toEqual([...names].sort());
  });

  it('joins each update with the open finding it would fix and its SLA due date', () => {
    expect(finding).toMatchObject({ packages: ['libssl-dev', 'libssl3', 'openssl'], due_at: '2026-12-04T00:00:00Z', status: 'open-within-sla', remediated_at: null });
    const ssl = row.pending!.filter((p) => p.name === 'libssl-dev' || p.name === 'libssl3' || p.name === 'openssl');
    const link = [{ id: finding.id, advisory_id: 'MINIMAL-TEST-DEBIAN-OPENSSL-0002', due_at: '2026-12-04T00:00:00Z', status: 'open-within-sla' }];
    expect(ssl).toEqual(['libssl-dev', 'libssl3', 'openssl'].map((name) => ({
      name, arch: 'amd64', installed: '3.0.19-1~deb12u2', candidate: '3.0.22-1~deb12u2', security: true, advisories: [], severity: null, findings: link,
    })));
    expect(row.pending!.find((p) => p.name === 'bash')).toEqual({ name: 'bash', arch: 'amd64', installed: '5.2.15-2+b8', candidate: '5.2.15-2+b13', security: false, advisories: [], severity: null, findings: [] });
    expect(row.pending!.filter((p) => p.findings.length > 0).map((p) => p.name)).toEqual(['libssl-dev', 'libssl3', 'openssl']);
  });

  it('is empty when the latest report has no pending updates', () => {
    const quiet = buildDebianHost({ start: '2026-11-01', end: '2026-11-22', fingerprint: 'A'.repeat(40) });
    const m = evaluate({ evidence: snapshotOf([quiet]), policies: singlePolicy(), advisories: null, period: { start: '2026-11-01', end: '2026-11-22' }, organisation: 'Example Ltd' });
    expect(m.hosts[0]).toMatchObject({ pending_count: 0, pending: [] });
  });
});

describe('pendingRows', () => {
  const open = (id: string, pkgs: string[], due: string | null, advisory = `DSA-${id}`): ModelFinding => ({
    id: `F-${id.padStart(16, '0')}`, host_id: 'h_0000000000000001', advisory_id: advisory, aliases: [`CVE-2026-${id}`], package: pkgs[0]!, packages: pkgs, source: pkgs[0]!,
    installed_version: '1', fixed_version: '2', kernel: false, severity: { class: 'high', label: 'high', source: 'vendor', score: null },
    exposed_since: '2026-01-01T00:00:00Z', fix_published_at: '2026-01-01T00:00:00Z', detected_at: null, clock_started_at: '2026-01-01T00:00:00Z',
    due_at: due, remediated_at: null, status: 'open-within-sla', exception_id: null, policy_id: 'p', policy_version: '1.0', age_days: 0, evidence: [],
  });

  it('joins by package name (an arch qualifier stripped) or by advisory id or alias, earliest due first, open findings only', () => {
    const fixed = { ...open('9', ['curl'], '2026-01-02T00:00:00Z'), remediated_at: '2026-01-02T00:00:00Z', status: 'fixed-in-sla' as const };
    const findings = [open('2', ['curl'], '2026-02-01T00:00:00Z'), open('1', ['libcurl4'], '2026-01-15T00:00:00Z'), open('3', ['curl'], null), fixed];
    const rows = pendingRows([
      { name: 'curl:amd64', arch: 'amd64', installed: '7.88.1-10', candidate: '7.88.1-11', security: true, severity: 'Important', advisories: ['DSA-1', 'CVE-2026-2'] },
    ], findings);
    expect(rows).toEqual([{
      name: 'curl', arch: 'amd64', installed: '7.88.1-10', candidate: '7.88.1-11', security: true, advisories: ['CVE-2026-2', 'DSA-1'], severity: 'Important',
      findings: [
        { id: 'F-0000000000000001', advisory_id: 'DSA-1', due_at: '2026-01-15T00:00:00Z', status: 'open-within-sla' },
        { id: 'F-0000000000000002', advisory_id: 'DSA-2', due_at: '2026-02-01T00:00:00Z', status: 'open-within-sla' },
        { id: 'F-0000000000000003', advisory_id: 'DSA-3', due_at: null, status: 'open-within-sla' },
      ],
    }]);
  });

  it(`keeps at most ${MAX_PENDING_ROWS} rows, security updates first, whatever the input order`, () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ name: `pkg${String(i).padStart(3, '0')}`, arch: 'amd64', installed: '1', candidate: '2', security: i % 50 === 7 }));
    const rows = pendingRows([...many].reverse(), []);
    expect(rows).toHaveLength(MAX_PENDING_ROWS);
    expect(rows.slice(0, 5).map((r) => [r.name, r.security])).toEqual([['pkg007', true], ['pkg057', true], ['pkg107', true], ['pkg157', true], ['pkg207', true]]);
    expect(rows[5]!.name).toBe('pkg000');
    expect(pendingRows(many, [])).toEqual(rows);
  });
});
