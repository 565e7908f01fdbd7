// Maps a host's os-release to the OSV ecosystem strings its advisories use and to the version
// order that judges them; names follow the OSV ecosystem list (osv-schema ecosystems.json).

import { cmpError } from './errors.ts';
import type { VersionEcosystem } from './version.ts';

export interface OsRelease {
  readonly id: string;
  readonly version_id?: string | undefined;
  readonly id_like?: string | undefined;
  readonly name?: string | undefined;
  /** The VERSION field, e.g. "24.04.1 LTS (Noble Numbat)"; only used to confirm LTS. */
  readonly version?: string | undefined;
}

export interface HostEcosystem {
  /** The host's own OSV ecosystem, e.g. "Ubuntu:24.04:LTS". */
  readonly ecosystem: string;
  readonly versionOrder: VersionEcosystem;
  /** Advisory ecosystems that apply to the host, most specific first. */
  readonly match: readonly string[];
  /** Ecosystem prefixes that apply (Red Hat scopes records by CPE streams under the release). */
  readonly matchPrefixes: readonly string[];
  /** How affected[].package.name is to be read for this distribution. */
  readonly packageNames: 'source' | 'binary' | 'binary-or-source';
}

export interface HostEcosystemOptions {
  /** Ubuntu Pro / ESM attached: Ubuntu:Pro:<release> advisories apply as well. */
  readonly ubuntuPro?: boolean;
}

const DISTRO_ORDER: Readonly<Record<string, VersionEcosystem>> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  AlmaLinux: 'rpm',
  'Rocky Linux': 'rpm',
  'Red Hat': 'rpm',
  Alpine: 'apk',
};

/** The version order an OSV ecosystem string (with or without its ":suffix") is judged by. */
export function versionOrderFor(ecosystem: string): VersionEcosystem | undefined {
  const colon = ecosystem.indexOf(':');
  return DISTRO_ORDER[colon < 0 ? ecosystem : ecosystem.slice(0, colon)];
}

function unknown(osr: OsRelease, why: string): Error {
  return cmpError('CMP_ECOSYSTEM_UNKNOWN', `cannot map host ${JSON.stringify(osr.name ?? osr.id)} (id=${osr.id}, version_id=${osr.version_id ?? ''}) to an OSV ecosystem: ${why}`, {
    data: { os_release: { ...osr } },
  });
}

function releaseParts(osr: OsRelease, pattern: RegExp): RegExpExecArray {
  const m = pattern.exec(osr.version_id ?? '');
  if (m === null) throw unknown(osr, `unexpected VERSION_ID ${JSON.stringify(osr.version_id ?? '')}`);
  return m;
}

/** Ubuntu LTS releases are YY.04 of even years; VERSION ("… LTS …") confirms it when present. */
function isUbuntuLts(osr: OsRelease, year: number, month: string): boolean {
  if (osr.version !== undefined && osr.version !== '') return /\bLTS\b/.test(osr.version);
  return month === '04' && year % 2 === 0;
}

/** Maps os-release fields to OSV ecosystems; throws CMP_ECOSYSTEM_UNKNOWN rather than guess. */
export function hostEcosystem(osr: OsRelease, options: HostEcosystemOptions = {}): HostEcosystem {
  const id = osr.id.trim().toLowerCase();
  switch (id) {
    case 'debian': {
      const [, major] = releaseParts(osr, /^(\d+)(?:\.\d+)*$/);
      return { ecosystem: `Debian:${major}`, versionOrder: 'dpkg', match: [`Debian:${major}`, 'Debian'], matchPrefixes: [], packageNames: 'source' };
    }
    case 'ubuntu': {
      const [, yy, mm] = releaseParts(osr, /^(\d{2})\.(\d{2})$/);
      const release = `${yy}.${mm}${isUbuntuLts(osr, Number(yy), mm!) ? ':LTS' : ''}`;
      const plain = `Ubuntu:${release}`;
      const pro = `Ubuntu:Pro:${release}`;
      return {
        ecosystem: options.ubuntuPro === true ? pro : plain,
        versionOrder: 'dpkg',
        match: options.ubuntuPro === true ? [pro, plain] : [plain],
        matchPrefixes: [],
        packageNames: 'source',
      };
    }
    case 'almalinux': {
      const [, major] = releaseParts(osr, /^(\d+)(?:\.\d+)*$/);
      return { ecosystem: `AlmaLinux:${major}`, versionOrder: 'rpm', match: [`AlmaLinux:${major}`, 'AlmaLinux'], matchPrefixes: [], packageNames: 'binary' };
    }
    case 'rocky': {
      const [, major] = releaseParts(osr, /^(\d+)(?:\.\d+)*$/);
      return { ecosystem: `Rocky Linux:${major}`, versionOrder: 'rpm', match: [`Rocky Linux:${major}`, 'Rocky Linux'], matchPrefixes: [], packageNames: 'binary' };
    }
    case 'rhel': {
      const [, major] = releaseParts(osr, /^(\d+)(?:\.\d+)*$/);
      // Red Hat scopes records by CPE, e.g. "Red Hat:enterprise_linux:9::baseos".
      const stream = `Red Hat:enterprise_linux:${major}`;
      return { ecosystem: stream, versionOrder: 'rpm', match: [stream], matchPrefixes: [`${stream}::`], packageNames: 'binary-or-source' };
    }
    case 'alpine': {
      const [, major, minor] = releaseParts(osr, /^(\d+)\.(\d+)(?:\.\d+)*$/);
      const eco = `Alpine:v${major}.${minor}`;
      return { ecosystem: eco, versionOrder: 'apk', match: [eco], matchPrefixes: [], packageNames: 'source' };
    }
    default:
      throw unknown(osr, osr.id_like ? `unsupported distribution (id_like=${osr.id_like} is not used to guess)` : 'unsupported distribution');
  }
}

/** Parses the text of /etc/os-release (KEY=value, optionally quoted) into the fields used here. */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    fields.set(m[1]!, value);
  }
  const id = fields.get('ID');
  if (id === undefined || id === '') throw cmpError('CMP_ECOSYSTEM_UNKNOWN', 'os-release has no ID field');
  return {
    id,
    version_id: fields.get('VERSION_ID'),
    id_like: fields.get('ID_LIKE'),
    name: fields.get('NAME'),
    version: fields.get('VERSION'),
  };
}
