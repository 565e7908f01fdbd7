import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distroArch, primaryAddresses, readHostFacts, sanitizeHostname } from '../../agent/host-facts.ts';
import { parseOsRelease } from '../../agent/os-release.ts';
import { fakeProbe, shared, testContext } from './helpers/source-fixtures.ts';

describe('os-release', () => {
  it('parses the Debian 12 and Alpine fixtures', () => {
    expect(parseOsRelease(shared('inventories/debian-12-local-host/os-release'))).toEqual({ id: 'debian', version_id: '12', version_codename: 'bookworm', name: 'Debian GNU/Linux', pretty_name: 'Debian GNU/Linux 12 (bookworm)' });
    expect(parseOsRelease(shared('inventories/alpine-3.11.5-installed-db/os-release'))).toEqual({ id: 'alpine', version_id: '3.11.5', name: 'Alpine Linux', pretty_name: 'Alpine Linux v3.11' });
  });

  it('handles id_like, quoting and values the schema would refuse', () => {
    const os = parseOsRelease("ID='rocky'\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"Rocky \\\"Blue\\\" Onyx\"\nVARIANT_ID=\"bad variant!\"\nUBUNTU_CODENAME=x y\n");
    expect(os).toEqual({ id: 'rocky', id_like: ['rhel', 'centos', 'fedora'], version_id: '9.4', pretty_name: 'Rocky "Blue" Onyx' });
    expect(parseOsRelease('ID=Évil\n').id).toBe('linux');
  });
});

describe('host facts helpers', () => {
  it('sanitises hostnames to the schema pattern', () => {
    expect(sanitizeHostname('web-01.example.com')).toBe('web-01.example.com');
    expect(sanitizeHostname('my host_01!.lan.')).toBe('my-host_01-.lan');
    expect(sanitizeHostname('-lead')).toBe('lead');
    expect(sanitizeHostname('')).toBe('localhost');
    expect(sanitizeHostname('a'.repeat(70))).toBe('a'.repeat(63));
  });

  it('maps machine names to distro architectures', () => {
    expect(distroArch('x86_64', 'dpkg')).toBe('amd64');
    expect(distroArch('aarch64', 'dpkg')).toBe('arm64');
    expect(distroArch('x86_64', 'rpm')).toBe('x86_64');
    expect(distroArch('aarch64', 'apk')).toBe('aarch64');
  });

  it('lists non-internal, non-link-local addresses', () => {
    expect(primaryAddresses(fakeProbe().networkInterfaces())).toEqual(['10.0.0.5', '2001:db8::5']);
  });
});

describe('readHostFacts', () => {
  const root = mkdtempSync(join(tmpdir(), 'pp-host-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const d of ['etc', 'proc', 'var/run']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), shared('inventories/debian-12-local-host/os-release'));
  writeFileSync(join(root, 'etc/machine-id'), '3d1219c7c4c5404aaa1f6d2a48adfda4\n');
  writeFileSync(join(root, 'proc/uptime'), '1594.37 3000.11\n');
  writeFileSync(join(root, 'proc/stat'), 'cpu  1 2 3\nbtime 1795147901\nprocesses 100\n');
  writeFileSync(join(root, 'proc/version'), 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n');
  writeFileSync(join(root, 'var/run/reboot-required'), '*** System restart required ***\n');
  writeFileSync(join(root, 'var/run/reboot-required.pkgs'), 'linux-image-6.1.0-21-amd64\nlibc6\n');

  it('reads identity, boot time, uptime, kernel build and the reboot flag under root', async () => {
    const ctx = testContext({ root });
    const facts = await readHostFacts(ctx, fakeProbe());
    expect(ctx.warnings).toEqual([]);
    expect(facts).toEqual({
      hostname: 'web-01.example.com',
      machine_id: '3d1219c7c4c5404aaa1f6d2a48adfda4',
      os: { id: 'debian', version_id: '12', version_codename: 'bookworm', name: 'Debian GNU/Linux', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
      machine: 'x86_64',
      kernelRelease: '6.1.0-18-amd64',
      kernelBuild: '6.1.76-1',
      boot_time: '2026-11-20T04:11:41Z',
      uptime_s: 1594,
      addresses: ['10.0.0.5', '2001:db8::5'],
      rebootFlag: { present: true, packages: ['linux-image-6.1.0-21-amd64', 'libc6'] },
    });
  });

  it('warns about a missing os-release and a rewritten hostname, falls back to node uptime', async () => {
    const ctx = testContext({ root: join(root, 'nothing-here') });
    const facts = await readHostFacts(ctx, fakeProbe({ hostname: () => 'bad host' }));
    expect(facts.os).toEqual({ id: 'linux' });
    expect(facts.hostname).toBe('bad-host');
    expect(facts.uptime_s).toBe(3600);
    expect(facts.boot_time).toBe('2026-11-22T11:00:00Z');
    expect(facts.machine_id).toBeUndefined();
    expect(ctx.warnings.map((w) => w.code).sort()).toEqual(['AGT_HOSTNAME_SANITIZED', 'AGT_HOST_FACT_UNAVAILABLE']);
  });
});
