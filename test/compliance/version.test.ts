import { describe, expect, it } from 'vitest';
import { compareParsed, compareVersions, parseVersion, sortVersions, type VersionEcosystem } from '../../compliance/version.ts';
import { isValidApkVersion } from '../../compliance/apk-version.ts';
import { parseDpkgVersionLenient } from '../../compliance/dpkg-version.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { readTsv } from './fixtures.ts';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isPatchproofError(e) ? e.code : 'other';
  }
}

const SUITES: Array<[VersionEcosystem, string, (v: string) => boolean]> = [
  ['dpkg', 'vercmp/dpkg/dpkg-vercmp.tsv', (v) => parseDpkgVersionLenient(v).warning === undefined],
  ['rpm', 'vercmp/rpm/rpm-vercmp.tsv', () => true],
  ['apk', 'vercmp/apk/apk-vercmp.tsv', isValidApkVersion],
];

describe('compareVersions (strict facade) against every upstream vector', () => {
  for (const [ecosystem, file, valid] of SUITES) {
    it(`${ecosystem}: agrees where both versions are valid, refuses the rest with CMP_VERSION_INVALID`, () => {
      const rows = readTsv(file);
      const refused: string[] = [];
      for (const [a, b, cmp] of rows) {
        if (valid(a!) && valid(b!)) expect(compareVersions(ecosystem, a!, b!), `${a} vs ${b}`).toBe(Number(cmp));
        else {
          expect(code(() => compareVersions(ecosystem, a!, b!))).toBe('CMP_VERSION_INVALID');
          refused.push(`${a} ${b}`);
        }
      }
      // Only rows the upstream tool itself flags: dpkg warns on "0:a-0"-style upstreams, apk comments "invalid".
      expect(refused).toEqual(
        { dpkg: ['0:a-0 0:b-0', '0:b-0 0:a-0'], rpm: [], apk: ['23_foo 4_beta', '1.0 1.0bc'] }[ecosystem],
      );
    });
  }
});

describe('sortVersions', () => {
  it('sorts ascending, consistent with every pairwise vector', () => {
    for (const [ecosystem, file, valid] of SUITES) {
      const versions = [...new Set(readTsv(file).flatMap(([a, b]) => [a!, b!]))].filter(valid);
      const sorted = sortVersions(ecosystem, versions);
      for (let i = 1; i < sorted.length; i++) expect(compareVersions(ecosystem, sorted[i - 1]!, sorted[i]!)).toBeLessThanOrEqual(0);
    }
  });

  it('is stable: equal versions keep their input order', () => {
    expect(sortVersions('dpkg', ['1.0-1', '0:1.0-1', '1.00-1', '0.9'])).toEqual(['0.9', '1.0-1', '0:1.0-1', '1.00-1']);
    expect(sortVersions('rpm', ['10.1', '10.0001', '9'])).toEqual(['9', '10.1', '10.0001']);
  });

  it('refuses a list with an invalid version', () => {
    expect(code(() => sortVersions('apk', ['1.0', '1.0bc']))).toBe('CMP_VERSION_INVALID');
  });

  it('sorts 50,000 versions quickly (each parsed once)', () => {
    const versions: string[] = [];
    for (let i = 0; i < 50_000; i++) versions.push(`${(i * 7919) % 97}:${(i * 31) % 1000}.${i % 13}~rc${i % 5}-${i % 7}ubuntu${i % 3}`);
    const t0 = performance.now();
    const sorted = sortVersions('dpkg', versions);
    const ms = performance.now() - t0;
    expect(sorted).toHaveLength(50_000);
    expect(ms).toBeLessThan(2000);
  });
});

describe('parseVersion', () => {
  it('parses once into a typed value per ecosystem', () => {
    expect(parseVersion('dpkg', '1:2.0-3').value).toEqual({ epoch: 1, upstream: '2.0', revision: '3' });
    expect(parseVersion('rpm', '1:2.0-3').value).toMatchObject({ epoch: '1', version: '2.0', release: '3' });
    expect(parseVersion('apk', '2.0-r3').ecosystem).toBe('apk');
  });
  it('refuses unknown ecosystems and mixed comparisons', () => {
    expect(code(() => parseVersion('npm' as VersionEcosystem, '1.0'))).toBe('CMP_ECOSYSTEM_UNKNOWN');
    expect(code(() => compareParsed(parseVersion('dpkg', '1'), parseVersion('rpm', '1')))).toBe('CMP_ECOSYSTEM_UNKNOWN');
  });
});
