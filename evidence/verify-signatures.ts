// Checks the detached signature of every evidence file: in-process for small repositories, and
// spread over worker threads (each with its own object reader and parsed keys) for large ones.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ObjectDb } from './git-odb.ts';
import { Verifier } from './sign.ts';
import { reportFacts, type ReportFacts } from './verify-chains.ts';

export interface SignatureJob {
  path: string;
  /** Blob ids of the file and of its .asc (null: no signature, facts only). */
  data: string;
  sig: string | null;
}

export interface SignatureOutcome {
  path: string;
  /** Report envelope facts for the chain checks, computed from the same bytes. */
  facts: ReportFacts;
  ok: boolean;
  reason?: string;
  fingerprint?: string;
  created?: number;
  message?: string;
}

export interface CandidateKey {
  fingerprint: string;
  armored: string;
}

/** Verifies jobs with bounded concurrency on this thread (openpgp's Ed25519 runs off-thread in WebCrypto). */
export function candidateVerifier(keys: readonly CandidateKey[]): Verifier {
  return new Verifier(keys.map((k) => ({ fingerprint: k.fingerprint, publicKeyArmored: k.armored, validFrom: new Date(0), validUntil: null })));
}

export async function verifyJobs(odb: ObjectDb, keys: readonly CandidateKey[] | Verifier, jobs: readonly SignatureJob[], onDone?: (n: number) => void, concurrency = 64): Promise<SignatureOutcome[]> {
  const verifier = keys instanceof Verifier ? keys : candidateVerifier(keys);
  await verifier.ready();
  const out = new Array<SignatureOutcome>(jobs.length);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      const data = odb.readTyped(job.data, 'blob');
      const facts = reportFacts(data);
      if (job.sig === null) {
        out[i] = { path: job.path, facts, ok: false, reason: 'missing', message: `${job.path}.asc is missing` };
      } else {
        const r = await verifier.verifyDetachedRaw(data, odb.readTyped(job.sig, 'blob'));
        out[i] = r.ok
          ? { path: job.path, facts, ok: true, fingerprint: r.fingerprint, created: r.created.getTime() }
          : { path: job.path, facts, ok: false, reason: r.reason, ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}), message: r.message };
      }
      if (++done % 500 === 0) onDone?.(500);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  onDone?.(done % 500);
  return out;
}

export const WORKER_THRESHOLD = 4000;

/**
 * Splits the jobs over worker threads. Each worker gets its whole share up front and reports
 * progress itself, so it never waits for this thread (which is busy walking history meanwhile).
 */
export async function verifyJobsParallel(
  gitdir: string,
  odb: ObjectDb,
  keys: readonly CandidateKey[],
  jobs: readonly SignatureJob[],
  opts: { workers?: number; onDone?: (n: number) => void; threshold?: number } = {},
): Promise<SignatureOutcome[]> {
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), 8));
  if (jobs.length < (opts.threshold ?? WORKER_THRESHOLD) || workers === 1) return verifyJobs(odb, keys, jobs, opts.onDone);
  const share = Math.ceil(jobs.length / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const slice = jobs.slice(w * share, (w + 1) * share);
      return new Promise<SignatureOutcome[]>((resolve, reject) => {
        const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { workerData: { gitdir, keys, jobs: slice } });
        worker.on('message', (msg: { progress: number } | { results: SignatureOutcome[] }) => {
          if ('progress' in msg) opts.onDone?.(msg.progress);
          else {
            resolve(msg.results);
            void worker.terminate();
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => code !== 0 && code !== 1 && reject(new Error(`verify worker exited with ${code}`)));
      });
    }),
  );
  return parts.flat();
}
