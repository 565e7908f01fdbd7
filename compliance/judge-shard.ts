// One shard of the hosts of a repository, read and judged where it was read: the history pass for
// those hosts only, then each host judged and its reports let go at once. Runs on the main thread
// and in worker threads (judge-shard-worker.ts); a shard's result is plain data (HostJudgement),
// so what crosses threads is the judgement, not the hosts' year of reports.
import type { CommitInfo, EvidenceReader } from '../evidence/reader.ts';
import type { SnapshotException, SnapshotHost } from './evidence-snapshot.ts';
import { loadHost } from './load-evidence.ts';
import { readHistoryCache, writeHistoryCache } from './history-cache.ts';
import { hasBadReports, HistoryScan, shardOf, type HostsHistory } from './load-evidence-history.ts';
import { judgeOneHost, prepareJudgement, type HostJudgement, type Judgement } from './model-judge.ts';
import type { OsvRecord } from './osv-types.ts';
import type { Policy } from './policy.ts';
import type { Period } from './sla-time.ts';

/** What a thread needs to judge hosts the same way as every other thread. */
export interface JudgeSpec {
  readonly policies: readonly Policy[];
  readonly records: readonly OsvRecord[];
  readonly period: Period;
  readonly exceptions: readonly SnapshotException[];
}

export interface ShardResult {
  readonly judged: HostJudgement[];
  /** The shard's hosts without their reports and inventories (for host files in the model). */
  readonly headers: SnapshotHost[];
}

export interface ShardOptions {
  readonly shard: number;
  readonly shards: number;
  /** Cite the commit that added each file (default) or the judged commit. */
  readonly exact: boolean;
  readonly onHistory?: (p: { done: number; total: number }) => void;
  readonly onJudged?: (hostId: string) => void;
  /** Folder of the history cache (history-cache.ts); none: read the whole history. */
  readonly cache?: string;
  /** What the cache did (resumed, rewritten, ignored and why). */
  readonly onNote?: (message: string) => void;
}

/** The history pass for the shard, resumed from and saved to the cache when there is one. */
function shardHistory(reader: EvidenceReader, commits: readonly CommitInfo[], mine: (id: string) => boolean, opts: ShardOptions): HostsHistory {
  const slot = opts.cache ? { dir: opts.cache, shard: opts.shard, shards: opts.shards } : null;
  const cached = slot ? readHistoryCache(reader, slot, commits) : null;
  if (cached?.kind === 'miss' && cached.reason) opts.onNote?.(`history cache ${opts.shard + 1}/${opts.shards} not used: ${cached.reason}`);
  const scan = new HistoryScan(reader, cached?.kind === 'hit' ? cached.state : undefined);
  if (cached?.kind === 'hit') {
    const from = commits.findIndex((c) => c.commit === cached.commit);
    opts.onNote?.(`history cache ${opts.shard + 1}/${opts.shards}: resumed at ${cached.commit.slice(0, 12)}, ${commits.length - from - 1} new commit(s)`);
  }
  scan.advance(commits, { hosts: mine, exceptions: false, ...(opts.onHistory ? { onProgress: opts.onHistory } : {}) });
  const changed = cached?.kind !== 'hit' || scan.state.commit !== cached.commit;
  if (slot && changed && (cached?.kind === 'hit' || cached?.write) && !hasBadReports(scan.state)) {
    try {
      writeHistoryCache(slot, scan.state);
    } catch (err) {
      opts.onNote?.(`history cache ${opts.shard + 1}/${opts.shards} not written: ${(err as Error).message}`);
    }
  }
  return scan.result();
}

/** `j` may still be on its way (a worker is sent it while it reads): it is awaited once the history is read. */
export async function judgeShard(reader: EvidenceReader, commits: readonly CommitInfo[], head: string, j: Judgement | JudgeSpec | Promise<JudgeSpec>, opts: ShardOptions): Promise<ShardResult> {
  const mine = (id: string): boolean => shardOf(id, opts.shards) === opts.shard;
  const history = shardHistory(reader, commits, mine, opts);
  const given = await j;
  const judgement = 'ctx' in given ? given : prepareJudgement(given);
  const judged: HostJudgement[] = [];
  const headers: SnapshotHost[] = [];
  for (const entry of await reader.listHosts(head, mine)) {
    const host = await loadHost(reader, entry, head, history, opts.exact);
    history.reports.delete(entry.hostId);
    history.inventories.delete(entry.hostId);
    judged.push(judgeOneHost(host, judgement));
    headers.push({ ...host, reports: [], inventories: [] });
    opts.onJudged?.(entry.hostId);
  }
  return { judged, headers };
}
