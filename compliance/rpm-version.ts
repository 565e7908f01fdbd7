// RPM version order ([epoch:]version[-release]), ported from rpm's rpmvercmp() with '~' and '^',
// so AlmaLinux/Rocky/Red Hat advisories are judged exactly as rpm would.

import { cmpError } from './errors.ts';

export interface RpmVersion {
  /** Digits of the epoch without leading zeros; '0' when absent. */
  readonly epoch: string;
  readonly version: string;
  /** '' when the string has no release (sorts before any release, as rpmvercmp('', x) does). */
  readonly release: string;
  /** version and release split once into rpmvercmp's segments, so sorting and matching do not re-scan. */
  readonly segments: { readonly version: readonly Segment[]; readonly release: readonly Segment[] };
}

/** One rpmvercmp segment: digits (leading zeros dropped), letters, '~' or '^'; separators vanish. */
export interface Segment {
  readonly kind: 'num' | 'alpha' | 'tilde' | 'caret';
  readonly text: string;
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isAlpha = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const TILDE = 126;
const CARET = 94;
/** Characters rpm allows in Version and Release tags (macros already expanded). */
const PART = /^[A-Za-z0-9._+~^]+$/;

function invalid(input: string, reason: string): Error {
  return cmpError('CMP_VERSION_INVALID', `invalid rpm version ${JSON.stringify(input)}: ${reason}`, {
    data: { ecosystem: 'rpm', version: input, reason, level: 'error' },
  });
}

/** Splits like rpm's parseEVR(): leading digits + ':' are the epoch, the last '-' starts the release. */
export function parseRpmVersion(input: string): RpmVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  const m = /^(\d*):/.exec(input);
  let rest = input;
  let epoch = '0';
  if (m !== null) {
    if (m[1] === '') throw invalid(input, 'epoch is empty');
    epoch = m[1]!.replace(/^0+(?=\d)/, '');
    rest = input.slice(m[0].length);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (version === '') throw invalid(input, 'version is empty');
  if (hyphen >= 0 && release === '') throw invalid(input, 'release is empty');
  if (!PART.test(version)) throw invalid(input, `version ${JSON.stringify(version)} has characters rpm does not allow`);
  if (hyphen >= 0 && !PART.test(release)) throw invalid(input, `release ${JSON.stringify(release)} has characters rpm does not allow`);
  return { epoch, version, release, segments: { version: rpmSegments(version), release: rpmSegments(release) } };
}

const TILDE_SEGMENT: Segment = { kind: 'tilde', text: '~' };
const CARET_SEGMENT: Segment = { kind: 'caret', text: '^' };

/** Splits like rpmvercmp walks: separators (anything but alphanumerics, '~', '^') only divide. */
export function rpmSegments(s: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === TILDE || c === CARET) {
      out.push(c === TILDE ? TILDE_SEGMENT : CARET_SEGMENT);
      i++;
    } else if (isDigit(c) || isAlpha(c)) {
      const same = isDigit(c) ? isDigit : isAlpha;
      let end = i + 1;
      while (end < s.length && same(s.charCodeAt(end))) end++;
      const text = s.slice(i, end);
      out.push(same === isDigit ? { kind: 'num', text: text.replace(/^0+/, '') } : { kind: 'alpha', text });
      i = end;
    } else {
      i++;
    }
  }
  return out;
}

/** rpmvercmp() over pre-split segments: '~' sorts before anything, '^' after the end but before more. */
export function compareSegments(a: readonly Segment[], b: readonly Segment[]): -1 | 0 | 1 {
  let i = 0;
  for (;;) {
    const x = a[i];
    const y = b[i];
    if (x?.kind === 'tilde' || y?.kind === 'tilde') {
      if (x?.kind !== 'tilde') return 1;
      if (y?.kind !== 'tilde') return -1;
      i++;
      continue;
    }
    if (x?.kind === 'caret' || y?.kind === 'caret') {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x.kind !== 'caret') return 1;
      if (y.kind !== 'caret') return -1;
      i++;
      continue;
    }
    if (x === undefined || y === undefined) return x === undefined && y === undefined ? 0 : x === undefined ? -1 : 1;
    // A numeric segment is newer than an alpha one.
    if (x.kind !== y.kind) return x.kind === 'num' ? 1 : -1;
    if (x.kind === 'num' && x.text.length !== y.text.length) return x.text.length > y.text.length ? 1 : -1;
    if (x.text !== y.text) return x.text < y.text ? -1 : 1;
    i++;
  }
}

/** rpm's rpmvercmp() on one version or release string. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  return compareSegments(rpmSegments(a), rpmSegments(b));
}

function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two parsed EVRs: epoch numerically, then rpmvercmp on version, then on release. */
export function compareRpmParsed(a: RpmVersion, b: RpmVersion): -1 | 0 | 1 {
  return (
    compareDigits(a.epoch, b.epoch) ||
    (a.version === b.version ? 0 : compareSegments(a.segments.version, b.segments.version)) ||
    (a.release === b.release ? 0 : compareSegments(a.segments.release, b.segments.release))
  );
}

export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  return compareRpmParsed(parseRpmVersion(a), parseRpmVersion(b));
}

export function formatRpmVersion(v: RpmVersion): string {
  return `${v.epoch === '0' ? '' : `${v.epoch}:`}${v.version}${v.release === '' ? '' : `-${v.release}`}`;
}
