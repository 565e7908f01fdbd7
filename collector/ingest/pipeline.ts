// The ingest pipeline for one collector: per-host serial processing of validated reports —
// duplicate check, decision, diff, envelope, signed group commit — answering each with the
// ack/nack to send, only after the evidence is durable.
import { parsePackagesTsv, renderPackagesTsv } from '../../evidence/packages-tsv.ts';
import { pendingSha256 } from '../../evidence/pending-list.ts';
import { repoPaths } from '../../evidence/paths.ts';
import { parseEnvelope, reportFiles, type ReportFiles } from '../../evidence/report-envelope.ts';
import type { AckMessage, ConfigMessage, HelloMessage, NackMessage, Package, ReportMessage, Warning } from '../../evidence/types.gen.ts';
import type { Clock } from '../clock.ts';
import { isRetryable, type ColCode } from '../errors.ts';
import type { EvidenceSink } from '../evidence-sink.ts';
import type { CollectorMetrics } from '../metrics.ts';
import type { HostState } from '../state/host-state.ts';
import type { CollectorState } from '../state/state.ts';
import { compareAckedSeq, seqRegression } from './acked-seq.ts';
import { attributeTimes, diffInventories } from './changes.ts';
import { appendAnomalies, decide, type Decision } from './decide.ts';
import { buildEnvelopeWithPrevious, envelopeInput } from './envelope-input.ts';
import { resolvePending, type HeldPending, type ResolvedReport } from './pending.ts';
import { deriveHostState } from './recover.ts';

/** Hosts whose held pending list is kept in memory (the rest are read from their last envelope). */
const PENDING_CACHE_HOSTS = 4096;

export interface IngestOptions {
  readonly cadenceMs: number;
  readonly skewThresholdMs: number;
  readonly checkinIntervalS: number;
  readonly jitterS: number;
}

export interface IngestDeps {
  readonly state: CollectorState;
  readonly sink: EvidenceSink;
  readonly clock: Clock;
  readonly metrics: CollectorMetrics;
  readonly options: IngestOptions;
  readonly log?: { info?: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

export type Reply = AckMessage | NackMessage;

export function nack(reportId: string | null, code: ColCode, message: string): NackMessage {
  return { type: 'nack', report_id: reportId, code, message, retry: isRetryable(code) };
}

export class Ingest {
  readonly #d: IngestDeps;
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #pending = new Set<Promise<unknown>>();
  /** Per host: the pending list of its last written envelope (bounded, insertion order = age). */
  readonly #heldPending = new Map<string, HeldPending>();
  /** Per host: the hello's last_acked_seq when it was below the highest seq the collector accepted. */
  readonly #behind = new Map<string, number>();
  #closing = false;

  constructor(deps: IngestDeps) {
    this.#d = deps;
  }

  /** Runs `fn` after every earlier task of the same host: one host's reports never interleave. */
  #serial<T>(hostId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(hostId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(hostId, settled);
    this.#pending.add(settled);
    void settled.then(() => {
      this.#pending.delete(settled);
      if (this.#queues.get(hostId) === settled) this.#queues.delete(hostId);
    });
    return next;
  }

  /** The host's state, re-derived from the repository when the database has none. */
  async #stateOf(hostId: string): Promise<HostState> {
    const known = this.#d.state.hosts.get(hostId);
    if (known) return known;
    const derived = await deriveHostState(this.#d.sink, hostId, null);
    this.#d.state.hosts.put(derived);
    return derived;
  }

  /** Re-derives every host whose write was in flight when the collector last stopped. */
  async recoverInflight(): Promise<string[]> {
    const hosts = this.#d.state.hosts.inflightHosts();
    for (const hostId of hosts) {
      const known = this.#d.state.hosts.get(hostId);
      const derived = await deriveHostState(this.#d.sink, hostId, known);
      const seen = derived.last_report_id && derived.seq !== known?.seq
        ? { report_id: derived.last_report_id, agent_seq: derived.agent_seq, status: 'written' as const, commit_id: derived.last_commit, path: derived.last_path, at: derived.last_written_at ?? this.#d.clock().toISOString() }
        : null;
      if (seen) this.#d.state.hosts.record(derived, seen);
      else this.#d.state.hosts.put(derived);
      this.#d.state.hosts.clearInflight(hostId);
    }
    return hosts;
  }

  hello(hostId: string, msg: HelloMessage): Promise<ConfigMessage> {
    return this.#serial(hostId, async () => {
      const state = this.#compareAckedSeq(hostId, await this.#stateOf(hostId), msg.last_acked_seq ?? 0);
      const o = this.#d.options;
      const fullInventory = state.inventory_sha256 === null || (msg.inventory_sha256 !== undefined && msg.inventory_sha256 !== state.inventory_sha256);
      // Only an agent that sent pending_sha256 knows full_pending (older agents' schema would refuse
      // the whole config); it always sends the list when it has no acknowledged hash.
      const fullPending = msg.pending_sha256 !== undefined && msg.pending_sha256 !== state.pending_sha256;
      return { type: 'config', interval_s: o.checkinIntervalS, jitter_s: o.jitterS, full_inventory: fullInventory, ...(fullPending ? { full_pending: true } : {}) };
    });
  }

  /** See acked-seq.ts: records COL_ACKS_LOST at once; remembers a hello that is behind. */
  #compareAckedSeq(hostId: string, state: HostState, acked: number): HostState {
    this.#behind.delete(hostId);
    const verdict = compareAckedSeq(state.agent_seq, acked);
    if (verdict.kind === 'in-step') return state;
    if (verdict.kind === 'behind') {
      this.#behind.set(hostId, acked);
      this.#d.log?.info?.({ host_id: hostId, last_acked_seq: acked, agent_seq: state.agent_seq }, 'agent acknowledged fewer reports than were accepted: resends or a rolled-back agent');
      return state;
    }
    const { anomaly } = verdict;
    this.#d.metrics.anomalies.inc({ code: anomaly.code });
    this.#d.log?.warn({ host_id: hostId, last_acked_seq: acked, agent_seq: state.agent_seq, code: anomaly.code }, anomaly.message);
    const next = { ...state, agent_seq: acked, pending_anomalies: appendAnomalies(state.pending_anomalies, [anomaly]) };
    this.#d.state.hosts.flush(); // an older record still queued must not overwrite this one
    this.#d.state.hosts.put(next);
    return next;
  }

  #regressed(hostId: string, state: HostState, report: ReportMessage): Warning | null {
    const found = seqRegression(state.agent_seq, this.#behind.get(hostId), report.seq);
    if (found !== null || report.seq > state.agent_seq) this.#behind.delete(hostId);
    return found;
  }

  /** The pending list the host's last written envelope holds, if its hash is `sha256`. */
  async #held(hostId: string, state: HostState, sha256: string): Promise<HeldPending | null> {
    const cached = this.#heldPending.get(hostId);
    if (cached?.sha256 === sha256) return cached;
    if ((state.pending_sha256 !== null && state.pending_sha256 !== sha256) || state.last_path === null) return null;
    const bytes = await this.#d.sink.readFile(state.last_path);
    if (bytes === null) return null;
    const list = parseEnvelope(bytes).pending;
    const held = { sha256: pendingSha256(list), list };
    this.#remember(hostId, held);
    return held.sha256 === sha256 ? held : null;
  }

  #remember(hostId: string, held: HeldPending): void {
    this.#heldPending.delete(hostId);
    this.#heldPending.set(hostId, held);
    if (this.#heldPending.size > PENDING_CACHE_HOSTS) this.#heldPending.delete(this.#heldPending.keys().next().value!);
  }

  submit(hostId: string, report: ReportMessage): Promise<Reply> {
    this.#d.metrics.reportsReceived.inc();
    if (this.#closing) return Promise.resolve(this.#refuse(report.report_id, 'COL_SHUTTING_DOWN', 'collector is shutting down; resend later'));
    return this.#serial(hostId, () => this.#handle(hostId, report));
  }

  #refuse(reportId: string | null, code: ColCode, message: string): NackMessage {
    this.#d.metrics.reportsRejected.inc({ code });
    return nack(reportId, code, message);
  }

  #ack(reportId: string, status: AckMessage['status'], commit?: string | null, path?: string | null): AckMessage {
    this.#d.metrics.reportsAcked.inc({ status });
    return { type: 'ack', report_id: reportId, status, ...(commit ? { commit } : {}), ...(path ? { path } : {}) };
  }

  async #handle(hostId: string, report: ReportMessage): Promise<Reply> {
    const hosts = this.#d.state.hosts;
    const state = await this.#stateOf(hostId);
    const seen = hosts.seen(hostId, report.report_id);
    if (seen) return this.#ack(report.report_id, 'duplicate', seen.commit_id, seen.path);
    if (state.last_report_id === report.report_id) return this.#ack(report.report_id, 'duplicate', state.last_commit, state.last_path);

    const held = report.body.pending === undefined ? await this.#held(hostId, state, report.body.pending_sha256!) : null;
    const pending = resolvePending(report, held);
    if (!pending.ok) return this.#refuse(report.report_id, pending.code, pending.message);
    const resolved = pending.report;

    const now = this.#d.clock();
    const regression = this.#regressed(hostId, state, report);
    const decided = decide(regression ? { ...state, agent_seq: report.seq - 1 } : state, resolved, now, this.#d.options);
    const decision = regression && decided.kind !== 'nack' ? { ...decided, anomalies: [regression, ...decided.anomalies] } : decided;
    if (regression) this.#d.log?.warn({ host_id: hostId, seq: report.seq, code: regression.code }, regression.message);
    if (decision.kind !== 'nack') for (const a of decision.anomalies) this.#d.metrics.anomalies.inc({ code: a.code });
    switch (decision.kind) {
      case 'nack':
        return this.#refuse(report.report_id, decision.code, decision.message);
      case 'out-of-order':
      case 'liveness': {
        const next: HostState = {
          ...state,
          pending_anomalies: appendAnomalies(state.pending_anomalies, decision.anomalies),
          ...(decision.kind === 'liveness' ? { agent_seq: report.seq, last_report_at: now.toISOString(), pending_sha256: pending.sha256 } : {}),
        };
        hosts.record(next, { report_id: report.report_id, agent_seq: report.seq, status: 'liveness', commit_id: null, path: null, at: now.toISOString() });
        return this.#ack(report.report_id, 'liveness');
      }
      case 'write':
        return this.#write(hostId, state, resolved, pending.sha256, decision, now);
    }
  }

  async #previousPackages(hostId: string): Promise<Package[]> {
    const bytes = await this.#d.sink.readFile(repoPaths.packagesTsv(hostId));
    return bytes === null ? [] : parsePackagesTsv(new TextDecoder().decode(bytes));
  }

  async #write(hostId: string, state: HostState, report: ResolvedReport, pendingSha: string, decision: Extract<Decision, { kind: 'write' }>, now: Date): Promise<Reply> {
    const body = report.body;
    const packages = body.packages;
    const changes =
      decision.inventoryChanged && state.seq > 0 && packages !== undefined
        ? attributeTimes(diffInventories(await this.#previousPackages(hostId), packages), body.history, now.toISOString(), state.last_report_at)
        : [];
    const anomalies = appendAnomalies(state.pending_anomalies, decision.anomalies);
    const hosts = this.#d.state.hosts;
    let files: ReportFiles | undefined;
    const mark = hosts.markInflight(hostId, now.toISOString());
    let commit: string;
    try {
      ({ commit } = await this.#d.sink.write(
        async (signer) => {
          const input = envelopeInput(report, {
            hostId,
            seq: state.seq + 1,
            previous: state.last_hash,
            reason: decision.reason,
            receivedAt: now,
            collectorId: this.#d.sink.collectorId,
            keyFingerprint: signer.fingerprint,
            inventoryCount: body.inventory_count,
            changes,
            anomalies,
          });
          const envelope = buildEnvelopeWithPrevious(input, state.last_hash);
          const tsv = decision.inventoryChanged && packages !== undefined ? renderPackagesTsv(packages) : null;
          files = await reportFiles(envelope, signer, { packagesTsv: tsv, date: now });
          return files.files;
        },
        `report ${hostId} ${decision.reason}`,
      ));
    } catch (err) {
      hosts.clearInflight(hostId, mark);
      this.#d.log?.error({ err, host_id: hostId }, 'evidence commit failed');
      return this.#refuse(report.report_id, 'COL_COMMIT_FAILED', 'evidence could not be committed; resend later');
    }
    const written = files!;
    hosts.record(
      {
        host_id: hostId,
        seq: state.seq + 1,
        last_hash: written.sha256,
        last_report_id: report.report_id,
        last_path: written.path,
        last_commit: commit,
        last_written_at: now.toISOString(),
        inventory_sha256: body.inventory_sha256,
        inventory_count: body.inventory_count,
        pending_sha256: pendingSha,
        agent_seq: report.seq,
        last_report_at: now.toISOString(),
        state_sha256: decision.fingerprint,
        pending_anomalies: [],
      },
      { report_id: report.report_id, agent_seq: report.seq, status: 'written', commit_id: commit, path: written.path, at: now.toISOString() },
      mark,
    );
    this.#remember(hostId, { sha256: pendingSha, list: body.pending });
    this.#d.metrics.reportsWritten.inc({ reason: decision.reason });
    return this.#ack(report.report_id, 'written', commit, written.path);
  }

  /** Refuses new reports (nack COL_SHUTTING_DOWN, retry) and waits for those in progress. */
  async drain(): Promise<void> {
    this.#closing = true;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  get closing(): boolean {
    return this.#closing;
  }
}
