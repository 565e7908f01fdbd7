// One connection's worth of protocol: send hello, then the spool in seq order, one report at a
// time (stop-and-wait, so the collector sees and acknowledges strictly in seq order), and act on
// ack / nack / config / collect-now. Reconnecting and scheduling are the runner's business.
import type { PatchproofError } from '../evidence/errors.ts';
import type { AckMessage, CollectNowMessage, CollectorMessage, ConfigMessage, NackMessage, ReportBody } from '../evidence/types.gen.ts';
import type { AgentLog } from './log.ts';
import { wireBody } from './report-wire.ts';
import type { Credentials, StateStore } from './state.ts';
import type { AgentConnection, CloseInfo, ConnectFn } from './transport.ts';

/** Close codes the collector uses (docs/protocol.md §3). */
const CLOSE_REVOKED = 4401;
const CLOSE_REPLACED = 4409;
/** RFC 6455 "message too big": the collector refused the frame in flight by its size (COL_MESSAGE_TOO_LARGE). */
const CLOSE_TOO_LARGE = 1009;

/** Optional behaviours announced in hello (docs/protocol.md): `rotate-token` = config.rotate_token is understood. */
export const AGENT_FEATURES = ['rotate-token'];

export type FlushOutcome = 'drained' | 'closed' | 'ack-timeout' | 'retry-later';

export interface SessionHooks {
  onConfig(message: ConfigMessage): void | Promise<void>;
  onCollectNow(message: CollectNowMessage): void | Promise<void>;
  /** Called once when the connection ends, for whatever reason. */
  onClose(info: CloseInfo): void;
}

export interface SessionOptions {
  state: StateStore;
  credentials: Credentials;
  connect: ConnectFn;
  log: AgentLog;
  agentVersion: string;
  ackTimeoutMs: number;
  now: () => Date;
  hooks: SessionHooks;
  signal?: AbortSignal;
}

type Reply = { kind: 'ack'; message: AckMessage } | { kind: 'nack'; message: NackMessage } | { kind: 'closed'; info: CloseInfo } | { kind: 'timeout' };

export class Session {
  readonly #o: SessionOptions;
  #conn: AgentConnection | null = null;
  #open = false;
  #closeInfo: CloseInfo | null = null;
  #waiting: { reportId: string; resolve: (r: Reply) => void } | null = null;
  /** report_ids the collector asked to see again with packages (COL_INVENTORY_REQUIRED). */
  readonly #withPackages = new Set<string>();
  /** report_ids the collector asked to see again with the pending list (COL_PENDING_REQUIRED). */
  readonly #withPending = new Set<string>();
  acked = 0;
  rejected = 0;

  constructor(options: SessionOptions) {
    this.#o = options;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get closeInfo(): CloseInfo | null {
    return this.#closeInfo;
  }

  /** Connects and says hello. Rejects with the transport's coded error. */
  async open(): Promise<void> {
    const { state, credentials, agentVersion } = this.#o;
    this.#conn = await this.#o.connect({
      credentials,
      onMessage: (m) => this.#onMessage(m),
      onClose: (info) => this.#onClose(info),
      log: this.#o.log,
      ...(this.#o.signal ? { signal: this.#o.signal } : {}),
    });
    this.#open = true;
    const s = state.state;
    this.#conn.send({
      type: 'hello',
      protocol: 1,
      agent_version: agentVersion,
      last_acked_seq: s.last_acked_seq,
      ...(s.last_acked_inventory_sha256 ? { inventory_sha256: s.last_acked_inventory_sha256 } : {}),
      ...(s.last_acked_pending_sha256 ? { pending_sha256: s.last_acked_pending_sha256 } : {}),
      features: AGENT_FEATURES,
    });
    this.#o.log.info('connected', { host_id: credentials.host_id, last_acked_seq: s.last_acked_seq, spooled: state.spool.entries().length });
  }

  close(reason = 'done'): void {
    if (this.#open) this.#conn?.close(1000, reason);
  }

  /** Sends every spooled report in seq order until the spool is empty or the session cannot go on. */
  async flush(): Promise<FlushOutcome> {
    const { state, log } = this.#o;
    const spool = state.spool;
    while (this.#open) {
      const item = spool.entries()[0];
      if (!item) return 'drained';
      const report = await spool.read(item.seq);
      const s = state.state;
      const withPackages = this.#withPackages.has(report.report_id) || s.inventory_requested || item.inventory_sha256 !== s.last_acked_inventory_sha256;
      let packages = null;
      if (withPackages) {
        packages = await spool.packages(item.inventory_sha256);
        if (!packages) log.error(`inventory ${item.inventory_sha256} missing from the spool; sending report ${item.seq} without packages`, { code: 'AGT_STATE_INVALID' });
      }
      // Hash and count always; the list only when the collector may not hold it.
      const unsentPending = wireBody(report.body, { pending: false });
      const withPending = this.#withPending.has(report.report_id) || s.pending_requested || unsentPending.pending_sha256 !== s.last_acked_pending_sha256;
      const body: ReportBody = wireBody(report.body, { packages, pending: withPending });
      const reply = this.#await(report.report_id);
      try {
        this.#conn!.send({ type: 'report', report_id: report.report_id, seq: report.seq, body });
      } catch {
        this.#resolve({ kind: 'closed', info: this.#closeInfo ?? { code: 1006, reason: 'send failed' } });
      }
      log.debug('report sent', { seq: report.seq, report_id: report.report_id, packages: body.packages !== undefined, pending: body.pending !== undefined });
      const r = await reply;
      if (r.kind === 'closed' && r.info.code === CLOSE_TOO_LARGE) {
        // Stop-and-wait: the report is the only frame in flight, so it is the one refused. Resending
        // it would be refused the same way and hold back every later report.
        await this.#rejectForGood(item.seq, report.report_id, 'COL_MESSAGE_TOO_LARGE', `report frame larger than the collector accepts (closed with ${CLOSE_TOO_LARGE})`);
        return 'closed';
      }
      if (r.kind === 'closed') return 'closed';
      if (r.kind === 'timeout') {
        log.warn(`no acknowledgement for report ${report.seq} within ${Math.round(this.#o.ackTimeoutMs / 1000)} s; reconnecting`, { code: 'AGT_CONNECTION_LOST', seq: report.seq });
        this.close('ack timeout');
        return 'ack-timeout';
      }
      if (r.kind === 'ack') {
        // State first, then the spool: a crash in between resends a report the collector dedups.
        await state.update({
          last_acked_seq: Math.max(s.last_acked_seq, report.seq),
          last_acked_inventory_sha256: item.inventory_sha256,
          last_acked_pending_sha256: body.pending_sha256 ?? null,
          ...(body.packages !== undefined ? { inventory_requested: false } : {}),
          ...(body.pending !== undefined ? { pending_requested: false } : {}),
        });
        await spool.remove(item.seq);
        this.#withPackages.delete(report.report_id);
        this.#withPending.delete(report.report_id);
        this.acked++;
        log.info('report acknowledged', { seq: report.seq, report_id: report.report_id, status: r.message.status, ...(r.message.commit ? { commit: r.message.commit } : {}) });
        continue;
      }
      const nack = r.message;
      if (nack.retry && nack.code === 'COL_INVENTORY_REQUIRED' && body.packages === undefined) {
        log.info('collector asked for the full inventory; resending with packages', { code: nack.code, seq: report.seq });
        this.#withPackages.add(report.report_id);
        continue;
      }
      if (nack.retry && nack.code === 'COL_PENDING_REQUIRED' && body.pending === undefined) {
        log.info('collector asked for the full pending list; resending with it', { code: nack.code, seq: report.seq });
        this.#withPending.add(report.report_id);
        continue;
      }
      if (nack.retry) {
        log.warn(`collector deferred report ${report.seq}: ${nack.message}`, { code: nack.code, seq: report.seq });
        this.close('retry later');
        return 'retry-later';
      }
      await this.#rejectForGood(item.seq, report.report_id, nack.code, nack.message);
    }
    return 'closed';
  }

  async #rejectForGood(seq: number, reportId: string, code: string, message: string): Promise<void> {
    await this.#o.state.spool.reject(seq, { code, message }, this.#o.now());
    this.rejected++;
    this.#o.log.error(`collector rejected report ${seq} for good (${code}: ${message}); moved to spool/rejected/`, {
      code: 'AGT_REPORT_REJECTED',
      collector_code: code,
      seq,
      report_id: reportId,
    });
  }

  #await(reportId: string): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => this.#resolve({ kind: 'timeout' }), this.#o.ackTimeoutMs);
      timer.unref?.();
      this.#waiting = {
        reportId,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
    });
  }

  #resolve(reply: Reply): boolean {
    const w = this.#waiting;
    if (!w) return false;
    this.#waiting = null;
    w.resolve(reply);
    return true;
  }

  #onMessage(message: CollectorMessage): void {
    const { log, hooks } = this.#o;
    switch (message.type) {
      case 'ack':
      case 'nack': {
        const id = message.report_id ?? null;
        if (this.#waiting && id === this.#waiting.reportId) {
          this.#resolve(message.type === 'ack' ? { kind: 'ack', message } : { kind: 'nack', message });
        } else if (message.type === 'nack' && id === null) {
          const level = message.retry ? 'warn' : 'error';
          log[level](`collector refused the session: ${message.message}`, { code: message.code, retry: message.retry });
          this.close('refused');
        } else {
          log.debug(`${message.type} for a report not in flight`, { report_id: id });
        }
        return;
      }
      case 'config':
        void Promise.resolve(hooks.onConfig(message)).catch((err) => log.error('could not apply config', { code: (err as PatchproofError).code, error: err }));
        return;
      case 'collect-now':
        void Promise.resolve(hooks.onCollectNow(message)).catch((err) => log.error('collect-now failed', { code: (err as PatchproofError).code, error: err }));
        return;
    }
  }

  #onClose(info: CloseInfo): void {
    this.#open = false;
    this.#closeInfo = info;
    const level = info.error || info.code === CLOSE_REVOKED || info.code === CLOSE_REPLACED || info.code === CLOSE_TOO_LARGE ? 'warn' : 'info';
    const why =
      info.code === CLOSE_REVOKED
        ? 'disconnected: the collector revoked this device'
        : info.code === CLOSE_REPLACED
          ? 'disconnected: another connection with this device token replaced this one (two agents sharing one state directory?)'
          : info.code === CLOSE_TOO_LARGE
            ? 'disconnected: the collector refused a frame over its size limit'
            : 'disconnected';
    const code = info.code === CLOSE_TOO_LARGE ? { code: 'COL_MESSAGE_TOO_LARGE' } : info.error ? { code: info.error.code } : {};
    this.#o.log[level](why, { close_code: info.code, reason: info.reason, ...code, ...(info.error ? { error: info.error.message } : {}) });
    this.#resolve({ kind: 'closed', info });
    this.#o.hooks.onClose(info);
  }
}
