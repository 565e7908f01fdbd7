// Package changes between two inventories, with times: from the package manager's log when an
// event matches name + resulting version, else the report interval (not_before … when). Pure.
import type { HistoryEvent, Package, ReportEnvelope } from '../../evidence/types.gen.ts';
import { compareVersions } from './version-order.ts';

export type Change = ReportEnvelope['changes'][number];
type BareChange = Pick<Change, 'name' | 'arch' | 'action' | 'from' | 'to'>;

function groupVersions(packages: readonly Package[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of packages) {
    const key = `${p.name}\t${p.arch}`;
    let set = out.get(key);
    if (!set) out.set(key, (set = new Set()));
    set.add(p.version);
  }
  return out;
}

/**
 * Changes keyed by (name, arch). One version replaced by one other is an upgrade or downgrade;
 * anything else (parallel kernels, multi-version packages) is installs and removals.
 */
export function diffInventories(previous: readonly Package[], next: readonly Package[]): BareChange[] {
  const before = groupVersions(previous);
  const after = groupVersions(next);
  const out: BareChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [name, arch] = key.split('\t') as [string, string];
    const was = before.get(key) ?? new Set<string>();
    const now = after.get(key) ?? new Set<string>();
    const removed = [...was].filter((v) => !now.has(v)).sort(compareVersions);
    const added = [...now].filter((v) => !was.has(v)).sort(compareVersions);
    if (removed.length === 1 && added.length === 1) {
      const [from, to] = [removed[0] as string, added[0] as string];
      out.push({ name, arch, action: compareVersions(to, from) < 0 ? 'downgrade' : 'upgrade', from, to });
      continue;
    }
    for (const to of added) out.push({ name, arch, action: 'install', from: null, to });
    for (const from of removed) out.push({ name, arch, action: 'remove', from, to: null });
  }
  return out.sort(compareChanges);
}

function compareChanges(a: BareChange, b: BareChange): number {
  const ka = [a.name, a.arch, a.from ?? '', a.to ?? ''];
  const kb = [b.name, b.arch, b.from ?? '', b.to ?? ''];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as string) < (kb[i] as string) ? -1 : 1;
  return 0;
}

function matches(change: BareChange, e: HistoryEvent): boolean {
  if (e.name !== change.name) return false;
  if (e.arch && change.arch && e.arch !== change.arch) return false;
  if (change.to === null) return (e.action === 'remove' || e.action === 'purge') && (e.from == null || e.from === change.from);
  return e.action !== 'remove' && e.action !== 'purge' && e.to === change.to;
}

/**
 * Gives each change a time. `receivedAt` is the collector's time of this report; `notBefore` the
 * time of the previous report (the change happened in between when no log event says when).
 */
export function attributeTimes(changes: readonly BareChange[], history: readonly HistoryEvent[], receivedAt: string, notBefore: string | null): Change[] {
  return changes.map((c) => {
    let best: HistoryEvent | undefined;
    let bestMs = -Infinity;
    for (const e of history) {
      if (!matches(c, e)) continue;
      const ms = Date.parse(e.time);
      if (Number.isFinite(ms) && ms > bestMs) [best, bestMs] = [e, ms];
    }
    if (best) {
      return {
        ...c,
        when: new Date(bestMs).toISOString(),
        when_source: 'log' as const,
        ...(best.by === undefined ? {} : { by: best.by }),
        ...(best.command === undefined ? {} : { command: best.command }),
      };
    }
    return { ...c, when: receivedAt, when_source: 'interval' as const, ...(notBefore === null ? {} : { not_before: notBefore }) };
  });
}
