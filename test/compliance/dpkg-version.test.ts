import { describe, expect, it } from 'vitest';
import {
  compareDpkgVersions,
  formatDpkgVersion,
  parseDpkgVersion,
  parseDpkgVersionLenient,
} from '../../compliance/dpkg-version.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { readTsv } from './fixtures.ts';

const vercmp = readTsv('vercmp/dpkg/dpkg-vercmp.tsv');
const parse = readTsv('vercmp/dpkg/dpkg-parse.tsv');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isPatchproofError(e) ? e.code : 'not-a-patchproof-error';
  }
}

describe('dpkg version order: every vector of dpkg-vercmp.tsv', () => {
  it('has the 64 upstream rows', () => expect(vercmp).toHaveLength(64));
  it.each(vercmp)('%s vs %s → %s', (a, b, cmp) => {
    expect(compareDpkgVersions(a!, b!)).toBe(Number(cmp));
    expect(compareDpkgVersions(b!, a!)).toBe(-Number(cmp) || 0);
  });
});

describe('dpkg parsing: every vector of dpkg-parse.tsv', () => {
  it('has the 80 upstream rows', () => expect(parse).toHaveLength(80));
  const rows = parse.map(([json, result, epoch, upstream, revision]) => ({
    version: JSON.parse(json!) as string, result: result!, epoch: epoch!, upstream: upstream!, revision: revision ?? '',
  }));

  it.each(rows.filter((r) => r.result.startsWith('ok')))('ok: $version', (r) => {
    expect(parseDpkgVersion(r.version)).toEqual({ epoch: Number(r.epoch), upstream: r.upstream, revision: r.revision });
  });

  it.each(rows.filter((r) => r.result === 'error'))('hard error: $version', (r) => {
    expect(codeOf(() => parseDpkgVersionLenient(r.version))).toBe('CMP_VERSION_INVALID');
    expect(codeOf(() => parseDpkgVersion(r.version))).toBe('CMP_VERSION_INVALID');
  });

  it.each(rows.filter((r) => r.result === 'warning(invalid)'))('invalid (dpkg warns): $version', (r) => {
    expect(codeOf(() => parseDpkgVersion(r.version))).toBe('CMP_VERSION_INVALID');
    expect(parseDpkgVersionLenient(r.version).warning).toMatch(/version number|revision number/);
  });
});

describe('dpkg details', () => {
  it('reports the reason and level in the error data', () => {
    try {
      parseDpkgVersion('0:abc3-0');
      expect.unreachable();
    } catch (e) {
      expect(isPatchproofError(e, 'CMP_VERSION_INVALID')).toBe(true);
      expect((e as { data: unknown }).data).toEqual({
        ecosystem: 'dpkg', version: '0:abc3-0', reason: 'version number does not start with digit', level: 'warning',
      });
    }
  });

  it('formats back to the canonical string', () => {
    expect(formatDpkgVersion(parseDpkgVersion('1:9.6p1-3ubuntu13.3'))).toBe('1:9.6p1-3ubuntu13.3');
    expect(formatDpkgVersion(parseDpkgVersion('0:1.0'))).toBe('1.0');
  });

  it('orders real Ubuntu/Debian versions', () => {
    expect(compareDpkgVersions('2.39-0ubuntu8.8', '2.38-1ubuntu6')).toBe(1);
    expect(compareDpkgVersions('5.6.1+really5.4.5-1ubuntu0.3', '5.6.1-1')).toBe(1);
    expect(compareDpkgVersions('14.2.0-4ubuntu2~24.04.1', '14.2.0-4ubuntu2')).toBe(-1);
    expect(compareDpkgVersions('1:2.38.1-5+deb12u3', '2.40')).toBe(1);
    expect(compareDpkgVersions('5.2.15-2+b8', '5.2.15-2')).toBe(1);
  });
});
