// When a fix was released, per (advisory, ecosystem, package, fixed version): a CVE-keyed record's
// `published` is the CVE's date, so the release is taken from the vendor notices it is linked to.
import { isPatchproofError } from '../evidence/errors.ts';
import { versionOrderFor } from './ecosystem.ts';
import type { OsvRecord } from './osv-types.ts';
import { timeMs } from './sla-time.ts';
import { compareParsed, parseVersion, type ParsedVersion } from './version.ts';

export interface FixRelease {
  /** The `published` time of the record it came from (OSV text, as written). */
  readonly published: string;
  /** The id of that record: a linked notice (USN-…, DSA-…) or the advisory itself. */
  readonly source: string;
}

/** The fix release of one affected entry's `fixed` version. */
export type FixReleaseLookup = (record: OsvRecord, ecosystem: string, packageName: string, fixed: ParsedVersion) => FixRelease;

/** Ids keyed by a CVE (CVE-…, UBUNTU-CVE-…, DEBIAN-CVE-…): their `published` is no release date. */
const CVE_KEYED = /(^|-)CVE-\d{4}-\d+$/;

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The record's own release: its `published` (`modified` when absent). */
export function ownRelease(record: OsvRecord): FixRelease {
  return { published: record.published ?? record.modified, source: record.id };
}

/**
 * Builds the lookup over a snapshot's records. A record links to the ids in its `related`, and
 * to every record whose `related` or `upstream` names it (a USN names its UBUNTU-CVE record in
 * `upstream`, a DSA its DEBIAN-CVE record). The release is the earliest `published` among linked,
 * non-CVE-keyed, non-withdrawn records that fix the same package in the same ecosystem at an
 * equal version (by the ecosystem's order); else the record's own. Pure; memoised per record.
 */
export function fixReleaseLookup(records: readonly OsvRecord[]): FixReleaseLookup {
  const byId = new Map<string, OsvRecord>();
  const linkedFrom = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.withdrawn !== undefined) continue;
    byId.set(r.id, r);
    for (const id of [...(r.related ?? []), ...(r.upstream ?? [])]) {
      let set = linkedFrom.get(id);
      if (!set) linkedFrom.set(id, (set = new Set()));
      set.add(r.id);
    }
  }
  const notices = new Map<string, readonly OsvRecord[]>();
  const fixes = new Map<string, ReadonlyMap<string, readonly ParsedVersion[]>>();

  /** Linked records that can date a release, earliest first (ties by id). */
  function noticesOf(record: OsvRecord): readonly OsvRecord[] {
    let list = notices.get(record.id);
    if (list) return list;
    const ids = new Set([...(record.related ?? []), ...(linkedFrom.get(record.id) ?? [])]);
    list = [...ids]
      .filter((id) => id !== record.id && !CVE_KEYED.test(id))
      .map((id) => byId.get(id))
      .filter((r): r is OsvRecord => r !== undefined && r.published !== undefined && !Number.isNaN(timeMs(r.published)))
      .sort((a, b) => timeMs(a.published!) - timeMs(b.published!) || byText(a.id, b.id));
    notices.set(record.id, list);
    return list;
  }

  /** `fixed` versions of a notice per ecosystem + package; versions that do not parse are left out. */
  function fixesOf(notice: OsvRecord): ReadonlyMap<string, readonly ParsedVersion[]> {
    let map = fixes.get(notice.id);
    if (map) return map;
    const out = new Map<string, ParsedVersion[]>();
    for (const affected of notice.affected ?? []) {
      const pkg = affected.package;
      const eco = pkg ? versionOrderFor(pkg.ecosystem) : undefined;
      if (!pkg || eco === undefined) continue;
      const key = `${pkg.ecosystem}\u0000${pkg.name}`;
      for (const range of affected.ranges ?? []) {
        if (range.type !== 'ECOSYSTEM') continue;
        for (const ev of range.events) {
          if (ev.fixed === undefined) continue;
          try {
            const list = out.get(key);
            const v = parseVersion(eco, ev.fixed);
            if (list) list.push(v);
            else out.set(key, [v]);
          } catch (e) {
            if (!isPatchproofError(e, 'CMP_VERSION_INVALID')) throw e;
          }
        }
      }
    }
    fixes.set(notice.id, (map = out));
    return map;
  }

  return (record, ecosystem, packageName, fixed) => {
    const key = `${ecosystem}\u0000${packageName}`;
    for (const notice of noticesOf(record)) {
      const versions = fixesOf(notice).get(key);
      if (versions?.some((v) => v.text === fixed.text || compareParsed(v, fixed) === 0)) {
        return { published: notice.published!, source: notice.id };
      }
    }
    return ownRelease(record);
  };
}
