import { describe, expect, it } from 'vitest';
import { fixedOffset } from '../../../agent/sources/local-time.ts';
import { parseZyppHistory } from '../../../agent/sources/zypp-history.ts';
import { zypperSource } from '../../../agent/sources/zypper.ts';
import { decodeEntities, parseZypperPatches, parseZypperPatchInfo, parseZypperUpdates, scanTags } from '../../../agent/sources/zypper-xml.ts';
import { sample, scriptedExec, testContext } from '../helpers/source-fixtures.ts';

describe('zypper XML', () => {
  it('scans tags with attributes and entities', () => {
    expect(scanTags('<a x="1" y=\'&lt;2&gt;\'/><b></b>')).toEqual([
      { name: 'a', attrs: { x: '1', y: '<2>' }, closing: false, selfClosing: true },
      { name: 'b', attrs: {}, closing: false, selfClosing: false },
      { name: 'b', attrs: {}, closing: true, selfClosing: false },
    ]);
    expect(decodeEntities('&amp;&#65;&#x42;&quot;')).toBe('&AB"');
  });

  it('reads list-updates: candidate, installed (edition-old), arch and repository alias', () => {
    const { items, invalid } = parseZypperUpdates(sample('zypper-list-updates.xml'));
    expect(invalid).toEqual([]);
    expect(items).toEqual([
      { name: 'libopenssl3', arch: 'x86_64', candidate: '3.1.4-150600.5.24.1', installed: '3.1.4-150600.5.15.1', repo: 'SLE-Module-Basesystem15-SP6-Updates' },
      { name: 'openssl-3', arch: 'x86_64', candidate: '3.1.4-150600.5.24.1', installed: '3.1.4-150600.5.15.1', repo: 'SLE-Module-Basesystem15-SP6-Updates' },
      { name: 'timezone', arch: 'x86_64', candidate: '2026c-150000.75.40.1', installed: '2026a-150000.75.37.1', repo: 'SLE-Module-Basesystem15-SP6-Updates' },
    ]);
  });

  it('reads list-patches: category, severity, issue date and CVEs', () => {
    const { items } = parseZypperPatches(sample('zypper-list-patches.xml'));
    expect(items[0]).toEqual({ name: 'SUSE-SLE-Module-Basesystem-15-SP6-2026-3911', category: 'security', severity: 'important', status: 'needed', issued: new Date('2026-11-13T09:40:00Z'), cves: ['CVE-2026-20001', 'CVE-2026-20002'] });
    expect(items[1]).toMatchObject({ category: 'recommended', cves: [] });
  });

  it('reads the packages each patch fixes from `zypper info -t patch`', () => {
    const map = parseZypperPatchInfo(sample('zypper-info-patch.txt'));
    expect(map.get('SUSE-SLE-Module-Basesystem-15-SP6-2026-3911')).toEqual([
      { name: 'libopenssl-3-devel', arch: 'x86_64' },
      { name: 'libopenssl3', arch: 'x86_64' },
      { name: 'openssl-3', arch: 'x86_64' },
      { name: 'openssl-3-doc', arch: 'noarch' },
    ]);
    expect(map.get('SUSE-SLE-Module-Basesystem-15-SP6-2026-3950')).toHaveLength(2);
  });

  it('the zypper source flags the openssl updates as important security fixes', async () => {
    const calls: string[] = [];
    const exec = scriptedExec(
      {
        'zypper --non-interactive --no-refresh --xmlout list-updates': { stdout: sample('zypper-list-updates.xml') },
        'zypper --non-interactive --no-refresh --xmlout list-patches': { stdout: sample('zypper-list-patches.xml'), code: 101 },
        'zypper --non-interactive --no-refresh info -t patch': { stdout: sample('zypper-info-patch.txt') },
        rpm: { stdout: 'openssl-3\t0\t3.1.4\t150600.5.15.1\tx86_64\topenssl-3-3.1.4-150600.5.15.1.src.rpm\t1760000000\n' },
      },
      calls,
    );
    const ctx = testContext({ exec });
    const pending = await zypperSource().pending(ctx);
    expect(ctx.warnings).toEqual([]);
    expect(pending.find((p) => p.name === 'openssl-3')).toEqual({
      name: 'openssl-3',
      arch: 'x86_64',
      installed: '3.1.4-150600.5.15.1',
      candidate: '3.1.4-150600.5.24.1',
      security: true,
      origin: 'SLE-Module-Basesystem15-SP6-Updates',
      advisories: ['CVE-2026-20001', 'CVE-2026-20002', 'SUSE-SLE-Module-Basesystem-15-SP6-2026-3911'],
      severity: 'important',
      issued: '2026-11-13T09:40:00Z',
    });
    expect(pending.find((p) => p.name === 'timezone')).toMatchObject({ security: false, severity: 'moderate' });
    expect(calls.filter((c) => c.includes('info -t patch'))).toHaveLength(1);
  });
});

describe('zypp history', () => {
  it('reads installs, upgrades (from the previous install row) and removals with the command that ran them', () => {
    const { items, invalid } = parseZyppHistory(sample('zypp-history'), fixedOffset(0));
    expect(invalid).toEqual([]);
    expect(items).toEqual([
      { time: '2026-05-02T09:00:01Z', action: 'install', name: 'openssl-3', arch: 'x86_64', from: null, to: '3.1.4-150600.5.15.1', by: 'root@sles15', command: 'zypper in openssl-3' },
      { time: '2026-05-02T09:00:01Z', action: 'install', name: 'libopenssl3', arch: 'x86_64', from: null, to: '3.1.4-150600.5.15.1', by: 'root@sles15', command: 'zypper in openssl-3' },
      { time: '2026-11-20T14:02:15Z', action: 'upgrade', name: 'openssl-3', arch: 'x86_64', from: '3.1.4-150600.5.15.1', to: '3.1.4-150600.5.24.1', by: 'admin@sles15', command: 'zypper patch --category security' },
      { time: '2026-11-20T14:03:00Z', action: 'remove', name: 'nano', arch: 'x86_64', from: '7.2-150600.1.3', to: null, by: 'admin@sles15', command: 'zypper patch --category security' },
    ]);
  });
});
