// Matches a host's installed packages against the advisory index: Debian/Ubuntu/Alpine by source
// package (narrowed by the advisory's binaries), AlmaLinux/Rocky by binary RPM. Pure; one
// matcher caches parsed versions so a fleet of hosts shares the work.

import { isPatchproofError } from '../evidence/errors.ts';
import type { HostEcosystem } from './ecosystem.ts';
import { ownRelease } from './osv-fix-release.ts';
import type { AdvisoryIndex, IndexedAffected } from './osv-index.ts';
import { evaluateAffected, type RangeVerdict } from './osv-range.ts';
import { advisorySeverity, type Severity } from './osv-severity.ts';
import { parseVersion, type ParsedVersion } from './version.ts';

export interface HostPackage {
  /** Binary package name; a dpkg ":arch" qualifier is tolerated and stripped. */
  readonly name: string;
  readonly arch: string;
  /** Installed version; RPM versions must carry the epoch when the package has one. */
  readonly version: string;
  readonly source?: string;
  readonly source_version?: string;
}

export interface HostInput {
  readonly ecosystem: HostEcosystem;
  readonly packages: readonly HostPackage[];
  /** Vendor severity the host's package manager reported per advisory id (dnf updateinfo, zypper). */
  readonly reportedSeverity?: Readonly<Record<string, string>>;
}

export interface MatchRow {
  readonly advisory_id: string;
  /** CVE ids of the advisory. */
  readonly aliases: readonly string[];
  readonly ecosystem: string;
  /** Binary package name as installed. */
  readonly package: string;
  readonly arch: string;
  readonly source: string | null;
  readonly installed_version: string;
  /** The version compared with the advisory (the source version for source-named ecosystems). */
  readonly compared_version: string;
  readonly fixed_version: string | null;
  readonly unfixed: boolean;
  readonly published: string | null;
  readonly modified: string;
  /** When the fix of this row was released (the advisory's own `published` unless a linked notice dates it). */
  readonly fix_published: string;
  /** The record that date is from: a linked notice (USN-…, DSA-…) or the advisory itself. */
  readonly fix_published_source: string;
  readonly severity: Severity;
}

export interface MatchProblem {
  readonly package: string;
  readonly arch: string;
  /** The version that failed to parse (the source version for source-named ecosystems). */
  readonly version: string;
  readonly reason: string;
}

export interface HostMatches {
  readonly rows: readonly MatchRow[];
  /** Installed versions that do not parse: those packages could not be judged. */
  readonly problems: readonly MatchProblem[];
}

export interface Matcher {
  matchHost(host: HostInput): HostMatches;
}

type Lookup = readonly ReadonlyMap<string, readonly IndexedAffected[]>[];

/** The advisories of one host ecosystem, and the verdicts found so far: names → binary → version text → hits. */
interface LookupEntry {
  readonly key: string;
  readonly lookup: Lookup;
  readonly verdicts: Map<string, Map<string, Map<string, readonly Hit[]>>>;
}

interface Hit {
  readonly entry: IndexedAffected;
  readonly verdict: RangeVerdict;
}

function stripArch(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRows(a: MatchRow, b: MatchRow): number {
  return byText(a.advisory_id, b.advisory_id) || byText(a.package, b.package) || byText(a.arch, b.arch);
}

/**
 * Creates a matcher over one index. It caches per-ecosystem lookups, parsed versions and the
 * verdicts for each (package, version), so hosts with the same packages cost little.
 */
export function createMatcher(index: AdvisoryIndex): Matcher {
  const lookups = new Map<string, LookupEntry>();
  const parsed = new Map<string, ParsedVersion | Error>();

  function lookupFor(eco: HostEcosystem): LookupEntry {
    const key = JSON.stringify([eco.match, eco.matchPrefixes]);
    let found = lookups.get(key);
    if (found) return found;
    const names = new Set(eco.match);
    for (const e of [...index.byEcosystem.keys()].sort()) if (eco.matchPrefixes.some((p) => e.startsWith(p))) names.add(e);
    found = { key, lookup: [...names].flatMap((e) => index.byEcosystem.get(e) ?? []), verdicts: new Map() };
    lookups.set(key, found);
    return found;
  }

  function parseCached(eco: HostEcosystem, text: string): ParsedVersion | Error {
    const key = `${eco.versionOrder}\u0000${text}`;
    let value = parsed.get(key);
    if (value === undefined) {
      try {
        value = parseVersion(eco.versionOrder, text);
      } catch (e) {
        if (!isPatchproofError(e, 'CMP_VERSION_INVALID')) throw e;
        value = e;
      }
      parsed.set(key, value);
    }
    return value;
  }

  /** Affected entries for one package version; the first affected entry per advisory wins (ecosystem order). */
  function hitsFor(lookup: LookupEntry, keys: readonly string[], binary: string, v: ParsedVersion): readonly Hit[] {
    // Nested by names, binary and version: the strings are the inventory's own (interned), so no key is built.
    const names = keys.length === 1 ? (keys[0] as string) : keys.join('\u0001');
    let byBinary = lookup.verdicts.get(names);
    if (!byBinary) lookup.verdicts.set(names, (byBinary = new Map()));
    let byVersion = byBinary.get(binary);
    if (!byVersion) byBinary.set(binary, (byVersion = new Map()));
    const cached = byVersion.get(v.text);
    if (cached) return cached;
    const hits: Hit[] = [];
    const seen = new Set<string>();
    for (const names of lookup.lookup) {
      for (const key of keys) {
        for (const entry of names.get(key) ?? []) {
          if (seen.has(entry.advisoryId) || (entry.binaries !== null && !entry.binaries.has(binary))) continue;
          const verdict = evaluateAffected(entry, v);
          if (!verdict.affected) continue;
          seen.add(entry.advisoryId);
          hits.push({ entry, verdict });
        }
      }
    }
    byVersion.set(v.text, hits);
    return hits;
  }

  function matchHost(host: HostInput): HostMatches {
    const eco = host.ecosystem;
    const lookup = lookupFor(eco);
    const rows: MatchRow[] = [];
    const problems: MatchProblem[] = [];
    const done = new Set<string>();
    for (const pkg of host.packages) {
      const binary = stripArch(pkg.name);
      const seenKey = `${binary}\u0000${pkg.arch}`;
      if (done.has(seenKey)) continue;
      done.add(seenKey);
      const bySource = eco.packageNames === 'source';
      const compared = bySource ? (pkg.source_version || pkg.version) : pkg.version;
      const keys = bySource ? [pkg.source || binary] : eco.packageNames === 'binary' ? [binary] : [...new Set([binary, pkg.source || binary])];
      const v = parseCached(eco, compared);
      if (v instanceof Error) {
        problems.push({ package: binary, arch: pkg.arch, version: compared, reason: v.message });
        continue;
      }
      for (const { entry, verdict } of hitsFor(lookup, keys, binary, v)) {
        const reported = host.reportedSeverity?.[entry.advisoryId];
        const release = (verdict.fixed !== null ? entry.releases.get(verdict.fixed) : undefined) ?? ownRelease(entry.record);
        rows.push({
          advisory_id: entry.advisoryId,
          aliases: entry.cves,
          ecosystem: entry.ecosystem,
          package: binary,
          arch: pkg.arch,
          source: pkg.source ?? null,
          installed_version: pkg.version,
          compared_version: compared,
          fixed_version: verdict.fixed,
          unfixed: verdict.unfixed,
          published: entry.record.published ?? null,
          modified: entry.record.modified,
          fix_published: release.published,
          fix_published_source: release.source,
          severity: reported !== undefined && entry.severity.source !== 'vendor'
            ? advisorySeverity({ record: entry.record, affected: entry.affected, reported })
            : entry.severity,
        });
      }
    }
    return { rows: rows.sort(compareRows), problems };
  }

  return { matchHost };
}

/** One-off convenience: match one host against an index. */
export function matchHost(index: AdvisoryIndex, host: HostInput): HostMatches {
  return createMatcher(index).matchHost(host);
}
