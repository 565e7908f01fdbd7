// The scenario fleet shared by the SLA, model, CSV and repository tests: one host per story
// (late patch, patch in time, kernel not rebooted, expiring exception, forgotten server, ...).
import { buildHost, CVSS_CRITICAL, CVSS_MEDIUM, debianAdvisory, exception, pkg, snapshotOf, type BuiltHost, type HostSpec } from './scenario.ts';
import type { EvidenceSnapshot } from '../../compliance/evidence-snapshot.ts';
import type { ExceptionRecord } from '../../evidence/types.gen.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';

export const PERIOD = { start: '2025-01-01', end: '2025-03-31' } as const;

export const H = {
  late: 'h_000000000000000a', intime: 'h_000000000000000b', rebooted: 'h_000000000000000c', noreboot: 'h_000000000000000d',
  expiring: 'h_000000000000000e', excepted: 'h_000000000000000f', policyChange: 'h_0000000000000010', selfApproved: 'h_0000000000000011',
  unfixed: 'h_0000000000000012', stale: 'h_0000000000000013', hygiene: 'h_0000000000000014', outOfScope: 'h_0000000000000015',
} as const;

export const ADVISORIES: OsvRecord[] = [
  debianAdvisory({ id: 'DSA-1001-1', source: 'openssl', fixed: '3.0.15-1', published: '2025-01-10T12:00:00Z', summary: 'Important: openssl security update', aliases: ['CVE-2025-1001'] }),
  debianAdvisory({ id: 'DSA-1002-1', source: 'linux', fixed: '6.1.90-1', published: '2025-01-05T00:00:00Z', cvss: CVSS_CRITICAL, aliases: ['CVE-2025-1002'] }),
  debianAdvisory({ id: 'DSA-1003-1', source: 'libxml2', fixed: '2.9.14-2', published: '2025-01-02T00:00:00Z', cvss: CVSS_MEDIUM, aliases: ['CVE-2025-1003'] }),
  debianAdvisory({ id: 'DSA-1004-1', source: 'curl', fixed: '7.88.1-11', published: '2025-02-20T00:00:00Z', summary: 'Important: curl security update', aliases: ['CVE-2025-1004'] }),
  debianAdvisory({ id: 'DSA-1005-1', source: 'sudo', fixed: '1.9.13-3', published: '2025-01-03T00:00:00Z', summary: 'Important: sudo security update', aliases: ['CVE-2025-1005'] }),
  debianAdvisory({ id: 'DEBIAN-CVE-2025-1006', source: 'tiff', published: '2025-01-15T00:00:00Z', cvss: CVSS_MEDIUM, aliases: ['CVE-2025-1006'] }),
  // Published after the period: must not be judged.
  debianAdvisory({ id: 'DSA-1007-1', source: 'bash', fixed: '5.2.15-3', published: '2025-04-02T00:00:00Z', summary: 'Critical: bash' }),
];

const BASE = [pkg('bash', '5.2.15-2'), pkg('coreutils', '9.1-1')];
const OLD_KERNEL = pkg('linux-image-6.1.0-20-amd64', '6.1.80-1', 'linux', '6.1.80-1');
const NEW_KERNEL = pkg('linux-image-6.1.0-21-amd64', '6.1.90-1', 'linux', '6.1.90-1');
const KERNEL = { running: '6.1.0-20-amd64', installed: ['6.1.0-20-amd64'] };

function host(id: string, hostname: string, extra: Partial<HostSpec>): HostSpec {
  return { id, hostname, start: '2024-12-01', end: '2025-03-31', packages: BASE, kernel: KERNEL, ...extra };
}

export const SPECS: HostSpec[] = [
  host(H.late, 'late', { packages: [...BASE, pkg('openssl', '3.0.14-1'), pkg('libssl3', '3.0.14-1', 'openssl')], events: [{ date: '2025-02-01', set: [pkg('openssl', '3.0.15-1'), pkg('libssl3', '3.0.15-1', 'openssl')] }] }),
  host(H.intime, 'intime', { packages: [...BASE, pkg('openssl', '3.0.14-1')], events: [{ date: '2025-01-15', set: [pkg('openssl', '3.0.15-1')] }] }),
  host(H.rebooted, 'rebooted', {
    packages: [...BASE, OLD_KERNEL],
    events: [
      { date: '2025-01-06', set: [NEW_KERNEL], installedKernels: ['6.1.0-20-amd64', '6.1.0-21-amd64'] },
      { date: '2025-01-20', running: '6.1.0-21-amd64' },
    ],
  }),
  host(H.noreboot, 'noreboot', { packages: [...BASE, OLD_KERNEL], events: [{ date: '2025-01-06', set: [NEW_KERNEL], installedKernels: ['6.1.0-20-amd64', '6.1.0-21-amd64'] }] }),
  host(H.expiring, 'expiring', { packages: [...BASE, pkg('libxml2', '2.9.14-1')] }),
  host(H.excepted, 'excepted', { group: 'legacy', packages: [...BASE, pkg('libxml2', '2.9.14-1')] }),
  host(H.policyChange, 'policychange', { packages: [...BASE, pkg('curl', '7.88.1-10')], events: [{ date: '2025-03-01', set: [pkg('curl', '7.88.1-11')] }] }),
  host(H.selfApproved, 'selfapproved', { packages: [...BASE, pkg('sudo', '1.9.13-2')] }),
  host(H.unfixed, 'unfixed', { packages: [...BASE, pkg('libtiff6', '4.5.0-6', 'tiff')] }),
  host(H.stale, 'stale', { end: '2025-03-10' }),
  host(H.hygiene, 'hygiene', { meta: { in_scope: true, owner: null, classification: null, decommissioned_at: '2025-03-15' }, dropSeq: [40] }),
  host(H.outOfScope, 'outofscope', { end: '2025-01-31', meta: { in_scope: false, owner: 'Lab', classification: 'internal' } }),
];

export const EXCEPTIONS: ExceptionRecord[] = [
  exception({ id: 'EXC-0001', hosts: [H.expiring], advisories: ['CVE-2025-1003'], expires: '2025-02-28', approved_at: '2025-01-20' }),
  exception({ id: 'EXC-0002', hosts: [H.selfApproved], advisories: ['DSA-1005-1'], requested_by: 'Bob Builder', approver: 'bob builder', approved_at: '2025-01-10' }),
  exception({ id: 'EXC-0003', hosts: ['group:legacy'], packages: ['libxml2'], expires: '2025-06-30', approved_at: '2025-01-20' }),
];

let built: BuiltHost[] | undefined;

export function fleetHosts(): BuiltHost[] {
  built ??= SPECS.map(buildHost);
  return built;
}

export function fleetSnapshot(): EvidenceSnapshot {
  return snapshotOf(fleetHosts(), EXCEPTIONS);
}
