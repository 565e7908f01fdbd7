import { describe, expect, it } from 'vitest';
import { isSecurityOrigin, parseAptSimulate } from '../../../agent/sources/apt-simulate.ts';
import { shared } from '../helpers/source-fixtures.ts';

describe('parseAptSimulate', () => {
  const text = shared('inventories/debian-12-local-host/apt-get-s-upgrade.txt');

  it('reads the real simulation: 136 upgrades, 81 from the security suite', () => {
    const { items, invalid } = parseAptSimulate(text);
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(136);
    expect(items.filter((u) => u.security)).toHaveLength(81);
  });

  it('takes the candidate, installed version, arch and origins of each Inst line', () => {
    const by = new Map(parseAptSimulate(text).items.map((u) => [u.name, u]));
    expect(by.get('libssl3')).toEqual({ name: 'libssl3', arch: 'amd64', installed: '3.0.19-1~deb12u2', candidate: '3.0.22-1~deb12u2', security: true, origin: 'Debian-Security:12/oldstable-security' });
    expect(by.get('bash')).toMatchObject({ installed: '5.2.15-2+b8', candidate: '5.2.15-2+b13', security: false, origin: 'Debian:12.15/oldstable' });
    // the same candidate in both the point release and the security suite counts as security
    expect(by.get('libgcrypt20')).toMatchObject({ security: true, origin: 'Debian:12.15/oldstable, Debian-Security:12/oldstable-security' });
    expect(by.get('libcap2')).toMatchObject({ installed: '1:2.66-4+deb12u2+b2', candidate: '1:2.66-4+deb12u3+b1' });
  });

  it('handles new installs, several trailing dependency notes, arch-qualified names, missing origins and garbage', () => {
    const lines = [
      'Inst linux-image-6.1.0-40-amd64 (6.1.153-1 Debian-Security:12/oldstable-security [amd64])',
      'Inst libpam-modules-bin [1.5.2-6+deb12u1] (1.5.2-6+deb12u2 Debian:12.15/oldstable [amd64]) [libpam-modules:amd64 on libpam-modules-bin:amd64] [libpam-modules:amd64 ]',
      'Inst libc6:i386 [2.36-9+deb12u10] (2.36-9+deb12u13 Ubuntu:24.04/noble-security [i386])',
      'Inst localpkg [1.0] (1.1 [all])',
      'Inst broken [1.0] (no closing paren',
      'Conf bash (5.2.15-2+b13 Debian:12.15/oldstable [amd64])',
      'Remv oldpkg [1.0]',
    ].join('\n');
    const { items, invalid } = parseAptSimulate(lines);
    expect(items.map((u) => [u.name, u.arch, u.installed, u.candidate, u.security])).toEqual([
      ['linux-image-6.1.0-40-amd64', 'amd64', null, '6.1.153-1', true],
      ['libpam-modules-bin', 'amd64', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', false],
      ['libc6', 'i386', '2.36-9+deb12u10', '2.36-9+deb12u13', true],
      ['localpkg', 'all', '1.0', '1.1', false],
    ]);
    expect(items[3]!.origin).toBeUndefined();
    expect(invalid).toEqual(['Inst broken [1.0] (no closing paren']);
  });

  it('recognises security origins by suite or label', () => {
    expect(isSecurityOrigin('Debian-Security:12/oldstable-security')).toBe(true);
    expect(isSecurityOrigin('Ubuntu:24.04/noble-security')).toBe(true);
    expect(isSecurityOrigin('Debian:12.15/oldstable')).toBe(false);
    expect(isSecurityOrigin('Ubuntu:24.04/noble-updates')).toBe(false);
  });
});
