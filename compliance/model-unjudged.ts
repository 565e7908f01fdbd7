// What could not be judged, so it never vanishes silently: advisory entries left out of the index
// because a version does not parse in their ecosystem's order, and installed packages whose version
// does not parse (no advisory can be compared with them). Both are counted, coded and cited.
import type { HostEcosystem } from './ecosystem.ts';
import type { SnapshotReport } from './evidence-snapshot.ts';
import type { UnjudgedSpan } from './findings-exposure.ts';
import type { EvidenceRef, ModelUnjudged, ModelUnjudgedAdvisory, ModelUnjudgedPackage } from './model-types.ts';
import type { IndexProblem } from './osv-index.ts';
import { isoTime, type PeriodBounds } from './sla-time.ts';

/** Rows kept per list; the counts are of every row. */
export const MAX_UNJUDGED_ROWS = 500;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Does the advisory ecosystem apply to this host (the matcher's own rule: exact names, then prefixes)? */
function applies(eco: HostEcosystem, ecosystem: string): boolean {
  return eco.match.includes(ecosystem) || eco.matchPrefixes.some((p) => ecosystem.startsWith(p));
}

/** Index problems in an ecosystem that applies to at least one judged host, sorted. */
export function unjudgedAdvisories(problems: readonly IndexProblem[], ecosystems: readonly HostEcosystem[]): ModelUnjudgedAdvisory[] {
  return problems
    .filter((p) => ecosystems.some((e) => applies(e, p.ecosystem)))
    .map((p) => ({ code: 'CMP_ADVISORY_VERSION_UNPARSED' as const, advisory_id: p.advisory_id, ecosystem: p.ecosystem, package: p.package, reason: p.reason }))
    .sort((a, b) => cmp(a.advisory_id, b.advisory_id) || cmp(a.ecosystem, b.ecosystem) || cmp(a.package, b.package) || cmp(a.reason, b.reason));
}

function ref(r: SnapshotReport | undefined, role: string): EvidenceRef[] {
  return r ? [{ path: r.path, commit: r.commit, role }] : [];
}

/**
 * One host's packages that could not be judged at some time in the period (spans ending before it are
 * left out), one row per (package, arch, version) with the report it was first seen in and the one
 * that no longer had it.
 */
export function unjudgedPackages(hostId: string, spans: readonly UnjudgedSpan[], reports: readonly SnapshotReport[], times: readonly number[], bounds: PeriodBounds): ModelUnjudgedPackage[] {
  const byKey = new Map<string, { start: number; end: number | null; span: UnjudgedSpan }>();
  for (const s of spans) {
    if (s.endIdx !== null && (times[s.endIdx] as number) <= bounds.startMs) continue;
    const key = `${s.problem.package}\u0000${s.problem.arch}\u0000${s.problem.version}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { start: s.startIdx, end: s.endIdx, span: s });
    else {
      seen.start = Math.min(seen.start, s.startIdx);
      seen.end = seen.end === null || s.endIdx === null ? null : Math.max(seen.end, s.endIdx);
    }
  }
  return [...byKey.values()]
    .map(({ start, end, span }) => ({
      code: 'CMP_INSTALLED_VERSION_UNPARSED' as const,
      host_id: hostId, package: span.problem.package, arch: span.problem.arch, version: span.problem.version, reason: span.problem.reason,
      first_seen: isoTime(times[start] as number),
      until: end === null ? null : isoTime(times[end] as number),
      evidence: [...ref(reports[start], 'first-seen'), ...(end === null ? [] : ref(reports[end], 'no-longer-installed'))],
    }))
    .sort((a, b) => cmp(a.package, b.package) || cmp(a.arch, b.arch) || cmp(a.version, b.version));
}

/** The model section: counts of every row, lists cut at MAX_UNJUDGED_ROWS. */
export function unjudgedSection(advisories: readonly ModelUnjudgedAdvisory[], packages: readonly ModelUnjudgedPackage[]): ModelUnjudged {
  const sorted = [...packages].sort((a, b) => cmp(a.host_id, b.host_id) || cmp(a.package, b.package) || cmp(a.arch, b.arch) || cmp(a.version, b.version));
  return {
    advisory_entry_count: advisories.length,
    installed_package_count: sorted.length,
    host_count: new Set(sorted.map((p) => p.host_id)).size,
    advisory_entries: advisories.slice(0, MAX_UNJUDGED_ROWS),
    installed_packages: sorted.slice(0, MAX_UNJUDGED_ROWS),
  };
}
