import { describe, expect, it } from 'vitest';
import { evrString, parseNevra, parseSourceRpm } from '../../../agent/sources/rpm-nevra.ts';
import { parseRpmQuery } from '../../../agent/sources/rpm-query.ts';
import { shared } from '../helpers/source-fixtures.ts';

/** AlmaLinux 9.8 `NVRA\tSOURCERPM` rows → the agent's query columns (epochs as real rpm has them for openssl). */
function almaAsQuery(): string {
  const epochs: Record<string, number> = { 'openssl-libs': 1, 'openssl-fips-provider': 1 };
  return (
    shared('inventories/almalinux-9.8-minimal/rpm-qa.tsv')
      .split('\n')
      .filter((l) => l !== '')
      .map((l, i) => {
        const [nvra = '', srpm = ''] = l.split('\t');
        if (nvra.startsWith('gpg-pubkey-')) return ['gpg-pubkey', '0', 'b86b3716', '61e69f29', '(none)', '(none)', '1760000000'].join('\t');
        const n = parseNevra(nvra)!;
        return [n.name, String(epochs[n.name] ?? 0), n.version, n.release, n.arch, srpm, String(1760000000 + i)].join('\t');
      })
      .join('\n') + '\n'
  );
}

/** One row of trivy's CentOS 6 golden: rpm's own split E/V/R and the source RPM's name and EVR. */
interface GoldenRpm { Name: string; Epoch: number; Version: string; Release: string; Arch: string; SrcName: string; SrcEpoch: number; SrcVersion: string; SrcRelease: string }
const centos6 = (): GoldenRpm[] => JSON.parse(shared('inventories/trivy-fixture-goldens/centos-6.packages.json')) as GoldenRpm[];

/** The golden as `rpm -qa --qf RPM_QUERY_FORMAT` prints it: SOURCERPM is the file name (rpm keeps no epoch there), no install time. */
function centos6AsQuery(rows: GoldenRpm[]): string {
  return rows.map((p) => [p.Name, String(p.Epoch), p.Version, p.Release, p.Arch, `${p.SrcName}-${p.SrcVersion}-${p.SrcRelease}.src.rpm`, '(none)'].join('\t')).join('\n') + '\n';
}

describe('rpm NEVRA', () => {
  it('parses NEVRA with and without epoch, dnf and yum style', () => {
    expect(parseNevra('openssl-libs-1:3.0.7-27.el9.x86_64')).toEqual({ name: 'openssl-libs', epoch: 1, version: '3.0.7', release: '27.el9', arch: 'x86_64' });
    expect(parseNevra('1:openssl-1.0.2k-25.el7_9.x86_64')).toEqual({ name: 'openssl', epoch: 1, version: '1.0.2k', release: '25.el7_9', arch: 'x86_64' });
    expect(parseNevra('389-ds-base-2.4.5-1.el9.x86_64')).toMatchObject({ name: '389-ds-base', version: '2.4.5' });
    expect(parseNevra('tzdata-2026c-1.el9_8.noarch')).toMatchObject({ name: 'tzdata', arch: 'noarch' });
    expect(parseNevra('gpg-pubkey-b86b3716-61e69f29')).toBeNull();
    expect(parseNevra('nonsense')).toBeNull();
  });

  it('parses source RPM file names and prints EVRs', () => {
    expect(parseSourceRpm('chkconfig-1.24-2.el9.src.rpm')).toEqual({ name: 'chkconfig', version: '1.24', release: '2.el9' });
    expect(parseSourceRpm('(none)')).toBeNull();
    expect(evrString(0, '3.0.7', '27.el9')).toBe('3.0.7-27.el9');
    expect(evrString(1, '3.0.7', '27.el9')).toBe('1:3.0.7-27.el9');
  });
});

describe('parseRpmQuery', () => {
  it('reads the AlmaLinux 9.8 inventory: 101 packages, gpg-pubkey left out, sources from SOURCERPM', () => {
    const { items, invalid, truncated } = parseRpmQuery(almaAsQuery());
    expect(invalid).toEqual([]);
    expect(truncated).toBe(false);
    expect(items).toHaveLength(101);
    expect(items.find((p) => p.name === 'gpg-pubkey')).toBeUndefined();
    const by = new Map(items.map((p) => [p.name, p]));
    expect(by.get('alternatives')).toMatchObject({ arch: 'x86_64', version: '1.24-2.el9', source: 'chkconfig', source_version: '1.24-2.el9' });
    expect(by.get('openssl-libs')).toMatchObject({ version: '1:3.5.5-6.el9_8', source: 'openssl', source_version: '1:3.5.5-6.el9_8' });
    expect(by.get('curl-minimal')).toMatchObject({ source: 'curl', source_version: '7.76.1-40.el9_8.5' });
    expect(by.get('tzdata')!.arch).toBe('noarch');
    expect(by.get('alternatives')!.installed_at).toMatch(/^2025-10-09T\d\d:\d\d:\d\dZ$/);
  });

  it('reads the real CentOS 6 inventory (trivy golden): epochs and source RPMs as rpm recorded them', () => {
    const rows = centos6();
    const { items, invalid, truncated } = parseRpmQuery(centos6AsQuery(rows));
    expect(invalid).toEqual([]);
    expect(truncated).toBe(false);
    expect(items).toHaveLength(129);
    const by = new Map(items.map((p) => [p.name, p]));
    // epochs, some high, carried into both the binary and the source version
    expect(by.get('bind-libs')).toEqual({ name: 'bind-libs', arch: 'x86_64', version: '32:9.8.2-0.68.rc1.el6_10.1', source: 'bind', source_version: '32:9.8.2-0.68.rc1.el6_10.1' });
    expect(by.get('bind-utils')).toMatchObject({ version: '32:9.8.2-0.68.rc1.el6_10.1', source: 'bind' });
    expect(by.get('tar')).toMatchObject({ version: '2:1.23-15.el6_8', source: 'tar', source_version: '2:1.23-15.el6_8' });
    expect(by.get('dbus-libs')).toMatchObject({ version: '1:1.2.24-9.el6', source: 'dbus', source_version: '1:1.2.24-9.el6' });
    expect(by.get('vim-minimal')).toMatchObject({ version: '2:7.4.629-5.el6_8.1', source: 'vim' });
    // epoch 0 is not written; binaries from a differently named source
    expect(by.get('glibc-common')).toEqual({ name: 'glibc-common', arch: 'x86_64', version: '2.12-1.212.el6', source: 'glibc', source_version: '2.12-1.212.el6' });
    expect(by.get('python-libs')).toMatchObject({ source: 'python', source_version: '2.6.6-66.el6_8' });
    expect(by.get('setup')).toMatchObject({ arch: 'noarch', version: '2.8.14-23.el6' });
    expect(items.some((p) => 'installed_at' in p)).toBe(false); // (none) is no time
    // every row: what trivy read from the same rpmdb
    for (const g of rows) {
      const p = by.get(g.Name)!;
      const evr = (e: number, v: string, r: string) => `${e > 0 ? `${e}:` : ''}${v}-${r}`;
      expect([p.arch, p.version, p.source, p.source_version], g.Name).toEqual([g.Arch, evr(g.Epoch, g.Version, g.Release), g.SrcName, evr(g.SrcEpoch, g.SrcVersion, g.SrcRelease)]);
    }
    expect(items.filter((p) => p.version.includes(':')).map((p) => p.name).sort()).toEqual(
      ['bind-libs', 'bind-utils', 'dbus-libs', 'ethtool', 'findutils', 'make', 'pkgconfig', 'shadow-utils', 'tar', 'vim-minimal'],
    );
    expect(items.filter((p) => p.source !== p.name)).toHaveLength(39);
  });

  it('reads the same real packages back from NEVRA strings, dnf style (name-E:V-R.A) and yum.log style (E:name-V-R.A)', () => {
    for (const g of centos6().filter((r) => r.Epoch > 0 || r.Name.includes('-'))) {
      const want = { name: g.Name, epoch: g.Epoch, version: g.Version, release: g.Release, arch: g.Arch };
      const evr = `${g.Version}-${g.Release}.${g.Arch}`;
      expect(parseNevra(`${g.Name}-${g.Epoch > 0 ? `${g.Epoch}:` : ''}${evr}`), g.Name).toEqual(want);
      if (g.Epoch > 0) expect(parseNevra(`${g.Epoch}:${g.Name}-${evr}`), g.Name).toEqual(want);
      expect(parseSourceRpm(`${g.SrcName}-${g.SrcVersion}-${g.SrcRelease}.src.rpm`), g.Name).toEqual({ name: g.SrcName, version: g.SrcVersion, release: g.SrcRelease });
    }
  });

  it('skips garbage and a truncated last line', () => {
    const text = 'bash\t0\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\t1760000000\nnot a row\nbad name\t0\t1\t1\tx86_64\t(none)\t0\nzlib\t0\t1.2.11\t40.el9\tx86';
    const r = parseRpmQuery(text);
    expect(r.items.map((p) => p.name)).toEqual(['bash']);
    expect(r.invalid).toHaveLength(2);
    expect(r.truncated).toBe(true);
  });
});
