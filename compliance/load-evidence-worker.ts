// Worker thread for load-evidence.ts: walks the history for one shard of the hosts with its own
// reader and posts the result back host by host (structured clone keeps a host's shared Package
// objects shared; no single message holds the whole shard), then the rest of it.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../evidence/reader.ts';
import { hostsHistory, shardOf } from './load-evidence-history.ts';

const { dir, commits, shard, shards } = workerData as { dir: string; commits: string[]; shard: number; shards: number };
const reader = await openReader(dir);
try {
  const wanted = new Set(commits);
  const log = (await reader.log()).filter((c) => wanted.has(c.commit));
  const h = hostsHistory(reader, log, { hosts: (id) => shardOf(id, shards) === shard, exceptions: false });
  for (const [host, reports] of h.reports) {
    parentPort!.postMessage({ host, reports, inventories: h.inventories.get(host) ?? [] });
    h.reports.delete(host);
    h.inventories.delete(host);
  }
  parentPort!.postMessage({ rest: h });
} finally {
  reader.close();
}
