// Worker thread for evaluate-repository.ts: reads and judges one shard of the hosts with its own
// reader (judge-shard.ts), reporting history progress and each judged host, then posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../evidence/reader.ts';
import { judgeShard, type JudgeSpec } from './judge-shard.ts';

const data = workerData as { dir: string; commits: string[]; head: string; shard: number; shards: number; exact: boolean; cache?: string };
// The spec comes once the evaluating thread has read the exceptions; the history is read meanwhile.
const spec = new Promise<JudgeSpec>((resolve) => {
  parentPort!.once('message', (m: { kind: 'spec'; spec: JudgeSpec }) => resolve(m.spec));
});
const reader = await openReader(data.dir);
try {
  const wanted = new Set(data.commits);
  const commits = (await reader.log()).filter((c) => wanted.has(c.commit));
  const result = await judgeShard(reader, commits, data.head, spec, {
    shard: data.shard, shards: data.shards, exact: data.exact, ...(data.cache ? { cache: data.cache } : {}),
    onJudged: () => parentPort!.postMessage({ kind: 'judged' }),
    onNote: (message) => parentPort!.postMessage({ kind: 'note', message }),
  });
  parentPort!.postMessage({ kind: 'result', result });
} finally {
  reader.close();
}
