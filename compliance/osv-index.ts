// An advisory index keyed by (ecosystem, package name), with every range event and listed version
// parsed once in its ecosystem's order, so many hosts can be matched without re-parsing.

import { isPatchproofError } from '../evidence/errors.ts';
import { versionOrderFor } from './ecosystem.ts';
import { fixReleaseLookup, type FixRelease, type FixReleaseLookup } from './osv-fix-release.ts';
import { advisorySeverity, type Severity } from './osv-severity.ts';
import { cveIds } from './osv-snapshot.ts';
import type { OsvAffected, OsvRecord } from './osv-types.ts';
import { compareParsed, parseVersion, type ParsedVersion, type VersionEcosystem } from './version.ts';

export interface IndexedEvent {
  readonly kind: 'introduced' | 'fixed' | 'last_affected';
  readonly text: string;
  /** null for `introduced: "0"`, which sorts before every version. */
  readonly version: ParsedVersion | null;
}

export interface IndexedAffected {
  readonly record: OsvRecord;
  readonly affected: OsvAffected;
  readonly advisoryId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly order: VersionEcosystem;
  /** Binary package names the advisory lists (Debian/Ubuntu ecosystem_specific.binaries); null = no narrowing. */
  readonly binaries: ReadonlySet<string> | null;
  /** ECOSYSTEM ranges, each with its events sorted by version. */
  readonly ranges: readonly (readonly IndexedEvent[])[];
  readonly versions: readonly ParsedVersion[];
  /** When each `fixed` version (by its text) was released: see osv-fix-release.ts. */
  readonly releases: ReadonlyMap<string, FixRelease>;
  readonly cves: readonly string[];
  readonly severity: Severity;
}

export interface IndexProblem {
  readonly advisory_id: string;
  readonly ecosystem: string;
  readonly package: string;
  readonly reason: string;
}

export interface AdvisoryIndex {
  /** ecosystem → package name → affected entries, in advisory-id order. */
  readonly byEcosystem: ReadonlyMap<string, ReadonlyMap<string, readonly IndexedAffected[]>>;
  /** Affected entries left out because a version does not parse in the ecosystem's order. */
  readonly problems: readonly IndexProblem[];
  readonly entries: number;
}

export interface IndexOptions {
  /** Keep only ecosystems this accepts (e.g. the fleet's); default: every distro ecosystem. */
  readonly ecosystems?: (ecosystem: string) => boolean;
}

/** Names from both shapes Ubuntu has used: [{binary_name, binary_version}] and [{name: version}]. */
function binaryNames(affected: OsvAffected): Set<string> | null {
  const list = affected.ecosystem_specific?.['binaries'];
  if (!Array.isArray(list) || list.length === 0) return null;
  const names = new Set<string>();
  for (const item of list) {
    if (item === null || typeof item !== 'object') continue;
    const named = (item as { binary_name?: unknown }).binary_name;
    if (typeof named === 'string') names.add(named);
    else for (const key of Object.keys(item)) names.add(key);
  }
  return names.size === 0 ? null : names;
}

function sortEvents(events: IndexedEvent[]): IndexedEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const av = a.e.version;
      const bv = b.e.version;
      const c = av === null ? (bv === null ? 0 : -1) : bv === null ? 1 : compareParsed(av, bv);
      return c || a.i - b.i;
    })
    .map(({ e }) => e);
}

function indexOne(record: OsvRecord, affected: OsvAffected, order: VersionEcosystem, cves: readonly string[], releaseOf: FixReleaseLookup): IndexedAffected {
  const parse = (text: string): ParsedVersion => parseVersion(order, text);
  const pkg = affected.package!;
  const ranges: IndexedEvent[][] = [];
  const releases = new Map<string, FixRelease>();
  for (const range of affected.ranges ?? []) {
    if (range.type !== 'ECOSYSTEM') continue;
    const events: IndexedEvent[] = [];
    for (const ev of range.events) {
      if (ev.introduced !== undefined) events.push({ kind: 'introduced', text: ev.introduced, version: ev.introduced === '0' ? null : parse(ev.introduced) });
      else if (ev.fixed !== undefined) {
        const version = parse(ev.fixed);
        events.push({ kind: 'fixed', text: ev.fixed, version });
        if (!releases.has(ev.fixed)) releases.set(ev.fixed, releaseOf(record, pkg.ecosystem, pkg.name, version));
      } else if (ev.last_affected !== undefined) events.push({ kind: 'last_affected', text: ev.last_affected, version: parse(ev.last_affected) });
    }
    ranges.push(sortEvents(events));
  }
  return {
    record,
    affected,
    advisoryId: record.id,
    ecosystem: pkg.ecosystem,
    packageName: pkg.name,
    order,
    binaries: binaryNames(affected),
    ranges,
    versions: (affected.versions ?? []).map(parse),
    releases,
    cves,
    severity: advisorySeverity({ record, affected }),
  };
}

/** Builds the index; withdrawn records and non-distro ecosystems are left out. Pure. */
export function buildAdvisoryIndex(records: readonly OsvRecord[], options: IndexOptions = {}): AdvisoryIndex {
  const releaseOf = fixReleaseLookup(records);
  const byEcosystem = new Map<string, Map<string, IndexedAffected[]>>();
  const problems: IndexProblem[] = [];
  let entries = 0;
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const record of sorted) {
    if (record.withdrawn !== undefined) continue;
    const cves = cveIds(record);
    for (const affected of record.affected ?? []) {
      const pkg = affected.package;
      if (pkg === undefined) continue;
      const order = versionOrderFor(pkg.ecosystem);
      if (order === undefined || (options.ecosystems && !options.ecosystems(pkg.ecosystem))) continue;
      let item: IndexedAffected;
      try {
        item = indexOne(record, affected, order, cves, releaseOf);
      } catch (e) {
        if (!isPatchproofError(e, 'CMP_VERSION_INVALID')) throw e;
        problems.push({ advisory_id: record.id, ecosystem: pkg.ecosystem, package: pkg.name, reason: e.message });
        continue;
      }
      let names = byEcosystem.get(pkg.ecosystem);
      if (!names) byEcosystem.set(pkg.ecosystem, (names = new Map()));
      const list = names.get(pkg.name);
      if (list) list.push(item);
      else names.set(pkg.name, [item]);
      entries++;
    }
  }
  return { byEcosystem, problems, entries };
}
