// Runs the real collector (collector/server.ts startCollectorServer) in a worker thread of the demo
// process, so the agents and the collector use two cores. Its clock reads the demo's virtual time
// from shared memory, which the main thread publishes before anything can observe a new instant.
import { Worker } from 'node:worker_threads';
import type { ManualClock, Settle } from '../../agent/clock.ts';
import type { CollectorOptions } from '../../collector/options.ts';
import { demoError } from './errors.ts';

export interface CollectorThreadConfig {
  home: string;
  tlsCert: string;
  tlsKey: string;
  options: Partial<CollectorOptions>;
  time: SharedArrayBuffer;
}

export type CollectorCommand =
  | { type: 'create-api-key'; role: 'admin'; name: string }
  | { type: 'commit-exception'; exceptionId: string; yaml: string; message: string; actor: string }
  | { type: 'shutdown' };

export type CollectorRequest = CollectorCommand & { id: number };

export type CollectorReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { code?: string; message: string; hint?: string } };

/** The virtual instant as shared memory: one Float64 of epoch milliseconds. */
export function sharedTime(): { buffer: SharedArrayBuffer; set(ms: number): void; get(): number } {
  const buffer = new SharedArrayBuffer(8);
  const view = new Float64Array(buffer);
  return { buffer, set: (ms) => void (view[0] = ms), get: () => view[0]! };
}

/**
 * Wraps the agents' manual clock so every change of the virtual time is published to `publish`
 * before a woken sleeper (an agent) can run: runUntil fires a sleeper and calls settle()
 * synchronously, so publishing first in settle is early enough.
 */
export function publishingClock(inner: ManualClock, publish: (ms: number) => void): ManualClock {
  const pub = () => publish(inner.now().getTime());
  const wrap = (settle?: Settle): Settle => () => {
    pub();
    return settle ? settle() : new Promise((r) => setImmediate(r));
  };
  pub();
  return {
    now: () => inner.now(),
    sleep: (ms, signal) => inner.sleep(ms, signal),
    set(time) {
      inner.set(time);
      pub();
    },
    async advance(ms, settle) {
      await inner.advance(ms, wrap(settle));
      pub();
    },
    async runUntil(time, settle) {
      await inner.runUntil(time, wrap(settle));
      pub();
    },
    async advanceToNext(settle) {
      const fired = await inner.advanceToNext(wrap(settle));
      pub();
      return fired;
    },
    nextTimerAt: () => inner.nextTimerAt(),
    pendingTimers: () => inner.pendingTimers(),
  };
}

export interface CollectorThread {
  url: string;
  createApiKey(name: string): Promise<string>;
  /** `actor`: the person making the change, recorded in the audit entry committed with it. */
  commitException(exceptionId: string, yaml: string, message: string, actor: string): Promise<void>;
  close(): Promise<void>;
}

export async function startCollectorThread(config: CollectorThreadConfig): Promise<CollectorThread> {
  const worker = new Worker(new URL('./collector-worker.ts', import.meta.url), { workerData: config });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | null = null;
  const fail = (err: Error) => {
    failed ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { type: 'listening'; url: string } | { type: 'failed'; error: { message: string; hint?: string } }) => {
      if (m.type === 'listening') resolve(m.url);
      else reject(demoError('CLI_DEMO_COLLECTOR', `the collector did not start: ${m.error.message}`, m.error.hint ? { hint: m.error.hint } : {}));
    });
    worker.once('error', reject);
  });
  worker.on('message', (m: CollectorReply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.value);
    else w.reject(demoError('CLI_DEMO_COLLECTOR', m.error.message, { data: { code: m.error.code ?? null }, ...(m.error.hint ? { hint: m.error.hint } : {}) }));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(demoError('CLI_DEMO_COLLECTOR', `the collector thread exited (${code})`)));
  const ask = <T>(req: CollectorCommand): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...req, id });
    });
  };
  return {
    url,
    createApiKey: (name) => ask<string>({ type: 'create-api-key', role: 'admin', name }),
    commitException: (exceptionId, yaml, message, actor) => ask<void>({ type: 'commit-exception', exceptionId, yaml, message, actor }),
    async close() {
      if (failed) return;
      await ask({ type: 'shutdown' });
      await worker.terminate();
    },
  };
}
