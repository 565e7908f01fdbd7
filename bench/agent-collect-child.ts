// Child process of bench/agent-collect.bench.ts: collects in a fresh process (so its peak RSS is
// the agent's own) and prints timings. argv[2]: JSON {root?, admindir?, pending?, runs?, since?}.
import { collect } from '../agent/collect.ts';
import { wireBody } from '../agent/report-wire.ts';
import { dpkgSource } from '../agent/sources/dpkg.ts';
import { ownPeakRssKb } from './tree-rss.ts';

const o = JSON.parse(process.argv[2] ?? '{}') as { root?: string; admindir?: string; pending?: boolean; runs?: number; since?: string };
const cache = new Map<string, unknown>();
const source = () => dpkgSource({ ...(o.admindir ? { admindir: o.admindir } : {}), ...(o.pending === false ? { pending: false } : {}) });
const ms: number[] = [];
let body;
for (let i = 0; i < (o.runs ?? 1); i++) {
  const t = performance.now();
  ({ body } = await collect({ sources: [source()], cache, ...(o.root ? { root: o.root } : {}), ...(o.since ? { since: new Date(o.since) } : {}) }));
  ms.push(performance.now() - t);
}
const { packages, ...rest } = body!;
// What the session sends when nothing changed since the last acknowledged report: neither the
// package list nor the pending list, only their hashes and counts (agent/report-wire.ts).
const unchanged = wireBody(rest, { pending: false });
process.stdout.write(
  JSON.stringify({
    ms,
    maxRSS_kb: ownPeakRssKb(),
    packages: packages.length,
    pending: rest.pending.length,
    history: rest.history.length,
    warnings: rest.warnings.map((w) => w.code),
    unchanged_body: JSON.stringify(unchanged),
    pending_changed_body: JSON.stringify(wireBody(rest, { pending: true })),
  }),
);
