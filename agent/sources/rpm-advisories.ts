// Joins rpm-family pending updates with advisories: an update is a security update when a
// security advisory lists a newer build of the same name.arch; severity is the highest, issued the earliest.
import type { Package, PendingUpdate } from '../../evidence/types.gen.ts';
import { cleanLabel, isoSeconds, LIMITS } from '../report-fields.ts';
import type { AdvisoryInfo, AdvisoryRef } from './dnf-updateinfo.ts';

export interface CandidateUpdate {
  readonly name: string;
  readonly arch: string;
  readonly candidate: string;
  readonly repo?: string;
  /** Known from the tool's own output (zypper); else looked up in the inventory. */
  readonly installed?: string | null;
}

const SEVERITY_RANK: Record<string, number> = { critical: 4, important: 3, high: 3, moderate: 2, medium: 2, low: 1 };

export function severityRank(s: string | undefined): number {
  return s === undefined ? 0 : (SEVERITY_RANK[s.toLowerCase()] ?? 0);
}

function key(name: string, arch: string): string {
  return `${name}\u0000${arch}`;
}

export function applyAdvisories(updates: readonly CandidateUpdate[], installed: readonly Package[], refs: readonly AdvisoryRef[], infos: readonly AdvisoryInfo[]): PendingUpdate[] {
  const installedBy = new Map<string, string>();
  for (const p of installed) installedBy.set(key(p.name, p.arch), p.version);
  const refsBy = new Map<string, AdvisoryRef[]>();
  for (const r of refs) {
    const k = key(r.nevra.name, r.nevra.arch);
    refsBy.set(k, [...(refsBy.get(k) ?? []), r]);
  }
  const infoBy = new Map(infos.map((i) => [i.id, i]));
  return updates.map((u) => {
    const matched = refsBy.get(key(u.name, u.arch)) ?? [];
    const security = matched.filter((r) => r.type === 'security' || infoBy.get(r.id)?.type === 'security');
    const out: PendingUpdate = {
      name: u.name,
      arch: u.arch,
      installed: u.installed !== undefined ? u.installed : (installedBy.get(key(u.name, u.arch)) ?? null),
      candidate: u.candidate,
      security: security.length > 0,
    };
    if (u.repo) out.origin = cleanLabel(u.repo);
    const ids = new Set<string>();
    for (const r of matched) {
      ids.add(r.id);
      for (const cve of infoBy.get(r.id)?.cves ?? []) ids.add(cve);
    }
    if (ids.size > 0) out.advisories = [...ids].sort().slice(0, LIMITS.advisories);
    const ranked = (security.length > 0 ? security : matched)
      .map((r) => r.severity ?? infoBy.get(r.id)?.severity)
      .filter((s): s is string => s !== undefined)
      .sort((a, b) => severityRank(b) - severityRank(a));
    if (ranked[0] !== undefined) out.severity = ranked[0];
    const issued = (security.length > 0 ? security : matched)
      .map((r) => infoBy.get(r.id)?.issued?.getTime())
      .filter((t): t is number => t !== undefined && Number.isFinite(t));
    if (issued.length > 0) out.issued = isoSeconds(new Date(Math.min(...issued)));
    return out;
  });
}
