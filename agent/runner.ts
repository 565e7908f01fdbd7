// How the agent runs: check in on the host's jittered schedule (collect → spool), keep one
// outbound connection (reconnecting with full-jitter backoff) and flush the spool over it;
// rotate the device token when the collector asks (config.rotate_token).
// Time comes from an injected Clock, so the demo can run 180 simulated days in seconds.
import type { PatchproofError } from '../evidence/errors.ts';
import { createBackoff, type Backoff } from './backoff.ts';
import { checkin, newReportId, type CollectFn } from './checkin.ts';
import { realClock, type Clock } from './clock.ts';
import { rotateDeviceToken } from './rotate-token.ts';
import { silentLog, type AgentLog } from './log.ts';
import { checkinOverdue, hostPhaseMs, nextCheckinMs, type CheckinPlan } from './schedule.ts';
import { Session, type FlushOutcome } from './session.ts';
import { resolveState, type Credentials, type StateOptions, type StateStore } from './state.ts';
import { connectWebSocket, type ConnectFn } from './transport.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentRunnerOptions {
  state: StateStore | string;
  collect: CollectFn;
  clock?: Clock;
  random?: () => number;
  connect?: ConnectFn;
  log?: AgentLog;
  agentVersion?: string;
  /** Fixed check-in interval; otherwise the collector's `config`, else one hour. */
  intervalMs?: number;
  jitterMs?: number;
  backoff?: { baseMs?: number; capMs?: number };
  /** Real-time wait for an ack before reconnecting (default 120 s). */
  ackTimeoutMs?: number;
  /** A session open this long (by the clock) resets the backoff even without acks (default 60 s). */
  healthySessionMs?: number;
  newReportId?: () => string;
  /** Used when `state` is a directory. */
  stateOptions?: StateOptions;
}

export interface RunOnceResult {
  /** The seq spooled by this run, or null if collection or spooling failed (logged). */
  collected: number | null;
  acked: number;
  rejected: number;
  /** Reports still in the spool afterwards. */
  pending: number;
  outcome: FlushOutcome | 'unreachable';
  error?: PatchproofError;
}

export interface RunnerStatus {
  running: boolean;
  connected: boolean;
  pending: number;
  nextCheckinAt: Date | null;
  backoffAttempt: number;
}

export interface AgentRunner {
  /** collect → spool → connect → flush the whole spool → close. */
  runOnce(): Promise<RunOnceResult>;
  /** Runs until stop(); resolves then. Rejects only if it cannot start (AGT_NOT_ENROLLED …). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the loop is next waiting on the clock (or is not running): for virtual time. */
  idle(): Promise<void>;
  /** Check in now (as the collector's `collect-now` does). */
  collectNow(options?: { fullInventory?: boolean; fullPending?: boolean }): void;
  status(): RunnerStatus;
}

export type { CollectFn, CollectedReport } from './checkin.ts';
export { newReportId } from './checkin.ts';

export const DEFAULT_INTERVAL_MS = 3_600_000;
const NEEDS_OPERATOR = new Set(['AGT_AUTH_REFUSED', 'AGT_TLS_UNTRUSTED', 'AGT_TLS_HOSTNAME_MISMATCH', 'AGT_TLS_VERSION_REFUSED', 'AGT_TLS_PIN_MISMATCH', 'AGT_INSECURE_URL']);

export function createAgentRunner(options: AgentRunnerOptions): AgentRunner {
  return new Runner(options);
}

class Runner implements AgentRunner {
  readonly #o: AgentRunnerOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: AgentLog;
  readonly #backoff: Backoff;
  /** Retries of a token rotation the collector asked for, when the request failed. */
  readonly #rotateBackoff: Backoff;
  #rotateRequested = false;
  #rotateAfter = 0;
  #state: Promise<StateStore> | null = null;
  #loop: Promise<void> | null = null;
  #stopped = false;
  #abort = new AbortController();
  #session: Session | null = null;
  #sessionStartedMs = 0;
  #wake: AbortController | null = null;
  #poked = false;
  #collectRequested = false;
  #replan = false;
  #sleeping = false;
  #busyOnce = 0;
  #idleWaiters: Array<() => void> = [];
  #nextCheckin: number | null = null;
  #pending = 0;

  constructor(options: AgentRunnerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? silentLog;
    this.#backoff = createBackoff({ ...options.backoff, random: this.#random });
    this.#rotateBackoff = createBackoff({ ...options.backoff, random: this.#random });
  }

  #store(): Promise<StateStore> {
    this.#state ??= resolveState(this.#o.state, this.#o.stateOptions);
    return this.#state;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }

  #plan(store: StateStore, hostId: string): CheckinPlan {
    const s = store.state;
    const intervalMs = this.#o.intervalMs ?? (s.interval_s !== null ? s.interval_s * 1000 : DEFAULT_INTERVAL_MS);
    const jitter = this.#o.jitterMs ?? (s.jitter_s !== null ? s.jitter_s * 1000 : Math.min(300_000, intervalMs / 10));
    return { intervalMs, jitterMs: Math.min(jitter, intervalMs / 2), phaseMs: hostPhaseMs(hostId, intervalMs) };
  }

  #newSession(store: StateStore, credentials: Credentials): Session {
    return new Session({
      state: store,
      credentials,
      connect: this.#o.connect ?? connectWebSocket,
      log: this.#log,
      agentVersion: this.#o.agentVersion ?? AGENT_VERSION,
      ackTimeoutMs: this.#o.ackTimeoutMs ?? 120_000,
      now: () => this.#clock.now(),
      signal: this.#abort.signal,
      hooks: {
        onConfig: async (m) => {
          if (m.rotate_token && !this.#rotateRequested) {
            this.#log.info('collector asked for a new device token', {});
            this.#rotateRequested = true;
            this.#poke();
          }
          const before = store.state;
          await store.update({
            interval_s: m.interval_s,
            jitter_s: m.jitter_s ?? null,
            ...(m.full_inventory ? { inventory_requested: true } : {}),
            ...(m.full_pending ? { pending_requested: true } : {}),
          });
          if (before.interval_s !== m.interval_s || before.jitter_s !== (m.jitter_s ?? null)) {
            this.#log.info('schedule from collector', { interval_s: m.interval_s, jitter_s: m.jitter_s ?? null });
            this.#replan = true;
            this.#poke();
          }
        },
        onCollectNow: async (m) => {
          if (m.full_inventory || m.full_pending) await store.update({ ...(m.full_inventory ? { inventory_requested: true } : {}), ...(m.full_pending ? { pending_requested: true } : {}) });
          this.collectNow();
        },
        onClose: () => this.#poke(),
      },
    });
  }

  #checkin(store: StateStore): Promise<number | null> {
    return checkin({ store, collect: this.#o.collect, clock: this.#clock, log: this.#log, newReportId: this.#o.newReportId ?? newReportId });
  }

  async runOnce(): Promise<RunOnceResult> {
    if (this.#loop) throw new Error('runOnce() while start() is running');
    this.#busyOnce++;
    try {
      const store = await this.#store();
      const credentials = await store.credentials();
      const collected = await this.#checkin(store);
      const session = this.#newSession(store, credentials);
      const result = (outcome: RunOnceResult['outcome'], error?: PatchproofError): RunOnceResult => ({
        collected,
        acked: session.acked,
        rejected: session.rejected,
        pending: store.spool.entries().length,
        outcome,
        ...(error ? { error } : {}),
      });
      try {
        await session.open();
      } catch (err) {
        this.#log.error(`cannot reach the collector: ${(err as Error).message}`, { code: (err as PatchproofError).code });
        return result('unreachable', err as PatchproofError);
      }
      let outcome = await session.flush();
      // Honour a collect-now that arrived during the flush (bounded: a chatty collector cannot loop us).
      for (let extra = 0; extra < 3 && outcome === 'drained' && this.#collectRequested; extra++) {
        this.#collectRequested = false;
        await this.#checkin(store);
        outcome = await session.flush();
      }
      session.close();
      if (this.#rotateRequested) {
        const rotated = await this.#rotate(store);
        // Connect once with the new token: its first use retires the old one.
        if (rotated) await this.#useOnce(store, rotated);
      }
      return result(outcome);
    } finally {
      this.#busyOnce--;
      this.#notifyIdle();
    }
  }

  start(): Promise<void> {
    if (this.#loop) return this.#loop;
    this.#stopped = false;
    this.#abort = new AbortController();
    this.#loop = this.#run().finally(() => {
      this.#loop = null;
      this.#sleeping = false;
      this.#notifyIdle();
    });
    return this.#loop;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#session?.close('agent stopping');
    this.#poke();
    await this.#loop?.catch(() => {});
  }

  idle(): Promise<void> {
    if ((this.#loop === null || this.#sleeping) && this.#busyOnce === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  collectNow(options: { fullInventory?: boolean; fullPending?: boolean } = {}): void {
    if (options.fullInventory || options.fullPending) {
      void this.#store().then((s) => s.update({ ...(options.fullInventory ? { inventory_requested: true } : {}), ...(options.fullPending ? { pending_requested: true } : {}) }));
    }
    this.#collectRequested = true;
    this.#poke();
  }

  status(): RunnerStatus {
    return {
      running: this.#loop !== null,
      connected: this.#session?.isOpen ?? false,
      pending: this.#pending,
      nextCheckinAt: this.#nextCheckin === null ? null : new Date(this.#nextCheckin),
      backoffAttempt: this.#backoff.attempt,
    };
  }

  #poke(): void {
    this.#poked = true;
    this.#wake?.abort();
  }

  #notifyIdle(): void {
    if (!((this.#loop === null || this.#sleeping) && this.#busyOnce === 0)) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Rotates the device token (durably stored before it is used); null when it failed (logged, retried later). */
  async #rotate(store: StateStore): Promise<Credentials | null> {
    this.#rotateRequested = false;
    try {
      const { credentials } = await rotateDeviceToken(store, { log: this.#log, now: () => this.#clock.now(), signal: this.#abort.signal });
      this.#rotateBackoff.reset();
      return credentials;
    } catch (err) {
      const e = err as PatchproofError;
      const delay = this.#rotateBackoff.next();
      // The old token keeps working; the collector asks again, and so do we after a while.
      this.#rotateRequested = !this.#stopped;
      this.#rotateAfter = this.#now() + delay;
      this.#log.warn(`could not rotate the device token: ${e.message}`, { code: e.code ?? 'AGT_INTERNAL', retry_in_ms: delay });
      return null;
    }
  }

  async #useOnce(store: StateStore, credentials: Credentials): Promise<void> {
    const s = this.#newSession(store, credentials);
    try {
      await s.open();
    } catch (err) {
      this.#log.warn(`the new device token was not used yet: ${(err as Error).message}; it takes over at the next connection`, { code: (err as PatchproofError).code });
    }
    s.close('token rotated');
  }

  async #run(): Promise<void> {
    const store = await this.#store();
    let credentials = await store.credentials();
    let plan = this.#plan(store, credentials.host_id);
    const lastCollected = store.state.last_collected_at === null ? null : Date.parse(store.state.last_collected_at);
    let nextCheckin = checkinOverdue(this.#now(), lastCollected, plan.intervalMs) ? this.#now() : nextCheckinMs(this.#now(), plan, this.#random);
    let nextConnect = this.#now();
    this.#log.info('agent started', { host_id: credentials.host_id, interval_s: plan.intervalMs / 1000, spooled: store.spool.entries().length });

    while (!this.#stopped) {
      this.#poked = false;
      try {
        if (this.#replan) {
          this.#replan = false;
          plan = this.#plan(store, credentials.host_id);
          nextCheckin = nextCheckinMs(this.#now(), plan, this.#random);
        }
        if (this.#collectRequested || this.#now() >= nextCheckin) {
          const due = this.#now() >= nextCheckin;
          this.#collectRequested = false;
          await this.#checkin(store);
          if (due) nextCheckin = nextCheckinMs(this.#now(), plan, this.#random);
        }
        if (this.#rotateRequested && !this.#stopped && this.#now() >= this.#rotateAfter) {
          const rotated = await this.#rotate(store);
          if (rotated) {
            credentials = rotated;
            // Reconnect with the new token at once: its first use retires the old one.
            this.#session?.close('device token rotated');
            this.#session = null;
            nextConnect = this.#now();
          }
        }
        nextConnect = this.#endedSession(nextConnect);
        if (!this.#stopped && this.#session === null && this.#now() >= nextConnect) {
          const session = this.#newSession(store, credentials);
          try {
            await session.open();
            this.#session = session;
            this.#sessionStartedMs = this.#now();
          } catch (err) {
            const delay = this.#backoff.next();
            nextConnect = this.#now() + delay;
            const e = err as PatchproofError;
            // Trust and credential failures need a person; an unreachable collector usually does not.
            const level = NEEDS_OPERATOR.has(e.code) ? 'error' : 'warn';
            this.#log[level](`cannot connect: ${e.message}`, { code: e.code, retry_in_ms: delay, attempt: this.#backoff.attempt });
          }
        }
        if (!this.#stopped && this.#session?.isOpen) {
          const outcome = await this.#session.flush();
          if (this.#session.acked > 0 && outcome === 'drained') this.#backoff.reset();
          nextConnect = this.#endedSession(nextConnect);
        }
      } catch (err) {
        // An unexpected failure (disk, bug) must not kill the agent: log it and back off.
        const delay = this.#backoff.next();
        nextConnect = this.#now() + delay;
        this.#log.error(`agent loop error: ${(err as Error).message}`, { code: (err as PatchproofError).code ?? 'AGT_INTERNAL', retry_in_ms: delay });
        this.#session?.close('error');
      }
      this.#pending = store.spool.entries().length;
      this.#nextCheckin = nextCheckin;
      if (this.#stopped) break;
      if (this.#poked || this.#collectRequested) continue;
      const wakeAt = Math.min(this.#session?.isOpen ? nextCheckin : Math.min(nextCheckin, nextConnect), this.#rotateRequested ? this.#rotateAfter : Infinity);
      this.#wake = new AbortController();
      this.#sleeping = true;
      this.#notifyIdle();
      await this.#clock.sleep(Math.max(0, wakeAt - this.#now()), this.#wake.signal);
      this.#sleeping = false;
    }
    this.#session?.close('agent stopping');
    this.#session = null;
    this.#log.info('agent stopped', {});
  }

  /** When the session has ended: forget it and schedule the reconnect (backoff reset if it was healthy). */
  #endedSession(nextConnect: number): number {
    const s = this.#session;
    if (s === null || s.isOpen) return nextConnect;
    this.#session = null;
    if (this.#stopped) return nextConnect;
    if (s.acked > 0 || this.#now() - this.#sessionStartedMs >= (this.#o.healthySessionMs ?? 60_000)) this.#backoff.reset();
    const delay = this.#backoff.next();
    this.#log.info('reconnecting', { retry_in_ms: delay, attempt: this.#backoff.attempt });
    return this.#now() + delay;
  }
}
