// Collector runtime options: defaults, then the home's config.yaml, then explicit overrides.
import type { CollectorConfig } from '../evidence/types.gen.ts';
import { MAX_FRAME_BYTES } from './ingest/frame.ts';

export interface CollectorOptions {
  /** Unchanged hosts still get a heartbeat envelope this often (seconds). */
  readonly evidenceCadenceS: number;
  /** Check-in interval sent to agents in `config` (seconds). */
  readonly checkinIntervalS: number;
  readonly jitterS: number;
  /** WebSocket maxPayload (bytes, ≤ 5 MiB). */
  readonly maxFrameBytes: number;
  /** Agent clock ahead by more than this is recorded as an anomaly (ms). */
  readonly skewThresholdMs: number;
  /** Per device: WebSocket messages per minute. */
  readonly deviceMessagesPerMinute: number;
  /** Per device: reports being processed at once before further messages are refused. */
  readonly maxOutstandingPerDevice: number;
  /** Per source address: enrolment attempts per minute. */
  readonly enrolPerMinutePerSource: number;
  /** Per source address: failed device authentications per minute before 429. */
  readonly authFailuresPerMinute: number;
  /** After a device is issued a new token, its current one keeps working this long (seconds of
   *  collector time) unless the new one authenticates first. */
  readonly deviceTokenGraceS: number;
  /** Per device: refused frames written to the audit log per minute (the rest are counted only). */
  readonly refusalAuditsPerMinute: number;
  /** All refusals together (enrolment, device auth, frames) written to the audit log per minute. */
  readonly refusalAuditsGlobalPerMinute: number;
  /** Refusals not written one by one (over budget, rate-limited) are written as summaries this often (real ms). */
  readonly refusalSummaryIntervalMs: number;
  readonly pingIntervalMs: number;
  /** How often audit entries queued by the CLI are drained into the audit log (ms). */
  readonly outboxIntervalMs: number;
  /** Group commit window (ms); the home's commit_window_ms when not given. */
  readonly commitWindowMs: number;
  /** Evidence repository packed with `git gc` at most this often (seconds of collector time); 0: never. */
  readonly gcIntervalS: number;
  /** How often (real ms) the collector checks whether packing is due. */
  readonly gcCheckMs: number;
  /** Reverse proxies (addresses/CIDRs) whose X-Forwarded-For is believed; false: none. */
  readonly trustProxy: false | string[];
}

export const DEFAULT_OPTIONS: CollectorOptions = {
  evidenceCadenceS: 86_400,
  checkinIntervalS: 3600,
  jitterS: 300,
  maxFrameBytes: MAX_FRAME_BYTES,
  skewThresholdMs: 5 * 60_000,
  deviceMessagesPerMinute: 600,
  maxOutstandingPerDevice: 64,
  enrolPerMinutePerSource: 30,
  authFailuresPerMinute: 30,
  deviceTokenGraceS: 7 * 86_400,
  refusalAuditsPerMinute: 10,
  refusalAuditsGlobalPerMinute: 600,
  refusalSummaryIntervalMs: 60_000,
  pingIntervalMs: 30_000,
  outboxIntervalMs: 5000,
  commitWindowMs: 200,
  gcIntervalS: 86_400,
  gcCheckMs: 600_000,
  trustProxy: false,
};

export function resolveOptions(config: CollectorConfig, overrides: Partial<CollectorOptions> = {}): CollectorOptions {
  const fromConfig: Partial<CollectorOptions> = {
    ...(config.evidence_cadence_s === undefined ? {} : { evidenceCadenceS: config.evidence_cadence_s }),
    ...(config.checkin_interval_s === undefined ? {} : { checkinIntervalS: config.checkin_interval_s }),
    ...(config.max_frame_bytes === undefined ? {} : { maxFrameBytes: config.max_frame_bytes }),
    ...(config.commit_window_ms === undefined ? {} : { commitWindowMs: config.commit_window_ms }),
    ...(config.gc_interval_s === undefined ? {} : { gcIntervalS: config.gc_interval_s }),
    ...(config.trust_proxy === undefined || config.trust_proxy.length === 0 ? {} : { trustProxy: [...config.trust_proxy] }),
  };
  const merged = { ...DEFAULT_OPTIONS, ...fromConfig, ...overrides };
  return { ...merged, maxFrameBytes: Math.min(merged.maxFrameBytes, MAX_FRAME_BYTES), jitterS: Math.min(merged.jitterS, merged.checkinIntervalS) };
}
