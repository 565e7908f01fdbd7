// Debian version order (epoch:upstream-revision), ported from dpkg's parseversion() and
// verrevcmp() so Debian/Ubuntu advisories are judged exactly as dpkg --compare-versions would.

import { cmpError } from './errors.ts';

export interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

export interface DpkgParseResult {
  readonly version: DpkgVersion;
  /** dpkg accepts these versions with a warning (e.g. upstream not starting with a digit). */
  readonly warning: string | undefined;
}

const INT_MAX = 2147483647;
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isAlpha = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

function invalid(input: string, reason: string, level: 'error' | 'warning'): Error {
  return cmpError('CMP_VERSION_INVALID', `invalid dpkg version ${JSON.stringify(input)}: ${reason}`, {
    data: { ecosystem: 'dpkg', version: input, reason, level },
  });
}

function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s[start]!)) start++;
  while (end > start && isBlank(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/** dpkg's strtol-based epoch parse: optional sign, digits, then the colon. */
function parseEpoch(input: string, text: string): number {
  const m = /^([+-]?)(\d+)/.exec(text);
  if (m === null) throw invalid(input, 'epoch in version is empty', 'error');
  if (m[0].length !== text.length) throw invalid(input, 'epoch in version is not number', 'error');
  const digits = m[2]!.replace(/^0+(?=\d)/, '');
  if (m[1] === '-' && digits !== '0') throw invalid(input, 'epoch in version is negative', 'error');
  if (digits.length > 10 || Number(digits) > INT_MAX) throw invalid(input, 'epoch in version is too big', 'error');
  return Number(digits);
}

/**
 * Parses like dpkg's parseversion(): hard errors always throw CMP_VERSION_INVALID; syntax
 * warnings (which dpkg tolerates) are returned in `warning`.
 */
export function parseDpkgVersionLenient(input: string): DpkgParseResult {
  const text = trimBlanks(input);
  if (text === '') throw invalid(input, 'version string is empty', 'error');
  if (/[ \t]/.test(text)) throw invalid(input, 'version string has embedded spaces', 'error');

  let rest = text;
  let epoch = 0;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    epoch = parseEpoch(input, text.slice(0, colon));
    rest = text.slice(colon + 1);
    if (rest === '') throw invalid(input, 'nothing after colon in version number', 'error');
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') throw invalid(input, 'revision number is empty', 'error');
  if (upstream === '') throw invalid(input, 'upstream version is empty', 'error');

  return { version: { epoch, upstream, revision }, warning: syntaxWarning(upstream, revision) };
}

function syntaxWarning(upstream: string, revision: string): string | undefined {
  if (!isDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let i = 1; i < upstream.length; i++) {
    const code = upstream.charCodeAt(i);
    if (!isDigit(code) && !isAlpha(code) && !'.-+~:'.includes(upstream[i]!)) return 'invalid character in version number';
  }
  for (let i = 0; i < revision.length; i++) {
    const code = revision.charCodeAt(i);
    if (!isDigit(code) && !isAlpha(code) && !'.+~'.includes(revision[i]!)) return 'invalid character in revision number';
  }
  return undefined;
}

/** Strict parse: anything dpkg rejects or warns about throws CMP_VERSION_INVALID. */
export function parseDpkgVersion(input: string): DpkgVersion {
  const { version, warning } = parseDpkgVersionLenient(input);
  if (warning !== undefined) throw invalid(input, warning, 'warning');
  return version;
}

/** dpkg's order(): digits 0, letters by code, '~' before everything (even the end), others after letters. */
function order(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if (isAlpha(code)) return code;
  if (code === 126) return -1;
  return code + 256;
}

/** dpkg's verrevcmp() over an upstream or revision string. */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Orders two parsed versions: epoch, then upstream, then revision. */
export function compareDpkgParsed(a: DpkgVersion, b: DpkgVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const up = verrevcmp(a.upstream, b.upstream);
  if (up !== 0) return sign(up);
  return sign(verrevcmp(a.revision, b.revision));
}

/**
 * `dpkg --compare-versions` semantics: hard parse errors throw, syntax warnings are tolerated
 * exactly as dpkg tolerates them (its own test vectors compare such versions).
 */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  return compareDpkgParsed(parseDpkgVersionLenient(a).version, parseDpkgVersionLenient(b).version);
}

export function formatDpkgVersion(v: DpkgVersion): string {
  return `${v.epoch === 0 ? '' : `${v.epoch}:`}${v.upstream}${v.revision === '' ? '' : `-${v.revision}`}`;
}
