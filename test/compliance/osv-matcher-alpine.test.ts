import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostEcosystem, parseOsRelease } from '../../compliance/ecosystem.ts';
import { buildAdvisoryIndex } from '../../compliance/osv-index.ts';
import { matchHost, type HostPackage } from '../../compliance/osv-matcher.ts';
import { validateOsv } from '../../compliance/osv-schema.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { fixturePath } from './fixtures.ts';

/** The raw apk database: P: name, V: version, A: arch, o: origin (the source package Alpine advisories name). */
function apkInstalled(): HostPackage[] {
  const text = readFileSync(fixturePath('inventories/alpine-3.11.5-installed-db/installed'), 'utf8');
  return text.split('\n\n').filter((b) => b.trim() !== '').map((block) => {
    const f = Object.fromEntries(block.split('\n').filter((l) => /^[A-Za-z]:/.test(l)).map((l) => [l[0], l.slice(2)]));
    return { name: f['P']!, arch: f['A']!, version: f['V']!, source: f['o']!, source_version: f['V']! };
  });
}

// Written by the test in the shape of Alpine's OSV export (no Alpine records are among the fixtures).
const openssl: OsvRecord = {
  id: 'ALPINE-CVE-2020-1967',
  modified: '2020-04-21T00:00:00Z',
  published: '2020-04-21T00:00:00Z',
  aliases: ['CVE-2020-1967'],
  affected: [{ package: { ecosystem: 'Alpine:v3.11', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1g-r0' }] }] }],
};

describe('Alpine 3.11.5 (real apk database) matched by origin package', () => {
  const packages = apkInstalled();
  const eco = hostEcosystem(parseOsRelease(readFileSync(fixturePath('inventories/alpine-3.11.5-installed-db/os-release'), 'utf8')));

  it('reads the 14 installed packages with their origins', () => {
    expect(packages).toHaveLength(14);
    expect(packages.find((p) => p.name === 'libssl1.1')).toMatchObject({ version: '1.1.1d-r3', source: 'openssl' });
    expect(eco.ecosystem).toBe('Alpine:v3.11');
  });

  it('an advisory on origin "openssl" matches both binaries built from it', () => {
    expect(validateOsv(openssl).ok).toBe(true);
    const { rows, problems } = matchHost(buildAdvisoryIndex([openssl]), { ecosystem: eco, packages });
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.package, r.installed_version, r.fixed_version])).toEqual([
      ['libcrypto1.1', '1.1.1d-r3', '1.1.1g-r0'],
      ['libssl1.1', '1.1.1d-r3', '1.1.1g-r0'],
    ]);
    expect(rows[0]!.severity).toEqual({ source: 'none', label: 'unknown', from: 'none' });
  });

  it('does not match another Alpine branch', () => {
    const other = { ...openssl, affected: [{ ...openssl.affected![0]!, package: { ecosystem: 'Alpine:v3.12', name: 'openssl' } }] };
    expect(matchHost(buildAdvisoryIndex([other]), { ecosystem: eco, packages }).rows).toEqual([]);
  });
});
