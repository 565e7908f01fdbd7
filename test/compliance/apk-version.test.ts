import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  apkVersionCompare,
  apkVersionMatch,
  compareApkParsed,
  isValidApkVersion,
  parseApkVersion,
} from '../../compliance/apk-version.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixturePath, readTsv } from './fixtures.ts';

const vercmp = readTsv('vercmp/apk/apk-vercmp.tsv');
const validity = readTsv('vercmp/apk/apk-validity.tsv');
const CMP: Record<string, number> = { '<': -1, '=': 0, '>': 1 };

/** apk-tools' own test/unit/version.data: "a OP b" lines, bare versions (valid) and "!version" (invalid). */
function versionData(): { ops: [string, string, string][]; valid: string[]; invalid: string[] } {
  const ops: [string, string, string][] = [];
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const raw of readFileSync(fixturePath('vercmp/apk/version.data'), 'utf8').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    if (parts.length === 3) ops.push(parts as [string, string, string]);
    else if (line.startsWith('!')) invalid.push(line.slice(1));
    else valid.push(line);
  }
  return { ops, valid, invalid };
}

describe('apk version order: every vector of apk-vercmp.tsv', () => {
  it('has the 738 upstream rows', () => expect(vercmp).toHaveLength(738));
  it('agrees with every row, both ways round', () => {
    const wrong = vercmp.filter(([a, b, cmp]) => apkVersionCompare(a!, b!) !== Number(cmp) || apkVersionCompare(b!, a!) !== (-Number(cmp) || 0));
    expect(wrong).toEqual([]);
  });
  it('the strict parser agrees wherever both versions are valid, and refuses the rest', () => {
    let strict = 0;
    for (const [a, b, cmp] of vercmp) {
      if (isValidApkVersion(a!) && isValidApkVersion(b!)) {
        expect(compareApkParsed(parseApkVersion(a!), parseApkVersion(b!))).toBe(Number(cmp));
        strict++;
      } else {
        expect(() => compareApkParsed(parseApkVersion(a!), parseApkVersion(b!))).toThrow(/invalid apk version/);
      }
    }
    // Only "23_foo < 4_beta" and "1.0 < 1.0bc" (commented upstream "invalid. do string sort") hold an invalid version.
    expect(strict).toBe(736);
  });
});

describe('apk validity: every vector of apk-validity.tsv', () => {
  it('has the 31 upstream rows', () => expect(validity).toHaveLength(31));
  it.each(validity)('%j is %s', (v, expected) => {
    expect(isValidApkVersion(v!)).toBe(expected === 'valid');
    if (expected === 'invalid') {
      try {
        parseApkVersion(v!);
        expect.unreachable();
      } catch (e) {
        expect(isPatchproofError(e, 'CMP_VERSION_INVALID')).toBe(true);
      }
    }
  });
});

describe('apk version.data as upstream ships it (including fuzzy ~ matches)', () => {
  const data = versionData();
  it('covers the same rows as the derived tables plus the fuzzy ones', () => {
    expect(data.ops.filter(([, op]) => op in CMP)).toHaveLength(738);
    expect(data.ops.filter(([, op]) => op.includes('~')).length).toBeGreaterThan(10);
    expect(data.valid.length + data.invalid.length).toBe(31);
  });
  it('every "a OP b" line holds', () => {
    expect(data.ops.filter(([a, op, b]) => !apkVersionMatch(a, op, b))).toEqual([]);
  });
  it('every validity line holds', () => {
    expect(data.valid.filter((v) => !isValidApkVersion(v))).toEqual([]);
    expect(data.invalid.filter((v) => isValidApkVersion(v))).toEqual([]);
  });
});

describe('apk details', () => {
  it('orders real Alpine versions', () => {
    expect(apkVersionCompare('3.5.1-r0', '3.5.0-r0')).toBe(1);
    expect(apkVersionCompare('1.36.1-r29', '1.36.1-r5')).toBe(1);
    expect(apkVersionCompare('2.4_rc1-r0', '2.4-r0')).toBe(-1);
    expect(apkVersionCompare('2.4_p1-r0', '2.4-r0')).toBe(1);
  });
  it('rejects unknown operators', () => {
    expect(() => apkVersionMatch('1', '?', '2')).toThrow(/operator/);
  });
});
