// What cannot be judged must not vanish: an advisory entry whose version does not parse and installed
// packages whose version does not parse are listed with codes and counts in the model, its CSV export,
// the host row and the vulnerability-identification control's explanation.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { renderCsvExports } from '../../compliance/export-csv.ts';
import { evaluate } from '../../compliance/model.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, debianAdvisory, pkg, snapshotOf } from './scenario.ts';

const A = 'h_00000000000000a1';
const B = 'h_00000000000000b2';
const PERIOD = { start: '2025-01-01', end: '2025-01-31' };

const hostA = buildHost({
  id: A, hostname: 'odd-versions', start: '2025-01-01', end: '2025-01-31',
  // dpkg rejects a non-numeric epoch: these two cannot be compared with any advisory.
  packages: [pkg('openssl', '3.0.14-1'), pkg('weird', 'a:1.0-1'), pkg('odd-bin', '2.0-1', 'odd', 'b:2.0-1')],
  events: [{ date: '2025-01-10', set: [pkg('weird', '1.1-1')] }],
});
const hostB = buildHost({ id: B, hostname: 'plain', start: '2025-01-01', end: '2025-01-31', packages: [pkg('openssl', '3.0.14-1')] });

const badDebian: OsvRecord = debianAdvisory({ id: 'DSA-9001-1', source: 'zlib', fixed: '1.2.13 dfsg-1', published: '2025-01-05T00:00:00Z' });
const badAlma: OsvRecord = {
  id: 'ALSA-9002:0001', modified: '2025-01-05T00:00:00Z', published: '2025-01-05T00:00:00Z', summary: 'Moderate: x',
  affected: [{ package: { ecosystem: 'AlmaLinux:9', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2 .11' }] }] }],
};
const good = debianAdvisory({ id: 'DSA-9003-1', source: 'openssl', fixed: '3.0.15-1', published: '2025-01-05T00:00:00Z', summary: 'Important: openssl' });

const model = evaluate({
  evidence: snapshotOf([hostA, hostB]), policies: singlePolicy(),
  advisories: { snapshot_hash: 'a'.repeat(64), records: [good, badDebian, badAlma] }, period: PERIOD, organisation: 'Example Ltd',
});

describe('unjudged advisories and installed versions', () => {
  it('lists the advisory entry that applies to the fleet, coded, and leaves out other ecosystems', () => {
    expect(model.unjudged!.advisory_entry_count).toBe(1);
    expect(model.unjudged!.advisory_entries).toEqual([
      { code: 'CMP_ADVISORY_VERSION_UNPARSED', advisory_id: 'DSA-9001-1', ecosystem: 'Debian:12', package: 'zlib', reason: expect.stringMatching(/invalid dpkg version "1\.2\.13 dfsg-1": version string has embedded spaces/) },
    ]);
  });

  it('lists each unparsed installed version with its span and the reports that show it', () => {
    const u = model.unjudged!;
    expect([u.installed_package_count, u.host_count]).toEqual([2, 1]);
    expect(u.installed_packages.map(({ reason, evidence, ...rest }) => ({ ...rest, roles: evidence.map((e) => e.role) }))).toEqual([
      { code: 'CMP_INSTALLED_VERSION_UNPARSED', host_id: A, package: 'odd-bin', arch: 'amd64', version: 'b:2.0-1', first_seen: '2025-01-01T06:00:00Z', until: null, roles: ['first-seen'] },
      { code: 'CMP_INSTALLED_VERSION_UNPARSED', host_id: A, package: 'weird', arch: 'amd64', version: 'a:1.0-1', first_seen: '2025-01-01T06:00:00Z', until: '2025-01-10T06:00:00Z', roles: ['first-seen', 'no-longer-installed'] },
    ]);
    expect(u.installed_packages[1]!.evidence[1]!.path).toBe(`hosts/${A}/reports/2025/01/10/060000Z-000010.json`);
    expect(u.installed_packages[0]!.reason).toMatch(/epoch in version is empty/);
    expect(model.evidence_manifest.map((m) => m.path)).toContain(`hosts/${A}/reports/2025/01/10/060000Z-000010.json`);
  });

  it('counts the packages still installed on the host row, and still judges the others', () => {
    expect(model.hosts.map((h) => [h.host_id, h.unjudged_packages])).toEqual([[A, 1], [B, 0]]);
    expect(model.findings.map((f) => [f.host_id, f.advisory_id])).toEqual([[A, 'DSA-9003-1'], [B, 'DSA-9003-1']]);
  });

  it('makes the vulnerability-identification controls partial and says why', () => {
    for (const id of ['CC7.1', '6.3.1']) {
      const c = model.controls.find((x) => x.id === id)!;
      const ev = c.evaluators.find((e) => e.id === 'advisory-monitoring')!;
      expect(ev.status).toBe('partial');
      expect(c.explanation).toContain('1 advisory entry could not be used (a version does not parse: CMP_ADVISORY_VERSION_UNPARSED).');
      expect(c.explanation).toContain('2 installed packages on 1 host could not be judged (its version does not parse: CMP_INSTALLED_VERSION_UNPARSED).');
      expect(c.evidence.filter((e) => e.kind === 'unjudged-package').map((e) => [e.host_id, e.path])).toEqual([
        [A, `hosts/${A}/reports/2025/01/01/060000Z-000001.json`], [A, `hosts/${A}/reports/2025/01/01/060000Z-000001.json`],
      ]);
      expect(c.evidence.filter((e) => e.kind === 'unjudged-advisory').map((e) => e.summary)).toEqual([expect.stringMatching(/^CMP_ADVISORY_VERSION_UNPARSED: DSA-9001-1 \(Debian:12 zlib\) left out: /)]);
    }
  });

  it('is effective again when everything parses', () => {
    const clean = evaluate({ evidence: snapshotOf([hostB]), policies: singlePolicy(), advisories: { snapshot_hash: 'a'.repeat(64), records: [good, badAlma] }, period: PERIOD, organisation: 'Example Ltd' });
    expect(clean.unjudged).toEqual({ advisory_entry_count: 0, installed_package_count: 0, host_count: 0, advisory_entries: [], installed_packages: [] });
    expect(clean.controls.find((c) => c.id === 'CC7.1')!.evaluators.find((e) => e.id === 'advisory-monitoring')!.status).toBe('effective');
  });

  it('exports unjudged.csv and the host column', () => {
    const csv = renderCsvExports(model);
    const rows = parse(csv['unjudged.csv']!, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.code, r.host_id, r.advisory_id, r.package, r.version, r.until])).toEqual([
      ['CMP_ADVISORY_VERSION_UNPARSED', '', 'DSA-9001-1', 'zlib', '', ''],
      ['CMP_INSTALLED_VERSION_UNPARSED', A, '', 'odd-bin', 'b:2.0-1', ''],
      ['CMP_INSTALLED_VERSION_UNPARSED', A, '', 'weird', 'a:1.0-1', '2025-01-10T06:00:00Z'],
    ]);
    expect(rows[2]!.evidence).toBe(`first-seen=hosts/${A}/reports/2025/01/01/060000Z-000001.json; no-longer-installed=hosts/${A}/reports/2025/01/10/060000Z-000010.json`);
    const hosts = parse(csv['hosts.csv']!, { columns: true }) as Record<string, string>[];
    expect(hosts.map((h) => [h.host_id, h.unjudged_packages])).toEqual([[A, '1'], [B, '0']]);
  });
});
