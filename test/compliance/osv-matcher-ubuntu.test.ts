import { describe, expect, it } from 'vitest';
import { hostEcosystem } from '../../compliance/ecosystem.ts';
import { buildAdvisoryIndex } from '../../compliance/osv-index.ts';
import { matchHost, type HostPackage } from '../../compliance/osv-matcher.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { readRecords, ubuntuPackages } from './inventories.ts';

const records = readRecords('osv/ubuntu/records');
const index = buildAdvisoryIndex(records);
const noble = hostEcosystem({ id: 'ubuntu', version_id: '24.04', name: 'Ubuntu' });
const jammy = hostEcosystem({ id: 'ubuntu', version_id: '22.04', name: 'Ubuntu' });
const packages = ubuntuPackages();

const rowsOf = (rows: readonly { advisory_id: string; package: string; fixed_version: string | null; unfixed: boolean }[]) =>
  rows.map((r) => [r.advisory_id, r.package, r.fixed_version, r.unfixed]);

describe('Ubuntu 24.04 image (real inventory, source-package matching)', () => {
  it('reads 92 binaries from 66 source packages', () => {
    expect(packages).toHaveLength(92);
    expect(new Set(packages.map((p) => p.source)).size).toBe(66);
    expect(packages.find((p) => p.name === 'libc6')).toEqual({ name: 'libc6', arch: 'amd64', version: '2.39-0ubuntu8.8', source: 'glibc', source_version: '2.39-0ubuntu8.8' });
  });

  it('matches none of the 8 records, for reasons checked by hand', () => {
    // glibc 2.39-0ubuntu8.8 > 2.38-1ubuntu6 (CVE-2023-4911's 24.04 fix); CVE-2023-7008 (systemd) has no 24.04 entry;
    // curl, openssh and sudo are not installed; the linux record covers Ubuntu:Pro:14.04:LTS only.
    const result = matchHost(index, { ecosystem: noble, packages });
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([]);
  });

  it('an older glibc on the same host is matched through its source package, per binary', () => {
    const older = packages.map((p) => (p.source === 'glibc' ? { ...p, version: '2.38-1ubuntu5', source_version: '2.38-1ubuntu5' } : p));
    const { rows } = matchHost(index, { ecosystem: noble, packages: older });
    expect(rowsOf(rows)).toEqual([
      ['UBUNTU-CVE-2023-4911', 'libc-bin', '2.38-1ubuntu6', false],
      ['UBUNTU-CVE-2023-4911', 'libc6', '2.38-1ubuntu6', false],
    ]);
    expect(rows[1]).toMatchObject({
      aliases: ['CVE-2023-4911'],
      ecosystem: 'Ubuntu:24.04:LTS',
      source: 'glibc',
      installed_version: '2.38-1ubuntu5',
      published: '2023-10-03T17:00:00Z',
      severity: { source: 'vendor', label: 'high', score: 7.8, from: 'ecosystem_specific.ubuntu_priority' },
    });
  });

  it('sudo before 1.9.15p5-3ubuntu5.24.04.1 matches CVE-2025-32463 (schema 1.7.0, CVE in upstream)', () => {
    const sudo: HostPackage = { name: 'sudo', arch: 'amd64', version: '1.9.15p5-3ubuntu5', source: 'sudo', source_version: '1.9.15p5-3ubuntu5' };
    const { rows } = matchHost(index, { ecosystem: noble, packages: [...packages, sudo] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      advisory_id: 'UBUNTU-CVE-2025-32463', aliases: ['CVE-2025-32463'], fixed_version: '1.9.15p5-3ubuntu5.24.04.1',
      severity: { source: 'vendor', label: 'high', score: 9.3, from: 'severity:Ubuntu' },
    });
  });
});

describe('an Ubuntu 22.04 host built from the versions the records list', () => {
  const host: HostPackage[] = [
    { name: 'libc6', arch: 'amd64', version: '2.35-0ubuntu3.3', source: 'glibc', source_version: '2.35-0ubuntu3.3' },
    { name: 'libc-bin', arch: 'amd64', version: '2.35-0ubuntu3.3', source: 'glibc', source_version: '2.35-0ubuntu3.3' },
    // A binary of source glibc that the advisories do not list: narrowed away.
    { name: 'libc-unlisted-tool', arch: 'amd64', version: '2.35-0ubuntu3.3', source: 'glibc', source_version: '2.35-0ubuntu3.3' },
    { name: 'openssh-server', arch: 'amd64', version: '1:8.9p1-3ubuntu0.7', source: 'openssh', source_version: '1:8.9p1-3ubuntu0.7' },
    { name: 'curl', arch: 'amd64', version: '7.81.0-1ubuntu1.14', source: 'curl', source_version: '7.81.0-1ubuntu1.14' },
    { name: 'libsystemd0', arch: 'amd64', version: '249.11-0ubuntu3.12', source: 'systemd', source_version: '249.11-0ubuntu3.12' },
  ];
  const { rows, problems } = matchHost(index, { ecosystem: jammy, packages: host });

  it('matches CVE and USN records, narrows by listed binaries, marks the unfixed one', () => {
    expect(problems).toEqual([]);
    expect(rowsOf(rows)).toEqual([
      ['UBUNTU-CVE-2023-4911', 'libc-bin', '2.35-0ubuntu3.4', false],
      ['UBUNTU-CVE-2023-4911', 'libc6', '2.35-0ubuntu3.4', false],
      // No fixed event, only introduced "0": every version is affected (no binaries list → no narrowing).
      ['UBUNTU-CVE-2023-7008', 'libsystemd0', null, true],
      ['UBUNTU-CVE-2024-6387', 'openssh-server', '1:8.9p1-3ubuntu0.10', false],
      ['USN-6409-1', 'libc-bin', '2.35-0ubuntu3.4', false],
      ['USN-6409-1', 'libc6', '2.35-0ubuntu3.4', false],
      ['USN-6859-1', 'openssh-server', '1:8.9p1-3ubuntu0.10', false],
    ]);
    // curl 7.81.0-1ubuntu1.14 is exactly CVE-2023-38545's 22.04 fix.
    expect(rows.some((r) => r.package === 'curl')).toBe(false);
  });

  it('keeps the USN publication time (the fix release) and its lack of severity', () => {
    expect(rows.find((r) => r.advisory_id === 'USN-6409-1')).toMatchObject({
      published: '2023-10-03T18:04:23.013596Z', aliases: [], severity: { source: 'none' },
    });
    expect(rows.find((r) => r.advisory_id === 'UBUNTU-CVE-2023-7008')?.severity).toMatchObject({ source: 'vendor', label: 'low' });
  });

  it('takes a vendor severity reported by the host when the advisory has none', () => {
    const again = matchHost(index, { ecosystem: jammy, packages: host, reportedSeverity: { 'USN-6409-1': 'high', 'UBUNTU-CVE-2023-4911': 'low' } });
    expect(again.rows.find((r) => r.advisory_id === 'USN-6409-1')?.severity).toEqual({ source: 'vendor', label: 'high', from: 'agent' });
    // The advisory's own priority wins over the report.
    expect(again.rows.find((r) => r.advisory_id === 'UBUNTU-CVE-2023-4911')?.severity.label).toBe('high');
  });
});

describe('Ubuntu Pro and the older binaries shape', () => {
  it('an 18.04 host gets the Pro (ESM) entry only when Pro is attached', () => {
    const systemd: HostPackage[] = [{ name: 'systemd', arch: 'amd64', version: '237-3ubuntu10.57', source: 'systemd', source_version: '237-3ubuntu10.57' }];
    const bionic = { id: 'ubuntu', version_id: '18.04' };
    expect(matchHost(index, { ecosystem: hostEcosystem(bionic), packages: systemd }).rows).toEqual([]);
    const pro = matchHost(index, { ecosystem: hostEcosystem(bionic, { ubuntuPro: true }), packages: systemd }).rows;
    expect(rowsOf(pro)).toEqual([['UBUNTU-CVE-2023-7008', 'systemd', null, true]]);
    expect(pro[0]!.ecosystem).toBe('Ubuntu:Pro:18.04:LTS');
  });

  it('a Pro host also gets the standard entries, without duplicate rows', () => {
    const proNoble = hostEcosystem({ id: 'ubuntu', version_id: '24.04' }, { ubuntuPro: true });
    const older = packages.map((p) => (p.source === 'glibc' ? { ...p, version: '2.38-1ubuntu5', source_version: '2.38-1ubuntu5' } : p));
    expect(rowsOf(matchHost(index, { ecosystem: proNoble, packages: older }).rows)).toHaveLength(2);
  });

  it('narrows with the schema-1.6.3 dict shape [{binary: version}] too', () => {
    const base = records.find((r) => r.id === 'USN-6409-1')!;
    const variant: OsvRecord = {
      ...base,
      id: 'UBUNTU-CVE-2024-0727',
      affected: [{ ...base.affected![0]!, ecosystem_specific: { binaries: [{ 'libc6': '2.35-0ubuntu3.4', 'libc-bin': '2.35-0ubuntu3.4' }] } }],
    };
    const small = buildAdvisoryIndex([variant]);
    const host: HostPackage[] = ['libc6', 'libc-bin', 'locales'].map((name) => ({ name, arch: 'amd64', version: '2.35-0ubuntu3.3', source: 'glibc', source_version: '2.35-0ubuntu3.3' }));
    expect(matchHost(small, { ecosystem: jammy, packages: host }).rows.map((r) => r.package)).toEqual(['libc-bin', 'libc6']);
  });
});
