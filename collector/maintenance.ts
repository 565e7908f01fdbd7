// Scheduled repository maintenance. The store writes one pack per commit (crash safety), so packs
// pile up; `git gc` merges them "on a schedule" (DESIGN.md §2). Due by the collector clock, with
// the last run kept in the state database, so a collector restarted more often than the interval
// still packs. Never started by shutdown: a gc of a large repository can outlast the service
// manager's stop timeout, and the repository is valid without it (docs/collector.md).
import type { EvidenceSink } from './evidence-sink.ts';
import type { Clock } from './clock.ts';
import { sql, type Db } from './state/db.ts';

const KV_KEY = 'maintenance.gc_at';

export interface MaintenanceDeps {
  readonly sink: Pick<EvidenceSink, 'gc'>;
  readonly db: Db;
  readonly clock: Clock;
  /** Pack at most this often (collector time); 0 turns scheduled packing off. */
  readonly intervalMs: number;
  /** How often (real time) to check whether packing is due. */
  readonly checkEveryMs: number;
  readonly log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
}

export class Maintenance {
  readonly #d: MaintenanceDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | null = null;
  #stopped = false;

  constructor(deps: MaintenanceDeps) {
    this.#d = deps;
  }

  start(): void {
    if (this.#d.intervalMs <= 0) return;
    this.#timer = setInterval(() => void this.runIfDue(), this.#d.checkEveryMs);
    this.#timer.unref();
  }

  lastRunAt(): string | null {
    const row = sql(this.#d.db, 'SELECT value FROM kv WHERE key = ?').get(KV_KEY) as { value: string } | undefined;
    return row?.value ?? null;
  }

  due(): boolean {
    if (this.#d.intervalMs <= 0 || this.#stopped) return false;
    const last = this.lastRunAt();
    return last === null || this.#d.clock().getTime() - Date.parse(last) >= this.#d.intervalMs;
  }

  /** Packs the repository if due; true when `git gc` ran. Failures are logged, never thrown. */
  runIfDue(): Promise<boolean> {
    if (this.#running) return this.#running;
    if (!this.due()) return Promise.resolve(false);
    const started = performance.now();
    this.#running = this.#d.sink
      .gc()
      .then((ran) => {
        sql(this.#d.db, 'INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)').run(KV_KEY, this.#d.clock().toISOString());
        if (ran) this.#d.log.info({ ms: Math.round(performance.now() - started) }, 'evidence repository packed (git gc)');
        else this.#d.log.warn({}, 'git is not installed: the evidence repository is not packed');
        return ran;
      })
      .catch((err: unknown) => {
        this.#d.log.warn({ err }, 'git gc of the evidence repository failed; retried at the next check');
        return false;
      })
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  /** Stops scheduling; a gc already running is waited for (it holds the store's write queue). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
