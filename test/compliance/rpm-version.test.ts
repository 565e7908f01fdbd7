import { describe, expect, it } from 'vitest';
import { compareRpmVersions, formatRpmVersion, parseRpmVersion, rpmvercmp } from '../../compliance/rpm-version.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { readTsv } from './fixtures.ts';

const vectors = readTsv('vercmp/rpm/rpm-vercmp.tsv');

describe('rpmvercmp: every vector of rpm-vercmp.tsv', () => {
  it('has the 91 upstream rows', () => expect(vectors).toHaveLength(91));
  it.each(vectors)('%s vs %s → %s', (a, b, cmp) => {
    expect(rpmvercmp(a!, b!)).toBe(Number(cmp));
    // The vectors hold no '-' or ':' so the EVR comparison must agree too.
    expect(compareRpmVersions(a!, b!)).toBe(Number(cmp));
  });
});

describe('rpm EVR', () => {
  it('splits epoch:version-release like parseEVR', () => {
    expect(parseRpmVersion('1:3.0.7-16.el9_2')).toMatchObject({ epoch: '1', version: '3.0.7', release: '16.el9_2' });
    expect(parseRpmVersion('2.34-275.el9_8')).toMatchObject({ epoch: '0', version: '2.34', release: '275.el9_8' });
    expect(parseRpmVersion('007:1.0')).toMatchObject({ epoch: '7', version: '1.0', release: '' });
    expect(formatRpmVersion(parseRpmVersion('0:1.0-1'))).toBe('1.0-1');
  });

  it('orders by epoch first, then version, then release', () => {
    expect(compareRpmVersions('1:3.0.7-16.el9_2', '3.5.5-6.el9_8')).toBe(1);
    expect(compareRpmVersions('1:3.5.5-6.el9_8', '1:3.0.7-16.el9_2')).toBe(1);
    expect(compareRpmVersions('0:2.34-275.el9_8', '2.34-275.el9_8')).toBe(0);
    expect(compareRpmVersions('252-67.el9_8.4.alma.1', '252-67.el9_8.4')).toBe(1);
    expect(compareRpmVersions('1.24.0-4.module+el9.5.0+122+220a1c6c', '1.24.0-4.module+el9.6.0+1+2')).toBe(-1);
    expect(compareRpmVersions('1.0', '1.0-1')).toBe(-1);
  });

  it.each(['', ':1.0', '1:', '1.0-', '-1', 'a b', '1.0-1 ', '1.0/2', 'x:1.0', '1:2:3'])('rejects %j', (v) => {
    try {
      parseRpmVersion(v);
      expect.unreachable();
    } catch (e) {
      expect(isPatchproofError(e, 'CMP_VERSION_INVALID')).toBe(true);
    }
  });
});

describe('rpm segments', () => {
  it('splits once into the segments rpmvercmp walks', () => {
    expect(parseRpmVersion('1.0~rc1^git2-0.1.el9').segments.version.map((s) => `${s.kind}:${s.text}`)).toEqual([
      'num:1', 'num:', 'tilde:~', 'alpha:rc', 'num:1', 'caret:^', 'alpha:git', 'num:2',
    ]);
  });
});
