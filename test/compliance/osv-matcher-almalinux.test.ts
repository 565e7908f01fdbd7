import { describe, expect, it } from 'vitest';
import { hostEcosystem } from '../../compliance/ecosystem.ts';
import { buildAdvisoryIndex } from '../../compliance/osv-index.ts';
import { createMatcher, matchHost, type HostPackage } from '../../compliance/osv-matcher.ts';
import { parseRpmVersion } from '../../compliance/rpm-version.ts';
import { ALMA_EPOCHS, almaPackages, readRecords } from './inventories.ts';

const records = readRecords('osv/almalinux9/advisories');
const index = buildAdvisoryIndex(records);
const alma9 = hostEcosystem({ id: 'almalinux', version_id: '9.8', id_like: 'rhel centos fedora', name: 'AlmaLinux' });
const packages = almaPackages();

function withVersions(overrides: Record<string, string>): HostPackage[] {
  return packages.map((p) => (overrides[p.name] === undefined ? p : { ...p, version: overrides[p.name]! }));
}

describe('AlmaLinux 9 advisories: the index', () => {
  it('indexes every affected entry of the 1,783 records, all versions parse', () => {
    expect(records).toHaveLength(1783);
    expect(index.problems).toEqual([]);
    expect(index.entries).toBe(24_012);
    // The almalinux9 folder also carries AlmaLinux:8 and :10 entries; they are kept apart.
    expect([...index.byEcosystem.keys()].sort()).toEqual(['AlmaLinux:10', 'AlmaLinux:8', 'AlmaLinux:9']);
  });

  it('the inventory epochs agree with the epochs of AlmaLinux:9 fixed versions', () => {
    const seen = new Map<string, Set<string>>();
    for (const p of packages) {
      for (const entry of index.byEcosystem.get('AlmaLinux:9')!.get(p.name) ?? []) {
        for (const e of entry.ranges.flat()) {
          if (e.kind === 'fixed') seen.set(p.name, (seen.get(p.name) ?? new Set()).add(parseRpmVersion(e.text).epoch));
        }
      }
    }
    const withEpoch = Object.fromEntries([...seen].filter(([, s]) => [...s].some((x) => x !== '0')).map(([n, s]) => [n, [...s].join()]));
    expect(withEpoch).toEqual({ gmp: '1', 'openssl-libs': '1', 'shadow-utils': '2' });
    for (const [name, epoch] of Object.entries(withEpoch)) expect(ALMA_EPOCHS[name]).toBe(epoch);
  });
});

describe('AlmaLinux 9.8 minimal image (real inventory)', () => {
  it('has 101 judgeable packages', () => expect(packages).toHaveLength(101));

  it('is fully patched: no advisory matches', () => {
    const result = matchHost(index, { ecosystem: alma9, packages });
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([]);
  });

  it('an installed version equal to the fix is not affected (curl-minimal 7.76.1-40.el9_8.5 = ALSA-2026:55439)', () => {
    const curl = packages.find((p) => p.name === 'curl-minimal')!;
    expect(curl.version).toBe('7.76.1-40.el9_8.5');
    const entry = index.byEcosystem.get('AlmaLinux:9')!.get('curl-minimal')!.find((e) => e.advisoryId === 'ALSA-2026:55439')!;
    expect(entry.ranges.flat().map((e) => e.text)).toEqual(['0', '7.76.1-40.el9_8.5']);
  });

  it('old advisories do not match because the installed version is newer', () => {
    // bash 5.1.8-9.el9 > ALSA-2023:0340's 5.1.8-6.el9_1; zlib 1.2.11-40.el9 > ALSA-2022:7314's 1.2.11-32.el9_0;
    // glibc 2.34-275.el9_8 > ALSA-2026:42952's 2.34-274.el9_8; openssl-libs 1:3.5.5-6.el9_8 > ALSA-2026:25239's 1:3.5.5-4.el9_8.
    const ids = new Set(['ALSA-2023:0340', 'ALSA-2022:7314', 'ALSA-2026:42952', 'ALSA-2026:25239']);
    const names = new Set(['bash', 'zlib', 'glibc', 'openssl-libs']);
    const relevant = index.byEcosystem.get('AlmaLinux:9')!;
    for (const name of names) expect((relevant.get(name) ?? []).some((e) => ids.has(e.advisoryId))).toBe(true);
    expect(matchHost(index, { ecosystem: alma9, packages }).rows.filter((r) => ids.has(r.advisory_id))).toEqual([]);
  });

  it('without the epoch, openssl-libs 3.5.5 would look older than 1:3.0.7: inventories must carry epochs', () => {
    const noEpoch = almaPackages({});
    const rows = matchHost(index, { ecosystem: alma9, packages: noEpoch }).rows;
    expect(rows.filter((r) => r.package === 'openssl-libs').length).toBeGreaterThan(10);
    expect(rows.every((r) => ['openssl-libs', 'gmp', 'shadow-utils'].includes(r.package))).toBe(true);
  });
});

describe('the same host before its last curl and openssl updates (real earlier builds)', () => {
  // Installed = the fixed builds of the previous advisories: curl ALSA-2026:1350, openssl ALSA-2026:19218.
  const older = withVersions({
    'curl-minimal': '7.76.1-35.el9_7.3',
    'libcurl-minimal': '7.76.1-35.el9_7.3',
    'openssl-libs': '1:3.5.5-2.el9_8',
  });
  const { rows, problems } = matchHost(index, { ecosystem: alma9, packages: older });

  it('matches exactly the later curl and openssl advisories, per binary RPM', () => {
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.advisory_id, r.package, r.installed_version, r.fixed_version])).toEqual([
      ['ALSA-2026:22312', 'openssl-libs', '1:3.5.5-2.el9_8', '1:3.5.5-3.el9_8'],
      ['ALSA-2026:25239', 'openssl-libs', '1:3.5.5-2.el9_8', '1:3.5.5-4.el9_8'],
      ['ALSA-2026:55439', 'curl-minimal', '7.76.1-35.el9_7.3', '7.76.1-40.el9_8.5'],
      ['ALSA-2026:55439', 'libcurl-minimal', '7.76.1-35.el9_7.3', '7.76.1-40.el9_8.5'],
    ]);
  });

  it('fills each row from the advisory: CVEs, dates (an ALSA dates its own fix), severity from the summary', () => {
    expect(rows.find((r) => r.advisory_id === 'ALSA-2026:55439' && r.package === 'curl-minimal')).toEqual({
      advisory_id: 'ALSA-2026:55439',
      aliases: ['CVE-2026-1965', 'CVE-2026-3783', 'CVE-2026-8286', 'CVE-2026-9547'],
      ecosystem: 'AlmaLinux:9',
      package: 'curl-minimal',
      arch: 'x86_64',
      source: 'curl',
      installed_version: '7.76.1-35.el9_7.3',
      compared_version: '7.76.1-35.el9_7.3',
      fixed_version: '7.76.1-40.el9_8.5',
      unfixed: false,
      published: '2026-08-17T00:00:00Z',
      modified: '2026-08-18T08:52:48Z',
      fix_published: '2026-08-17T00:00:00Z',
      fix_published_source: 'ALSA-2026:55439',
      severity: { source: 'vendor', label: 'important', from: 'summary' },
    });
    expect(rows.find((r) => r.advisory_id === 'ALSA-2026:22312')?.severity.label).toBe('moderate');
  });

  it('does not match ALSA-2026:1350 / ALSA-2026:19218, whose fixes are exactly what is installed', () => {
    expect(rows.some((r) => r.advisory_id === 'ALSA-2026:1350' || r.advisory_id === 'ALSA-2026:19218')).toBe(false);
  });
});

describe('ecosystem scoping and bad input', () => {
  it('AlmaLinux:8 and :10 entries in the same folder do not apply to an AlmaLinux 9 host', () => {
    const in9 = index.byEcosystem.get('AlmaLinux:9')!;
    const name = [...index.byEcosystem.get('AlmaLinux:10')!.keys()].sort().find((n) => in9.has(n))!;
    expect(name).toMatch(/^java-/);
    const pkg = [{ name, arch: 'x86_64', version: '0.1-1' }];
    const on9 = matchHost(index, { ecosystem: alma9, packages: pkg }).rows;
    expect(on9.length).toBeGreaterThan(0);
    expect(new Set(on9.map((r) => r.ecosystem))).toEqual(new Set(['AlmaLinux:9']));
    const alma10 = hostEcosystem({ id: 'almalinux', version_id: '10.0' });
    const on10 = matchHost(index, { ecosystem: alma10, packages: pkg }).rows;
    expect(on10.map((r) => r.advisory_id)).toEqual(
      [...new Set(index.byEcosystem.get('AlmaLinux:10')!.get(name)!.map((e) => e.advisoryId))].sort(),
    );
    expect(new Set(on10.map((r) => r.ecosystem))).toEqual(new Set(['AlmaLinux:10']));
  });

  it('reports an installed version that does not parse instead of guessing', () => {
    const result = matchHost(index, { ecosystem: alma9, packages: [{ name: 'bash', arch: 'x86_64', version: '5.1.8 9.el9' }] });
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([{ package: 'bash', arch: 'x86_64', version: '5.1.8 9.el9', reason: expect.stringMatching(/invalid rpm version/) }]);
  });
});

describe('fleet scale', () => {
  it('matches 1,000 hosts × 700 packages against the whole index in seconds', () => {
    const names = [...index.byEcosystem.get('AlmaLinux:9')!.keys()].sort().slice(0, 700);
    const fixes = names.map((n) => index.byEcosystem.get('AlmaLinux:9')!.get(n)!.flatMap((e) => e.ranges.flat().filter((x) => x.kind === 'fixed').map((x) => x.text)));
    const matcher = createMatcher(index);
    const t0 = performance.now();
    let rows = 0;
    for (let h = 0; h < 1000; h++) {
      const pkgs = names.map((name, i) => ({ name, arch: 'x86_64', version: fixes[i]![(h + i) % fixes[i]!.length]! }));
      rows += matcher.matchHost({ ecosystem: alma9, packages: pkgs }).rows.length;
    }
    const ms = performance.now() - t0;
    expect(rows).toBeGreaterThan(0);
    expect(ms).toBeLessThan(20_000);
  });
});
