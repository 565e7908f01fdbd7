// Everything a route or the gateway needs, built once per collector by buildCollectorApp.
import type { RecordAudit } from './admin-actions.ts';
import type { DeviceAuthenticator } from './auth/device-auth.ts';
import type { Clock } from './clock.ts';
import type { EvidenceSink } from './evidence-sink.ts';
import type { AgentGateway } from './gateway/agent-gateway.ts';
import type { Ingest } from './ingest/pipeline.ts';
import type { CollectorMetrics } from './metrics.ts';
import type { CollectorOptions } from './options.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RefusalAudit } from './refusal-audit.ts';
import type { RandomBytes } from './secrets.ts';
import type { CollectorState } from './state/state.ts';

export interface CollectorContext {
  /** `stopping` turns true the moment shutdown begins. */
  readonly lifecycle: { stopping: boolean };
  readonly state: CollectorState;
  readonly sink: EvidenceSink;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly metrics: CollectorMetrics;
  readonly options: CollectorOptions;
  readonly ingest: Ingest;
  readonly gateway: AgentGateway;
  /** Device tokens → devices, for the upgrade and the device's HTTP route. */
  readonly deviceAuth: DeviceAuthenticator;
  readonly enrolLimiter: RateLimiter;
  /** Commits one audit entry through the group committer (resolves when durable). */
  readonly record: RecordAudit;
  /** Like record, for refusals: beyond a global budget they are counted and written as periodic
   *  summaries (a flood of bad requests must not flood the audit log, which is rewritten per month
   *  file on each commit). */
  readonly recordRefusal: RecordAudit;
  /** The same, plus count-only refusals (rate limits) and per-device budgets. */
  readonly refusals: RefusalAudit;
}
