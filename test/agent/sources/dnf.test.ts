import { describe, expect, it } from 'vitest';
import { parseDnfCheckUpdate } from '../../../agent/sources/dnf-check-update.ts';
import { parseDnfRpmLog, parseYumLog } from '../../../agent/sources/dnf-log.ts';
import { parseDnf5AdvisoryInfo, parseDnf5AdvisoryList, parseUpdateinfoInfo, parseUpdateinfoList } from '../../../agent/sources/dnf-updateinfo.ts';
import { fixedOffset } from '../../../agent/sources/local-time.ts';
import { applyAdvisories } from '../../../agent/sources/rpm-advisories.ts';
import { sample } from '../helpers/source-fixtures.ts';

const utc = fixedOffset(0);

describe('dnf check-update', () => {
  it('reads dnf4 rows, joins a wrapped long name, stops at the obsoletes section', () => {
    const { items, invalid } = parseDnfCheckUpdate(sample('dnf4-check-update.txt'));
    expect(invalid).toEqual([]);
    expect(items.map((u) => `${u.name}.${u.arch} ${u.candidate} ${u.repo}`)).toEqual([
      'curl-minimal.x86_64 7.76.1-40.el9_8.6 baseos',
      'glibc.x86_64 2.34-276.el9_8 baseos',
      'glibc-common.x86_64 2.34-276.el9_8 baseos',
      'glibc-minimal-langpack.x86_64 2.34-276.el9_8 baseos',
      'libcurl-minimal.x86_64 7.76.1-40.el9_8.6 baseos',
      'libxml2.x86_64 2.9.13-14.el9_8.5 baseos',
      'openssl-fips-provider.x86_64 1:3.5.5-7.el9_8 baseos',
      'openssl-libs.x86_64 1:3.5.5-7.el9_8 baseos',
      'tzdata.noarch 2026d-1.el9_8 baseos',
      'python3-setuptools-wheel-but-with-a-very-long-name.noarch 53.0.0-13.el9_8.1 appstream',
    ]);
  });

  it('reads dnf5 check-upgrade rows and reports malformed ones', () => {
    expect(parseDnfCheckUpdate(sample('dnf5-check-upgrade.txt')).items.map((u) => u.name)).toEqual(['curl', 'libcurl', 'openssl-libs', 'kernel-core']);
    const r = parseDnfCheckUpdate('Loaded plugins: fastestmirror, langpacks\nbash.x86_64 notaversion base\nzlib.x86_64 1.2.7-21.el7_9 updates\n');
    expect(r.items.map((u) => u.name)).toEqual(['zlib']);
    expect(r.invalid).toEqual(['bash.x86_64 notaversion base']);
  });
});

describe('dnf advisories', () => {
  it('reads dnf4 updateinfo list lines with severity labels', () => {
    const { items, invalid } = parseUpdateinfoList(sample('dnf4-updateinfo-list.txt'));
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(10);
    expect(items[0]).toEqual({ id: 'ALSA-2026:10231', type: 'security', severity: 'Important', nevra: { name: 'curl-minimal', epoch: 0, version: '7.76.1', release: '40.el9_8.6', arch: 'x86_64' } });
    expect(items.find((r) => r.id === 'ALBA-2026:10240')).toMatchObject({ type: 'bugfix' });
    expect(items.find((r) => r.id === 'ALEA-2026:10250')!.severity).toBeUndefined();
    const yum = parseUpdateinfoList('Loaded plugins: fastestmirror, langpacks\nRHSA-2023:0001 Important/Sec. 1:openssl-1.0.2k-26.el7_9.x86_64\nnot an advisory row\nupdateinfo list done\n');
    expect(yum.items.map((r) => [r.id, r.nevra.name, r.nevra.epoch])).toEqual([['RHSA-2023:0001', 'openssl', 1]]);
    expect(yum.invalid).toEqual(['not an advisory row']);
  });

  it('reads dnf4 updateinfo info blocks: CVEs on continuation lines, Updated time, Severity None dropped', () => {
    const { items } = parseUpdateinfoInfo(sample('dnf4-updateinfo-info.txt'), utc);
    expect(items.map((i) => i.id)).toEqual(['ALSA-2026:10231', 'ALBA-2026:10240', 'ALSA-2026:10198', 'ALSA-2026:10244', 'ALSA-2026:10101', 'ALEA-2026:10250']);
    expect(items[0]).toEqual({ id: 'ALSA-2026:10231', type: 'security', severity: 'Important', issued: new Date('2026-11-12T09:14:03Z'), cves: ['CVE-2026-10001', 'CVE-2026-10002'] });
    expect(items[1]!.severity).toBeUndefined();
    expect(items[3]!.cves).toEqual(['CVE-2026-20001', 'CVE-2026-20002', 'CVE-2026-20003']);
  });

  it('reads yum-style info blocks (`Update ID :`, Issued)', () => {
    const [adv] = parseUpdateinfoInfo(sample('yum-updateinfo-info.txt'), utc).items;
    expect(adv).toEqual({ id: 'RHSA-2023:0001', type: 'security', severity: 'Important', issued: new Date('2023-01-04T00:00:00Z'), cves: ['CVE-2023-0286'] });
  });

  it('reads dnf5 JSON list and info, and refuses non-JSON', () => {
    const list = parseDnf5AdvisoryList(sample('dnf5-advisory-list.json'));
    expect(list.invalid).toEqual([]);
    expect(list.items.map((r) => [r.id, r.type, r.severity ?? null, r.nevra.name])).toEqual([
      ['FEDORA-2026-3f1c2a7b9d', 'security', 'Moderate', 'curl'],
      ['FEDORA-2026-3f1c2a7b9d', 'security', 'Moderate', 'libcurl'],
      ['FEDORA-2026-88e0d41c2a', 'security', 'Important', 'openssl-libs'],
      ['FEDORA-2026-1b2c3d4e5f', 'bugfix', null, 'kernel-core'],
    ]);
    const info = parseDnf5AdvisoryInfo(sample('dnf5-advisory-info.json'), utc);
    expect(info.items[0]).toEqual({ id: 'FEDORA-2026-3f1c2a7b9d', type: 'security', severity: 'Moderate', issued: new Date('2026-11-10T18:22:05Z'), cves: ['CVE-2026-10001', 'CVE-2026-10002'] });
    expect(parseDnf5AdvisoryList('Error: no such command').invalid).toHaveLength(1);
    expect(parseDnf5AdvisoryInfo('{ truncated', utc).invalid).toHaveLength(1);
  });

  it('joins updates with advisories: security flag, highest severity, earliest issue, advisory + CVE ids', () => {
    const updates = parseDnfCheckUpdate(sample('dnf4-check-update.txt')).items;
    const installed = [
      { name: 'openssl-libs', arch: 'x86_64', version: '1:3.5.5-6.el9_8' },
      { name: 'tzdata', arch: 'noarch', version: '2026c-1.el9_8' },
    ];
    const pending = applyAdvisories(updates, installed, parseUpdateinfoList(sample('dnf4-updateinfo-list.txt')).items, parseUpdateinfoInfo(sample('dnf4-updateinfo-info.txt'), utc).items);
    const by = new Map(pending.map((p) => [p.name, p]));
    expect(by.get('openssl-libs')).toEqual({
      name: 'openssl-libs',
      arch: 'x86_64',
      installed: '1:3.5.5-6.el9_8',
      candidate: '1:3.5.5-7.el9_8',
      security: true,
      origin: 'baseos',
      advisories: ['ALSA-2026:10101', 'ALSA-2026:10244', 'CVE-2026-19000', 'CVE-2026-20001', 'CVE-2026-20002', 'CVE-2026-20003'],
      severity: 'Critical',
      issued: '2026-10-02T12:30:00Z',
    });
    expect(by.get('glibc')).toMatchObject({ installed: null, security: false, advisories: ['ALBA-2026:10240'], issued: '2026-11-13T00:00:00Z' });
    expect(by.get('tzdata')).toMatchObject({ installed: '2026c-1.el9_8', security: false });
    expect(by.get('python3-setuptools-wheel-but-with-a-very-long-name')!.advisories).toBeUndefined();
    expect(pending.filter((p) => p.security).map((p) => p.name)).toEqual(['curl-minimal', 'libcurl-minimal', 'libxml2', 'openssl-fips-provider', 'openssl-libs']);
  });
});

describe('rpm transaction logs', () => {
  it('pairs dnf.rpm.log Upgrade/Upgraded lines and honours the written zone', () => {
    const { items, invalid } = parseDnfRpmLog(sample('dnf.rpm.log'), utc);
    expect(invalid).toEqual(['this line is garbage']);
    expect(items.map((e) => [e.time, e.action, e.name, e.from ?? null, e.to ?? null])).toEqual([
      ['2026-05-01T10:00:05Z', 'upgrade', 'openssl-libs', '1:3.5.1-4.el9_7', '1:3.5.5-6.el9_8'],
      ['2026-05-01T10:00:06Z', 'upgrade', 'openssl-fips-provider', '1:3.5.1-4.el9_7', '1:3.5.5-6.el9_8'],
      ['2026-05-01T10:00:09Z', 'install', 'jq', null, '1.6-17.el9'],
      ['2026-05-01T10:00:09Z', 'install', 'oniguruma', null, '6.9.6-1.el9.5'],
      ['2026-06-02T06:30:00Z', 'remove', 'nano', '5.6.1-7.el9', null],
      ['2026-06-02T08:31:00Z', 'downgrade', 'tzdata', '2026c-1.el9_8', '2026a-1.el9_8'],
      ['2026-06-02T08:32:00Z', 'reinstall', 'bash', '5.1.8-9.el9', '5.1.8-9.el9'],
    ]);
    expect(parseDnfRpmLog(sample('dnf.rpm.log'), utc, new Date('2026-06-01T00:00:00Z')).items.map((e) => e.name)).toEqual(['nano', 'tzdata', 'bash']);
  });

  it('dates yum.log lines (no year) back from the file time across a new year', () => {
    const { items, invalid } = parseYumLog(sample('yum.log'), utc, new Date('2026-01-05T00:00:00Z'));
    expect(invalid).toEqual([]);
    expect(items.map((e) => [e.time, e.action, e.name, e.to ?? null])).toEqual([
      ['2025-11-29T09:12:01Z', 'install', 'libyaml', '0.1.4-11.el7_0'],
      ['2025-12-14T16:40:55Z', 'upgrade', 'openssl-libs', '1:1.0.2k-25.el7_9'],
      ['2025-12-14T16:40:56Z', 'upgrade', 'openssl', '1:1.0.2k-25.el7_9'],
      ['2026-01-03T08:00:00Z', 'remove', 'nano', null],
      ['2026-01-04T10:15:30Z', 'install', 'vim-enhanced', '2:7.4.629-8.el7_9'],
    ]);
  });
});
