// Per-host ingest state: the last written envelope (seq, hash, path), the inventory hash, the
// agent's highest seq, liveness, report ids already handled and hosts with a write in flight.
// Derived data: the evidence repository is the truth and this is re-derived from it when behind.
//
// Hot path: every check-in records liveness. Records are kept in memory and written behind in
// one transaction every `flushMs`; that is safe because a written envelope's host is marked
// in flight (synchronously, before its commit) until the batch holding its record is flushed,
// and a lost liveness record costs nothing but a later duplicate being seen as out of order.
import type { Warning } from '../../evidence/types.gen.ts';
import { sql, transaction, type Db } from './db.ts';

export interface HostState {
  host_id: string;
  /** Last written envelope seq (0: none yet). */
  seq: number;
  last_hash: string | null;
  last_report_id: string | null;
  last_path: string | null;
  last_commit: string | null;
  /** received_at of the last written envelope. */
  last_written_at: string | null;
  inventory_sha256: string | null;
  inventory_count: number | null;
  /** pending_sha256 of the pending list in the last written envelope (null: not known yet). */
  pending_sha256: string | null;
  /** Highest agent seq accepted (written or liveness). */
  agent_seq: number;
  /** received_at of the last accepted report, written or liveness. */
  last_report_at: string | null;
  /** Fingerprint of the reported state (see ingest/state-fingerprint.ts). */
  state_sha256: string | null;
  /** Anomalies waiting to ride on the next written envelope. */
  pending_anomalies: Warning[];
}

export interface SeenReport {
  report_id: string;
  agent_seq: number;
  status: 'written' | 'liveness';
  commit_id: string | null;
  path: string | null;
  at: string;
}

interface Row extends Omit<HostState, 'pending_anomalies'> {
  pending_anomalies: string;
}

interface Pending {
  state: HostState;
  seen: SeenReport;
  /** The in-flight mark this record settles (written envelopes only). */
  inflight: string | null;
}

export function emptyHostState(hostId: string): HostState {
  return {
    host_id: hostId,
    seq: 0,
    last_hash: null,
    last_report_id: null,
    last_path: null,
    last_commit: null,
    last_written_at: null,
    inventory_sha256: null,
    inventory_count: null,
    pending_sha256: null,
    agent_seq: 0,
    last_report_at: null,
    state_sha256: null,
    pending_anomalies: [],
  };
}

/** Liveness report ids are remembered this long (collector time) for duplicate detection. */
const KEEP_LIVENESS_MS = 7 * 86_400_000;

export class HostStateStore {
  readonly #db: Db;
  readonly #flushMs: number;
  readonly #cache = new Map<string, HostState>();
  #pending: Pending[] = [];
  readonly #pendingSeen = new Map<string, SeenReport>();
  #timer: NodeJS.Timeout | null = null;
  #inflightCounter = 0;
  #lastPrune = '';

  constructor(db: Db, opts: { flushMs?: number } = {}) {
    this.#db = db;
    this.#flushMs = opts.flushMs ?? 50;
  }

  get(hostId: string): HostState | null {
    const cached = this.#cache.get(hostId);
    if (cached) return cached;
    const row = sql(this.#db, 'SELECT * FROM host_state WHERE host_id = ?').get(hostId) as Row | undefined;
    if (!row) return null;
    const { pending_anomalies, ...rest } = row;
    const state = { ...rest, pending_anomalies: JSON.parse(pending_anomalies) as Warning[] };
    this.#cache.set(hostId, state);
    return state;
  }

  /** Writes a state at once (recovery, first derivation). */
  put(s: HostState): void {
    this.#cache.set(s.host_id, s);
    this.#write(s);
  }

  #write(s: HostState): void {
    sql(
      this.#db,
      `INSERT OR REPLACE INTO host_state (host_id, seq, last_hash, last_report_id, last_path, last_commit, last_written_at,
         inventory_sha256, inventory_count, pending_sha256, agent_seq, last_report_at, state_sha256, pending_anomalies)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.host_id, s.seq, s.last_hash, s.last_report_id, s.last_path, s.last_commit, s.last_written_at, s.inventory_sha256, s.inventory_count, s.pending_sha256, s.agent_seq, s.last_report_at, s.state_sha256, JSON.stringify(s.pending_anomalies));
  }

  /** Forgets derived state so the next report re-derives it from the repository. */
  drop(hostId: string): void {
    this.#cache.delete(hostId);
    sql(this.#db, 'DELETE FROM host_state WHERE host_id = ?').run(hostId);
  }

  count(): number {
    this.flush();
    return (sql(this.#db, 'SELECT COUNT(*) AS n FROM host_state').get() as { n: number }).n;
  }

  seen(hostId: string, reportId: string): SeenReport | null {
    const pending = this.#pendingSeen.get(`${hostId}\0${reportId}`);
    if (pending) return pending;
    const row = sql(this.#db, 'SELECT report_id, agent_seq, status, commit_id, path, at FROM seen_reports WHERE host_id = ? AND report_id = ?').get(hostId, reportId) as
      | SeenReport
      | undefined;
    return row ? { ...row } : null;
  }

  /**
   * Records an accepted report and the host's new state (written behind, see the header).
   * `inflight` is the mark returned by markInflight() for a written envelope.
   */
  record(state: HostState, seen: SeenReport, inflight: string | null = null): void {
    this.#cache.set(state.host_id, state);
    this.#pending.push({ state, seen, inflight });
    this.#pendingSeen.set(`${state.host_id}\0${seen.report_id}`, seen);
    if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Writes every pending record in one transaction. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const latest = new Map<string, HostState>();
    for (const p of batch) latest.set(p.state.host_id, p.state);
    transaction(this.#db, () => {
      for (const s of latest.values()) this.#write(s);
      const insertSeen = sql(this.#db, 'INSERT OR REPLACE INTO seen_reports (host_id, report_id, agent_seq, status, commit_id, path, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const { state, seen, inflight } of batch) {
        insertSeen.run(state.host_id, seen.report_id, seen.agent_seq, seen.status, seen.commit_id, seen.path, seen.at);
        if (inflight !== null) sql(this.#db, 'DELETE FROM inflight WHERE host_id = ? AND since = ?').run(state.host_id, inflight);
      }
      this.#prune(batch[batch.length - 1]!.seen.at);
    });
    for (const { state, seen } of batch) this.#pendingSeen.delete(`${state.host_id}\0${seen.report_id}`);
  }

  /** At most once a minute (collector time): forget liveness report ids older than a week. */
  #prune(now: string): void {
    if (now.slice(0, 16) === this.#lastPrune) return;
    this.#lastPrune = now.slice(0, 16);
    const cutoff = new Date(Date.parse(now) - KEEP_LIVENESS_MS).toISOString();
    sql(this.#db, "DELETE FROM seen_reports WHERE status = 'liveness' AND at < ?").run(cutoff);
  }

  /** Marks a host whose envelope is being committed (durably, now): after a crash its state is re-derived. */
  markInflight(hostId: string, now: string): string {
    const mark = `${now}#${++this.#inflightCounter}`;
    sql(this.#db, 'INSERT OR REPLACE INTO inflight (host_id, since) VALUES (?, ?)').run(hostId, mark);
    return mark;
  }

  /** Removes an in-flight mark whose commit failed (pending records are flushed first, so an
   *  earlier write of the same host is never left unrecorded and unmarked). */
  clearInflight(hostId: string, mark?: string): void {
    this.flush();
    if (mark === undefined) sql(this.#db, 'DELETE FROM inflight WHERE host_id = ?').run(hostId);
    else sql(this.#db, 'DELETE FROM inflight WHERE host_id = ? AND since = ?').run(hostId, mark);
  }

  inflightHosts(): string[] {
    return (sql(this.#db, 'SELECT host_id FROM inflight ORDER BY host_id').all() as { host_id: string }[]).map((r) => r.host_id);
  }
}
