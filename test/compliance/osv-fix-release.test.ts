// The fix's release date per (advisory, ecosystem, package, fixed version): a CVE-keyed record is
// dated by the notice that shipped its fix (real Ubuntu records: UBUNTU-CVE-… → USN-…), per
// ecosystem; without such a notice in the snapshot, by its own `published`.
import { describe, expect, it } from 'vitest';
import { hostEcosystem } from '../../compliance/ecosystem.ts';
import { evaluate } from '../../compliance/model.ts';
import { fixReleaseLookup } from '../../compliance/osv-fix-release.ts';
import { buildAdvisoryIndex } from '../../compliance/osv-index.ts';
import { matchHost } from '../../compliance/osv-matcher.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { parseVersion } from '../../compliance/version.ts';
import { readRecords } from './inventories.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, debianAdvisory, pkg, snapshotOf } from './scenario.ts';

const RECORDS = readRecords('osv/ubuntu/records');
const byId = (id: string): OsvRecord => RECORDS.find((r) => r.id === id)!;
const without = (id: string): OsvRecord[] => RECORDS.filter((r) => r.id !== id);
const dpkg = (v: string) => parseVersion('dpkg', v);
const jammy = hostEcosystem({ id: 'ubuntu', version_id: '22.04', name: 'Ubuntu' });
const noble = hostEcosystem({ id: 'ubuntu', version_id: '24.04', name: 'Ubuntu' });

describe('fix release of real Ubuntu records', () => {
  const lookup = fixReleaseLookup(RECORDS);

  it('UBUNTU-CVE-2023-4911 on 22.04 is dated by USN-6409-1 (its `related`), not by the CVE', () => {
    expect(byId('UBUNTU-CVE-2023-4911').related).toContain('USN-6409-1');
    expect(lookup(byId('UBUNTU-CVE-2023-4911'), 'Ubuntu:22.04:LTS', 'glibc', dpkg('2.35-0ubuntu3.4'))).toEqual({ published: '2023-10-03T18:04:23.013596Z', source: 'USN-6409-1' });
  });

  it('per ecosystem: USN-6409-1 has no 24.04 entry, so the 24.04 fix falls back to the record itself', () => {
    expect(lookup(byId('UBUNTU-CVE-2023-4911'), 'Ubuntu:24.04:LTS', 'glibc', dpkg('2.38-1ubuntu6'))).toEqual({ published: '2023-10-03T17:00:00Z', source: 'UBUNTU-CVE-2023-4911' });
  });

  it('UBUNTU-CVE-2024-6387 is dated by USN-6859-1 in both releases', () => {
    const cve = byId('UBUNTU-CVE-2024-6387');
    expect(lookup(cve, 'Ubuntu:22.04:LTS', 'openssh', dpkg('1:8.9p1-3ubuntu0.10'))).toEqual({ published: '2024-07-01T09:06:31.434165Z', source: 'USN-6859-1' });
    expect(lookup(cve, 'Ubuntu:24.04:LTS', 'openssh', dpkg('1:9.6p1-3ubuntu13.3'))).toEqual({ published: '2024-07-01T09:06:31.434165Z', source: 'USN-6859-1' });
  });

  it('a USN keeps its own date: the CVE record that names it is not a release', () => {
    expect(lookup(byId('USN-6859-1'), 'Ubuntu:24.04:LTS', 'openssh', dpkg('1:9.6p1-3ubuntu13.3'))).toEqual({ published: '2024-07-01T09:06:31.434165Z', source: 'USN-6859-1' });
  });

  it('a related USN that is not in the snapshot (USN-7604-1, USN-6429-1) leaves the record its own date', () => {
    expect(lookup(byId('UBUNTU-CVE-2025-32463'), 'Ubuntu:24.04:LTS', 'sudo', dpkg('1.9.15p5-3ubuntu5.24.04.1'))).toEqual({ published: '2025-06-30T16:00:00Z', source: 'UBUNTU-CVE-2025-32463' });
    expect(lookup(byId('UBUNTU-CVE-2023-38545'), 'Ubuntu:22.04:LTS', 'curl', dpkg('7.81.0-1ubuntu1.14'))).toEqual({ published: '2023-10-11T06:00:00Z', source: 'UBUNTU-CVE-2023-38545' });
  });

  it('without the USN in the snapshot the CVE record falls back to its own published', () => {
    const alone = fixReleaseLookup(without('USN-6409-1'));
    expect(alone(byId('UBUNTU-CVE-2023-4911'), 'Ubuntu:22.04:LTS', 'glibc', dpkg('2.35-0ubuntu3.4'))).toEqual({ published: '2023-10-03T17:00:00Z', source: 'UBUNTU-CVE-2023-4911' });
  });

  it('the matcher carries the release on each row', () => {
    const libc = (v: string) => [{ name: 'libc6', arch: 'amd64', version: v, source: 'glibc', source_version: v }];
    const [j] = matchHost(buildAdvisoryIndex(RECORDS), { ecosystem: jammy, packages: libc('2.35-0ubuntu3.1') }).rows.filter((r) => r.advisory_id === 'UBUNTU-CVE-2023-4911');
    expect(j).toMatchObject({ published: '2023-10-03T17:00:00Z', fix_published: '2023-10-03T18:04:23.013596Z', fix_published_source: 'USN-6409-1' });
    const usn = matchHost(buildAdvisoryIndex(RECORDS), { ecosystem: jammy, packages: libc('2.35-0ubuntu3.1') }).rows.find((r) => r.advisory_id === 'USN-6409-1');
    expect(usn).toMatchObject({ fix_published: '2023-10-03T18:04:23.013596Z', fix_published_source: 'USN-6409-1' });
    const [n] = matchHost(buildAdvisoryIndex(RECORDS), { ecosystem: noble, packages: libc('2.38-1ubuntu5') }).rows;
    expect(n).toMatchObject({ advisory_id: 'UBUNTU-CVE-2023-4911', fix_published: '2023-10-03T17:00:00Z', fix_published_source: 'UBUNTU-CVE-2023-4911' });
  });
});

describe('findings judged on real Ubuntu records', () => {
  const JAMMY = { id: 'ubuntu', version_id: '22.04', pretty_name: 'Ubuntu 22.04.3 LTS' };
  const NOBLE = { id: 'ubuntu', version_id: '24.04', pretty_name: 'Ubuntu 24.04 LTS' };
  const hosts = [
    buildHost({ id: 'h_00000000000000f1', hostname: 'jammy', os: JAMMY, start: '2023-09-25', end: '2023-10-31', packages: [pkg('libc6', '2.35-0ubuntu3.1', 'glibc')] }),
    buildHost({ id: 'h_00000000000000f2', hostname: 'noble', os: NOBLE, start: '2023-09-25', end: '2023-10-31', packages: [pkg('libc6', '2.38-1ubuntu5', 'glibc')] }),
  ];
  const judge = (records: readonly OsvRecord[]) => evaluate({
    evidence: snapshotOf(hosts), policies: singlePolicy({ effective: '2023-01-01' }), advisories: { snapshot_hash: 'f'.repeat(64), records },
    period: { start: '2023-10-01', end: '2023-10-31' }, organisation: 'Example Ltd',
  }).findings.filter((f) => f.advisory_id === 'UBUNTU-CVE-2023-4911').map((f) => [f.host_id, f.fix_published_at, f.fix_published_source, f.clock_started_at, f.due_at]);

  it("the CVE record's finding on 22.04 has the USN's date; on 24.04 (no USN entry) its own", () => {
    expect(judge([byId('UBUNTU-CVE-2023-4911'), byId('USN-6409-1')])).toEqual([
      ['h_00000000000000f1', '2023-10-03T18:04:23.013Z', 'USN-6409-1', '2023-10-03T18:04:23.013Z', '2023-10-17T18:04:23.013Z'],
      ['h_00000000000000f2', '2023-10-03T17:00:00Z', 'UBUNTU-CVE-2023-4911', '2023-10-03T17:00:00Z', '2023-10-17T17:00:00Z'],
    ]);
  });

  it('without the USN in the snapshot, both fall back to the record\'s own published', () => {
    expect(judge([byId('UBUNTU-CVE-2023-4911')])).toEqual([
      ['h_00000000000000f1', '2023-10-03T17:00:00Z', 'UBUNTU-CVE-2023-4911', '2023-10-03T17:00:00Z', '2023-10-17T17:00:00Z'],
      ['h_00000000000000f2', '2023-10-03T17:00:00Z', 'UBUNTU-CVE-2023-4911', '2023-10-03T17:00:00Z', '2023-10-17T17:00:00Z'],
    ]);
  });
});

describe('the generic rule (Debian shape: a DSA names its DEBIAN-CVE record in `upstream`)', () => {
  const cve = debianAdvisory({ id: 'DEBIAN-CVE-2025-1001', source: 'glibc', fixed: '2.36-9+deb12u3', published: '2025-01-10T00:00:00Z' });
  const dsa = (o: { id: string; fixed: string; published: string; ecosystem?: string; name?: string }, extra: Partial<OsvRecord> = {}): OsvRecord => ({
    ...debianAdvisory({ id: o.id, source: o.name ?? 'glibc', fixed: o.fixed, published: o.published, ...(o.ecosystem ? { ecosystem: o.ecosystem } : {}) }),
    upstream: ['CVE-2025-1001', 'DEBIAN-CVE-2025-1001'],
    ...extra,
  });
  const fix = dpkg('2.36-9+deb12u3');
  const release = (records: OsvRecord[], record: OsvRecord = cve) => fixReleaseLookup(records)(record, 'Debian:12', 'glibc', fix);

  it('takes the notice that fixes the same package at the same version in the same ecosystem', () => {
    expect(release([cve, dsa({ id: 'DSA-5514-1', fixed: '2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' })])).toEqual({ published: '2025-01-20T00:00:00Z', source: 'DSA-5514-1' });
  });

  it('an equal version by dpkg order counts (0: epoch)', () => {
    expect(release([cve, dsa({ id: 'DSA-5514-1', fixed: '0:2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' })])).toEqual({ published: '2025-01-20T00:00:00Z', source: 'DSA-5514-1' });
  });

  it('the earliest of several qualifying notices wins; ties go to the smaller id', () => {
    const records = [cve, dsa({ id: 'DSA-5600-1', fixed: '2.36-9+deb12u3', published: '2025-01-25T00:00:00Z' }), dsa({ id: 'DLA-4000-1', fixed: '2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' }), dsa({ id: 'DSA-5514-1', fixed: '2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' })];
    expect(release(records)).toEqual({ published: '2025-01-20T00:00:00Z', source: 'DLA-4000-1' });
  });

  it('a link by the record\'s own `related` counts too', () => {
    const notice = debianAdvisory({ id: 'DSA-5514-1', source: 'glibc', fixed: '2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' });
    expect(release([{ ...cve, related: ['DSA-5514-1'] }, notice], { ...cve, related: ['DSA-5514-1'] })).toEqual({ published: '2025-01-20T00:00:00Z', source: 'DSA-5514-1' });
  });

  it('ignores notices for another fixed version, package or ecosystem, withdrawn ones, unlinked ones and CVE-keyed ones', () => {
    const records = [
      cve,
      dsa({ id: 'DSA-0001-1', fixed: '2.36-9+deb12u4', published: '2025-01-11T00:00:00Z' }),
      dsa({ id: 'DSA-0002-1', fixed: '2.36-9+deb12u3', published: '2025-01-11T00:00:00Z', name: 'glibc-doc' }),
      dsa({ id: 'DLA-0003-1', fixed: '2.36-9+deb12u3', published: '2025-01-11T00:00:00Z', ecosystem: 'Debian:11' }),
      dsa({ id: 'DSA-0004-1', fixed: '2.36-9+deb12u3', published: '2025-01-11T00:00:00Z' }, { withdrawn: '2025-01-12T00:00:00Z' }),
      dsa({ id: 'DSA-0005-1', fixed: '2.36-9+deb12u3', published: '2025-01-11T00:00:00Z' }, { upstream: ['CVE-2025-9999'] }),
      dsa({ id: 'UBUNTU-CVE-2025-1001', fixed: '2.36-9+deb12u3', published: '2025-01-11T00:00:00Z' }),
    ];
    expect(release(records)).toEqual({ published: '2025-01-10T00:00:00Z', source: 'DEBIAN-CVE-2025-1001' });
  });

  it("a notice's own date is never replaced by the CVE record's, even when they name each other", () => {
    const notice = dsa({ id: 'DSA-5514-1', fixed: '2.36-9+deb12u3', published: '2025-01-20T00:00:00Z' }, { related: ['DEBIAN-CVE-2025-1001'] });
    expect(release([{ ...cve, related: ['DSA-5514-1'] }, notice], notice)).toEqual({ published: '2025-01-20T00:00:00Z', source: 'DSA-5514-1' });
  });
});
