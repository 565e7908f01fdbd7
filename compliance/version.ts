// One entry point for version order across dpkg, rpm and apk: strict parsing (an invalid
// version throws CMP_VERSION_INVALID, never a guess), comparison and stable sorting.

import { compareApkParsed, parseApkVersion, type ApkVersion } from './apk-version.ts';
import { compareDpkgParsed, parseDpkgVersion, type DpkgVersion } from './dpkg-version.ts';
import { cmpError } from './errors.ts';
import { compareRpmParsed, parseRpmVersion, type RpmVersion } from './rpm-version.ts';

export type VersionEcosystem = 'dpkg' | 'rpm' | 'apk';
export const VERSION_ECOSYSTEMS: readonly VersionEcosystem[] = ['dpkg', 'rpm', 'apk'];

export type ParsedVersion =
  | { readonly ecosystem: 'dpkg'; readonly text: string; readonly value: DpkgVersion }
  | { readonly ecosystem: 'rpm'; readonly text: string; readonly value: RpmVersion }
  | { readonly ecosystem: 'apk'; readonly text: string; readonly value: ApkVersion };

export function isVersionEcosystem(value: string): value is VersionEcosystem {
  return (VERSION_ECOSYSTEMS as readonly string[]).includes(value);
}

function assertEcosystem(ecosystem: string): asserts ecosystem is VersionEcosystem {
  if (!isVersionEcosystem(ecosystem)) {
    throw cmpError('CMP_ECOSYSTEM_UNKNOWN', `unknown version ecosystem ${JSON.stringify(ecosystem)} (expected dpkg, rpm or apk)`, {
      data: { ecosystem },
    });
  }
}

/** Parses once so repeated comparisons (sorting, matching) do not re-parse. */
export function parseVersion(ecosystem: VersionEcosystem, text: string): ParsedVersion {
  assertEcosystem(ecosystem);
  switch (ecosystem) {
    case 'dpkg':
      return { ecosystem, text, value: parseDpkgVersion(text) };
    case 'rpm':
      return { ecosystem, text, value: parseRpmVersion(text) };
    case 'apk':
      return { ecosystem, text, value: parseApkVersion(text) };
  }
}

/** Orders two parsed versions of the same ecosystem. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): -1 | 0 | 1 {
  if (a.ecosystem === 'dpkg' && b.ecosystem === 'dpkg') return compareDpkgParsed(a.value, b.value);
  if (a.ecosystem === 'rpm' && b.ecosystem === 'rpm') return compareRpmParsed(a.value, b.value);
  if (a.ecosystem === 'apk' && b.ecosystem === 'apk') return compareApkParsed(a.value, b.value);
  throw cmpError('CMP_ECOSYSTEM_UNKNOWN', `cannot compare a ${a.ecosystem} version with a ${b.ecosystem} version`);
}

export function compareVersions(ecosystem: VersionEcosystem, a: string, b: string): -1 | 0 | 1 {
  return compareParsed(parseVersion(ecosystem, a), parseVersion(ecosystem, b));
}

/** Ascending, stable (equal versions keep their input order); each string is parsed once. */
export function sortVersions(ecosystem: VersionEcosystem, versions: readonly string[]): string[] {
  const parsed = versions.map((v) => parseVersion(ecosystem, v));
  return parsed.sort(compareParsed).map((p) => p.text);
}
