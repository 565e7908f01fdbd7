import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostEcosystem, parseOsRelease, versionOrderFor } from '../../compliance/ecosystem.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixturePath } from './fixtures.ts';

const ecosystemNames = Object.keys(JSON.parse(readFileSync(fixturePath('osv/schema/ecosystems.json'), 'utf8')) as object);

describe('host → OSV ecosystem', () => {
  it('maps the real os-release files of the fixtures', () => {
    const debian = parseOsRelease(readFileSync(fixturePath('inventories/debian-12-local-host/os-release'), 'utf8'));
    expect(debian).toMatchObject({ id: 'debian', version_id: '12', name: 'Debian GNU/Linux' });
    expect(hostEcosystem(debian)).toMatchObject({ ecosystem: 'Debian:12', versionOrder: 'dpkg', packageNames: 'source' });
    const alpine = parseOsRelease(readFileSync(fixturePath('inventories/alpine-3.11.5-installed-db/os-release'), 'utf8'));
    expect(hostEcosystem(alpine)).toMatchObject({ ecosystem: 'Alpine:v3.11', versionOrder: 'apk' });
  });

  it.each([
    [{ id: 'ubuntu', version_id: '24.04' }, {}, 'Ubuntu:24.04:LTS', ['Ubuntu:24.04:LTS']],
    [{ id: 'ubuntu', version_id: '24.04', version: '24.04.1 LTS (Noble Numbat)' }, {}, 'Ubuntu:24.04:LTS', ['Ubuntu:24.04:LTS']],
    [{ id: 'ubuntu', version_id: '24.04' }, { ubuntuPro: true }, 'Ubuntu:Pro:24.04:LTS', ['Ubuntu:Pro:24.04:LTS', 'Ubuntu:24.04:LTS']],
    [{ id: 'ubuntu', version_id: '25.04' }, {}, 'Ubuntu:25.04', ['Ubuntu:25.04']],
    [{ id: 'ubuntu', version_id: '23.10' }, {}, 'Ubuntu:23.10', ['Ubuntu:23.10']],
    [{ id: 'debian', version_id: '12' }, {}, 'Debian:12', ['Debian:12', 'Debian']],
    [{ id: 'almalinux', version_id: '9.8', id_like: 'rhel centos fedora' }, {}, 'AlmaLinux:9', ['AlmaLinux:9', 'AlmaLinux']],
    [{ id: 'rocky', version_id: '9.4' }, {}, 'Rocky Linux:9', ['Rocky Linux:9', 'Rocky Linux']],
    [{ id: 'rhel', version_id: '9.4' }, {}, 'Red Hat:enterprise_linux:9', ['Red Hat:enterprise_linux:9']],
    [{ id: 'alpine', version_id: '3.20.3' }, {}, 'Alpine:v3.20', ['Alpine:v3.20']],
  ])('%j %j → %s', (osr, opts, ecosystem, match) => {
    const got = hostEcosystem(osr, opts);
    expect(got.ecosystem).toBe(ecosystem);
    expect(got.match).toEqual(match);
    // Every name is one of OSV's ecosystems.
    expect(ecosystemNames).toContain(ecosystem.split(':')[0]);
  });

  it('Red Hat matches its CPE streams by prefix', () => {
    expect(hostEcosystem({ id: 'rhel', version_id: '9.4' }).matchPrefixes).toEqual(['Red Hat:enterprise_linux:9::']);
  });

  it.each([
    { id: 'fedora', version_id: '40', id_like: '' },
    { id: 'ol', version_id: '9.4', id_like: 'fedora' },
    { id: 'debian' },
    { id: 'ubuntu', version_id: 'noble' },
  ])('refuses to guess for %j', (osr) => {
    try {
      hostEcosystem(osr);
      expect.unreachable();
    } catch (e) {
      expect(isPatchproofError(e, 'CMP_ECOSYSTEM_UNKNOWN')).toBe(true);
    }
  });

  it('knows which version order judges each distro ecosystem', () => {
    expect(versionOrderFor('Ubuntu:Pro:18.04:LTS')).toBe('dpkg');
    expect(versionOrderFor('Debian')).toBe('dpkg');
    expect(versionOrderFor('AlmaLinux:9')).toBe('rpm');
    expect(versionOrderFor('Rocky Linux:8')).toBe('rpm');
    expect(versionOrderFor('Red Hat:enterprise_linux:9::baseos')).toBe('rpm');
    expect(versionOrderFor('Alpine:v3.20')).toBe('apk');
    expect(versionOrderFor('npm')).toBeUndefined();
  });

  it('parses quoted os-release values', () => {
    expect(parseOsRelease('NAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\nID=ubuntu\nID_LIKE=debian\n')).toEqual({
      id: 'ubuntu', version_id: '24.04', id_like: 'debian', name: 'Ubuntu', version: '24.04.1 LTS (Noble Numbat)',
    });
  });
});
