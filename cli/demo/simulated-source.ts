// A simulated package manager behind the agent's PackageSource interface: it answers from the
// host's precomputed history (host-model.ts) at the context's clock, so the real agent collects a
// simulated host exactly as it would collect a real one.
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import type { PackageManager, PackageSource, SourceContext } from '../../agent/sources/types.ts';
import { historyBetween, pendingAt, snapshotAt, type HostModel, type HostSnapshot } from './host-model.ts';
import type { RepoFile } from './package-repo.ts';

const MANAGERS: Record<RepoFile['ecosystem'], PackageManager> = { dpkg: 'dpkg', rpm: 'rpm', apk: 'apk' };

export interface SimulatedSource extends PackageSource {
  /** The host as it is at `t` (kernel, boot time): for the report fields a source does not give. */
  snapshot(t: Date): HostSnapshot;
}

export function simulatedSource(model: HostModel, repo: RepoFile): SimulatedSource {
  // One collection asks installed(), pending() and kernels() at the same instant: compute once.
  let cache: { at: number; snap: HostSnapshot } | null = null;
  const snapshot = (t: Date): HostSnapshot => {
    if (cache?.at !== t.getTime()) cache = { at: t.getTime(), snap: snapshotAt(model, repo, t) };
    return cache.snap;
  };
  return {
    manager: MANAGERS[repo.ecosystem],
    name: `simulated/${repo.distro}`,
    snapshot,
    async detect() {
      return true;
    },
    async installed(ctx: SourceContext): Promise<Package[]> {
      return snapshot(ctx.now()).packages.map((p) => ({ ...p }));
    },
    async pending(ctx: SourceContext): Promise<PendingUpdate[]> {
      const now = ctx.now();
      return pendingAt(model, repo, snapshot(now), now);
    },
    async history(ctx: SourceContext, since?: Date): Promise<HistoryEvent[]> {
      return historyBetween(model, repo, since, ctx.now());
    },
    async kernels(ctx: SourceContext): Promise<string[]> {
      return [...snapshot(ctx.now()).kernels];
    },
  };
}
