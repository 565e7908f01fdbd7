// Alpine apk version order (digit{.digit}{letter}{_suffix{#}}{~hash}{-r#}), ported from
// apk-tools' src/version.c token machine so Alpine advisories are judged exactly as apk would.

import { cmpError } from './errors.ts';

// Token kinds in apk's order: the order itself is part of the comparison rules.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

/** Suffix ranks; below NONE are pre-releases (sort before the bare version). */
const SUFFIX_RANK: Readonly<Record<string, number>> = {
  alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10,
};
const SUFFIX_NONE = 5;

export interface ApkToken {
  readonly kind: number;
  /** The raw text of the token (digits, letter, suffix name or hash). */
  readonly text: string;
  /** Digits without leading zeros, for numeric tokens. */
  readonly digits: string;
  readonly suffix: number;
}

export interface ApkVersion {
  readonly text: string;
  /** Tokens up to and including the terminating END (or INVALID) token. */
  readonly tokens: readonly ApkToken[];
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isLower = (code: number): boolean => code >= 97 && code <= 122;
const isHex = (code: number): boolean => isDigit(code) || (code >= 97 && code <= 102);

function token(kind: number, text = '', suffix = 0): ApkToken {
  return { kind, text, digits: kind === LETTER || kind === SUFFIX || kind === COMMIT_HASH ? '' : text.replace(/^0+(?=\d)/, ''), suffix };
}

function span(s: string, from: number, ok: (code: number) => boolean): number {
  let i = from;
  while (i < s.length && ok(s.charCodeAt(i))) i++;
  return i;
}

/** Splits a version into apk's tokens; stops at the first END or INVALID token. */
export function tokenizeApkVersion(s: string): ApkToken[] {
  const tokens: ApkToken[] = [];
  let pos = span(s, 0, isDigit);
  let prev = pos === 0 ? INVALID : INITIAL_DIGIT;
  tokens.push(token(prev, s.slice(0, pos)));
  while (prev < END) {
    const next = nextToken(s, pos, prev);
    tokens.push(next.token);
    prev = next.token.kind;
    pos = next.pos;
  }
  return tokens;
}

function nextToken(s: string, pos: number, prev: number): { token: ApkToken; pos: number } {
  const bad = { token: token(INVALID), pos };
  if (pos >= s.length) return { token: token(END), pos };
  const c = s.charCodeAt(pos);
  if (isLower(c)) {
    if (prev > DIGIT) return bad;
    return { token: token(LETTER, s[pos]!), pos: pos + 1 };
  }
  if (c === 46 /* . */ || isDigit(c)) {
    if (c === 46 && prev > DIGIT) return bad;
    const start = c === 46 ? pos + 1 : pos;
    const kind = prev === INITIAL_DIGIT || prev === DIGIT ? DIGIT : prev === SUFFIX ? SUFFIX_NO : INVALID;
    if (kind === INVALID) return bad;
    const end = span(s, start, isDigit);
    if (end === start) return bad;
    return { token: token(kind, s.slice(start, end)), pos: end };
  }
  if (c === 95 /* _ */) {
    if (prev > SUFFIX_NO) return bad;
    const end = span(s, pos + 1, isLower);
    const rank = SUFFIX_RANK[s.slice(pos + 1, end)];
    if (rank === undefined) return bad;
    return { token: token(SUFFIX, s.slice(pos + 1, end), rank), pos: end };
  }
  if (c === 126 /* ~ */) {
    if (prev >= COMMIT_HASH) return bad;
    const end = span(s, pos + 1, isHex);
    if (end === pos + 1) return bad;
    return { token: token(COMMIT_HASH, s.slice(pos + 1, end)), pos: end };
  }
  if (c === 45 /* - */) {
    if (prev >= REVISION_NO || s[pos + 1] !== 'r') return bad;
    const end = span(s, pos + 2, isDigit);
    if (end === pos + 2) return bad;
    return { token: token(REVISION_NO, s.slice(pos + 2, end)), pos: end };
  }
  return bad;
}

function byteSort(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumber(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return byteSort(a, b);
}

function tokenCmp(a: ApkToken, b: ApkToken): -1 | 0 | 1 {
  switch (a.kind) {
    case DIGIT:
      // A leading zero switches to string comparison, as in Gentoo's rules.
      if (a.text[0] === '0' || b.text[0] === '0') return byteSort(a.text, b.text);
      return compareNumber(a.digits, b.digits);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareNumber(a.digits, b.digits);
    case LETTER:
      return byteSort(a.text, b.text);
    case SUFFIX:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      return byteSort(a.text, b.text);
  }
}

/** apk_version_compare_fuzzy() over token lists; `fuzzy` makes b a prefix pattern. */
export function compareApkTokens(ta: readonly ApkToken[], tb: readonly ApkToken[], fuzzy = false): -1 | 0 | 1 {
  let i = 0;
  for (; ta[i]!.kind === tb[i]!.kind && ta[i]!.kind < END; i++) {
    const r = tokenCmp(ta[i]!, tb[i]!);
    if (r !== 0) return r;
  }
  const a = ta[i]!;
  const b = tb[i]!;
  if (a.kind === b.kind) return 0;
  if (b.kind === END && fuzzy) return 0;
  if (a.kind === SUFFIX && a.suffix < SUFFIX_NONE) return -1;
  if (b.kind === SUFFIX && b.suffix < SUFFIX_NONE) return 1;
  if (a.kind > b.kind) return -1;
  if (b.kind > a.kind) return 1;
  return 0;
}

export function isValidApkVersion(s: string): boolean {
  return tokenizeApkVersion(s).at(-1)!.kind === END;
}

/** Strict parse: a version apk-tools' apk_version_validate() rejects throws CMP_VERSION_INVALID. */
export function parseApkVersion(input: string): ApkVersion {
  const tokens = tokenizeApkVersion(input);
  if (tokens.at(-1)!.kind !== END) {
    throw cmpError('CMP_VERSION_INVALID', `invalid apk version ${JSON.stringify(input)}`, {
      data: { ecosystem: 'apk', version: input, reason: 'not digit{.digit}{letter}{_suffix{#}}{~hash}{-r#}', level: 'error' },
    });
  }
  return { text: input, tokens };
}

export function compareApkParsed(a: ApkVersion, b: ApkVersion): -1 | 0 | 1 {
  return compareApkTokens(a.tokens, b.tokens);
}

/**
 * apk_version_compare() on raw strings, tolerant like apk itself: invalid tails take part in
 * the order the way apk-tools orders them (its own vectors compare e.g. `1.0 < 1.0bc`).
 */
export function apkVersionCompare(a: string, b: string): -1 | 0 | 1 {
  return compareApkTokens(tokenizeApkVersion(a), tokenizeApkVersion(b));
}

/**
 * apk_version_match(): does `a OP b` hold? OP is made of < > = and ~ (fuzzy prefix match);
 * a leading '!' negates it, as in apk dependency conflicts.
 */
export function apkVersionMatch(a: string, op: string, b: string): boolean {
  const negate = op.startsWith('!');
  const ops = negate ? op.slice(1) : op;
  if (ops === '' || !/^[<>=~]+$/.test(ops)) {
    throw cmpError('CMP_USAGE', `unknown apk version operator ${JSON.stringify(op)}`);
  }
  const fuzzy = ops.includes('~');
  const r = compareApkTokens(tokenizeApkVersion(a), tokenizeApkVersion(b), fuzzy);
  const ok = (r < 0 && ops.includes('<')) || (r > 0 && ops.includes('>')) || (r === 0 && (ops.includes('=') || fuzzy));
  return negate ? !ok : ok;
}
