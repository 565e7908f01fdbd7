// evaluate() over a real evidence repository without building the whole EvidenceSnapshot first:
// the hosts are split into shards read and judged in worker threads and on this thread at once
// (judge-shard.ts); the workers start reading at once and are sent the judgement spec once this
// thread has read the exceptions (with their history). Only the shards' judgements are assembled
// into the model. The result is byte-identical to
// evaluate({ evidence: await loadEvidence(dir), … }); peak memory is one shard's reports per thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { openReader, type CommitInfo, type EvidenceReader } from '../evidence/reader.ts';
import { cmpError } from './errors.ts';
import type { EvidenceSnapshot, SnapshotException } from './evidence-snapshot.ts';
import { judgeShard, type JudgeSpec, type ShardResult } from './judge-shard.ts';
import { historyTo, loadExceptions, type LoadProgress } from './load-evidence.ts';
import { assembleModel, type AdvisoryInput, type EvaluateProgress } from './model.ts';
import { collectPass, prepareJudgement, type HostJudgement } from './model-judge.ts';
import type { CatalogControl } from './controls.ts';
import type { ComplianceModel } from './model-types.ts';
import type { Policy } from './policy.ts';
import type { Period } from './sla-time.ts';

export interface RepositoryEvaluation {
  readonly policies: readonly Policy[];
  readonly advisories: AdvisoryInput | null;
  readonly period: Period;
  readonly organisation: string;
  readonly catalog?: readonly CatalogControl[];
  /** Commit to judge; default HEAD. */
  readonly commit?: string;
  /** Demo fleets; default: the repository README says "Simulated data". */
  readonly simulated?: boolean;
  /** 'exact' (default): cite the commit that added each file; 'judged': the judged commit. */
  readonly fileCommits?: 'exact' | 'judged';
  /** Worker threads besides this one; default one per further core (at most 3) from 64 hosts on. */
  readonly workers?: number;
  readonly onLoad?: (p: LoadProgress) => void;
  readonly onProgress?: (p: EvaluateProgress) => void;
  readonly onWarning?: (message: string) => void;
  /**
   * Folder that keeps the history pass between runs (history-cache.ts), so a later evaluation
   * reads only the commits added since; none: read the whole history every time.
   */
  readonly cache?: string;
  /** What the cache did. */
  readonly onCache?: (message: string) => void;
  readonly skipValidation?: boolean;
}

/** Worker threads for a repository of `hostCount` hosts: one per further core (at most 3) from 64 hosts on. */
function defaultWorkers(hostCount: number): number {
  return hostCount >= 64 ? Math.min(3, availableParallelism() - 1) : 0;
}

const KNOWN = new Set(['policies', 'advisories', 'period', 'organisation', 'catalog', 'commit', 'simulated', 'fileCommits', 'workers', 'onLoad', 'onProgress', 'onWarning', 'cache', 'onCache', 'skipValidation']);

/** exceptions/ history alone: the tree of exceptions/ is compared by id, so this reads almost nothing. */
async function exceptionsAt(reader: EvidenceReader, commits: readonly CommitInfo[], head: string, onWarning?: (m: string) => void): Promise<SnapshotException[]> {
  const exceptionCommits = new Map<string, CommitInfo[]>();
  reader.walkChanges(commits, {
    roots: ['exceptions'],
    onChange: ({ path, commit }) => {
      const list = exceptionCommits.get(path);
      if (list) list.push(commit);
      else exceptionCommits.set(path, [commit]);
    },
  });
  return loadExceptions(reader, head, { exceptionCommits }, onWarning);
}

interface WorkerShard {
  readonly dir: string;
  readonly commits: readonly CommitInfo[];
  readonly head: string;
  readonly shard: number;
  readonly shards: number;
  readonly exact: boolean;
  readonly cache: string | undefined;
}

/**
 * A worker for one shard, started before the judgement is ready: it reads its history meanwhile
 * and is sent the spec (exceptions, policies, advisories) once this thread has it.
 */
function startWorker(w: WorkerShard, spec: Promise<JudgeSpec>, onJudged: () => void, onNote: (m: string) => void): { worker: Worker; result: Promise<ShardResult> } {
  const worker = new Worker(new URL('./judge-shard-worker.ts', import.meta.url), {
    workerData: { dir: w.dir, commits: w.commits.map((c) => c.commit), head: w.head, shard: w.shard, shards: w.shards, exact: w.exact, cache: w.cache },
  });
  const result = new Promise<ShardResult>((resolve, reject) => {
    void spec.then((s) => worker.postMessage({ kind: 'spec', spec: s }));
    worker.on('message', (m: { kind: 'judged' } | { kind: 'note'; message: string } | { kind: 'result'; result: ShardResult }) => {
      if (m.kind === 'judged') onJudged();
      else if (m.kind === 'note') onNote(m.message);
      else resolve(m.result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`evaluation worker exited with code ${code}`)));
  });
  return { worker, result };
}

export async function evaluateRepository(dir: string, opts: RepositoryEvaluation): Promise<ComplianceModel> {
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw cmpError('CMP_USAGE', `evaluateRepository(): unknown option ${k}`);
  const reader = await openReader(dir);
  const running: Worker[] = [];
  try {
    const head = opts.commit ?? (await reader.head());
    if (head === null) throw cmpError('CMP_EVIDENCE_INVALID', `${dir} has no commits`);
    const commits = await historyTo(reader, head);
    const hostTotal = reader.listSync('hosts', head).length;
    const workers = opts.workers ?? defaultWorkers(hostTotal);
    const shards = workers + 1;
    const exact = opts.fileCommits !== 'judged';
    let judgedCount = 0;
    const onJudged = (): void => {
      judgedCount++;
      if (judgedCount % 50 === 0) opts.onProgress?.({ phase: 'hosts', done: judgedCount, total: hostTotal });
    };
    const onNote = (m: string): void => opts.onCache?.(m);
    const cache = opts.cache;
    // Workers start at once and read their history while this thread reads the exceptions. If that
    // fails, the spec is never sent and the workers are stopped below.
    const spec = Promise.withResolvers<JudgeSpec>();
    const started = Array.from({ length: workers }, (_, i) => {
      const w = startWorker({ dir: reader.dir, commits, head, shard: i + 1, shards, exact, cache }, spec.promise, onJudged, onNote);
      running.push(w.worker);
      // Stopped workers reject: handled below when they are awaited, and never unhandled if this thread fails first.
      w.result.catch(() => {});
      return w.result;
    });
    const exceptions = await exceptionsAt(reader, commits, head, opts.onWarning);
    opts.onLoad?.({ phase: 'exceptions', done: exceptions.length, total: exceptions.length });
    const judgeSpec: JudgeSpec = { policies: opts.policies, records: opts.advisories?.records ?? [], period: opts.period, exceptions };
    const j = prepareJudgement({ ...judgeSpec, ...(opts.advisories?.index ? { index: opts.advisories.index } : {}) });
    spec.resolve(judgeSpec);
    opts.onProgress?.({ phase: 'index', done: j.index.entries, total: j.index.entries });

    // A shard whose worker fails is read again on this thread, so its error (an invalid report, say) is ours.
    const others = started.map((result, i) => result.catch((err: unknown) => {
      opts.onWarning?.(`evaluation worker ${i + 1} failed (${(err as Error).message}); its hosts are read on the main thread`);
      return judgeShard(reader, commits, head, j, { shard: i + 1, shards, exact, onJudged, onNote, ...(cache ? { cache } : {}) });
    }));
    const onHistory = (p: { done: number; total: number }): void => opts.onLoad?.({ phase: 'history', ...p });
    const mine = await judgeShard(reader, commits, head, j, { shard: 0, shards, exact, onHistory, onJudged, onNote, ...(cache ? { cache } : {}) });
    const parts = [mine, ...(await Promise.all(others))];
    running.length = 0;

    const judged: HostJudgement[] = parts.flatMap((p) => p.judged);
    if (judged.length % 50 !== 0 || judged.length !== judgedCount) opts.onProgress?.({ phase: 'hosts', done: judged.length, total: judged.length });
    const headers = parts.flatMap((p) => p.headers).sort((a, b) => (a.host.host_id < b.host.host_id ? -1 : 1));
    const readme = (await reader.readText('README.md', head)) ?? '';
    const evidence: EvidenceSnapshot = {
      repo_commit: head,
      simulated: opts.simulated ?? readme.includes('Simulated data'),
      hosts: headers,
      exceptions,
      keys: (await reader.keys(head)).file.keys,
      audit: await reader.auditEntries(head),
    };
    return assembleModel({
      evidence, policies: opts.policies, advisories: opts.advisories, period: opts.period, organisation: opts.organisation,
      ...(opts.catalog ? { catalog: opts.catalog } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.skipValidation ? { skipValidation: true } : {}),
    }, j, collectPass(judged));
  } finally {
    // On an error here, workers still reading are stopped (their results are not wanted).
    for (const w of running) void w.terminate();
    reader.close();
  }
}
