// The ingest decision for one validated report against the host's current state: refuse it,
// acknowledge it as out of order, record liveness only, or write an envelope (and why). Pure.
//
// Coverage: an unchanged host gets a heartbeat envelope at its first check-in of each cadence
// period (UTC days by default: periods are counted from the Unix epoch), so every day a host
// checked in has at least one signed envelope — not merely one per 24 h, which drifts and can
// skip a calendar day.
import { inventorySha256 } from '../../evidence/packages-tsv.ts';
import type { Warning } from '../../evidence/types.gen.ts';
import type { ColCode } from '../errors.ts';
import type { HostState } from '../state/host-state.ts';
import type { ResolvedReport } from './pending.ts';
import { stateFingerprint } from './state-fingerprint.ts';

export interface DecideOptions {
  /** Evidence cadence: an unchanged host still gets an envelope this often (default daily). */
  readonly cadenceMs: number;
  /** Agent clock ahead of the collector by more than this is recorded as an anomaly. */
  readonly skewThresholdMs: number;
}

export type Decision =
  | { kind: 'nack'; code: ColCode; message: string }
  | { kind: 'out-of-order'; anomalies: Warning[] }
  | { kind: 'liveness'; anomalies: Warning[]; fingerprint: string }
  | { kind: 'write'; reason: 'first' | 'changed' | 'heartbeat'; inventoryChanged: boolean; anomalies: Warning[]; fingerprint: string };

export const MAX_ANOMALIES = 100;

/** Agent warnings that say check-ins were lost on the host: evidence in themselves, so never liveness only. */
export const LOST_CHECKIN_WARNINGS: ReadonlySet<string> = new Set(['AGT_SPOOL_WRITE_FAILED', 'AGT_SPOOL_FULL']);

export function appendAnomalies(existing: readonly Warning[], added: readonly Warning[]): Warning[] {
  return [...existing, ...added].slice(0, MAX_ANOMALIES);
}

export function decide(state: HostState, report: ResolvedReport, now: Date, opts: DecideOptions): Decision {
  const body = report.body;
  const anomalies: Warning[] = [];
  if (report.seq <= state.agent_seq) {
    anomalies.push({
      code: 'COL_SEQ_OUT_OF_ORDER',
      message: `report ${report.report_id} with agent seq ${report.seq} arrived after agent seq ${state.agent_seq}; acknowledged, state not changed`,
    });
    return { kind: 'out-of-order', anomalies };
  }
  if (body.packages !== undefined) {
    if (body.packages.length !== body.inventory_count || inventorySha256(body.packages) !== body.inventory_sha256) {
      return { kind: 'nack', code: 'COL_INVENTORY_MISMATCH', message: 'packages do not match inventory_sha256/inventory_count (hash the sorted packages.tsv rendering)' };
    }
  } else if (state.inventory_sha256 !== body.inventory_sha256) {
    return { kind: 'nack', code: 'COL_INVENTORY_REQUIRED', message: 'the collector has no inventory with this hash; resend with packages' };
  } else if (state.inventory_count !== body.inventory_count) {
    return { kind: 'nack', code: 'COL_INVENTORY_MISMATCH', message: `inventory_count ${body.inventory_count} differs from the stored count for this hash` };
  }
  const skew = Date.parse(body.collected_at) - now.getTime();
  if (skew > opts.skewThresholdMs) {
    anomalies.push({ code: 'COL_CLOCK_SKEW', message: `agent clock ${Math.round(skew / 1000)} s ahead of the collector (report ${report.report_id})` });
  }
  const fingerprint = stateFingerprint(body, body.inventory_sha256);
  const inventoryChanged = state.inventory_sha256 !== body.inventory_sha256;
  if (state.seq === 0) return { kind: 'write', reason: 'first', inventoryChanged: true, anomalies, fingerprint };
  if (fingerprint !== state.state_sha256) return { kind: 'write', reason: 'changed', inventoryChanged, anomalies, fingerprint };
  if (state.last_written_at === null || cadencePeriod(now.getTime(), opts.cadenceMs) !== cadencePeriod(Date.parse(state.last_written_at), opts.cadenceMs)) {
    return { kind: 'write', reason: 'heartbeat', inventoryChanged: false, anomalies, fingerprint };
  }
  if (body.warnings.some((w) => LOST_CHECKIN_WARNINGS.has(w.code))) {
    return { kind: 'write', reason: 'heartbeat', inventoryChanged: false, anomalies, fingerprint };
  }
  return { kind: 'liveness', anomalies, fingerprint };
}

/** The cadence period a time falls in (with the default 86,400 s: the UTC day). */
export function cadencePeriod(ms: number, cadenceMs: number): number {
  return Math.floor(ms / cadenceMs);
}
