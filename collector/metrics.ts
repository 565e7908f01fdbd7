// Prometheus metrics on the collector's own Registry (never the global one, so several collectors
// can live in one test process). Latencies are real elapsed time, not the injected clock.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface CollectorMetrics {
  readonly registry: Registry;
  readonly agentsConnected: Gauge;
  readonly reportsReceived: Counter;
  readonly reportsAcked: Counter<'status'>;
  readonly reportsWritten: Counter<'reason'>;
  readonly reportsRejected: Counter<'code'>;
  readonly commitGroupSize: Histogram;
  readonly commitLatency: Histogram;
  readonly ackLatency: Histogram;
  readonly enrolments: Counter<'outcome' | 'code'>;
  readonly authRefused: Counter<'kind' | 'code'>;
  readonly anomalies: Counter<'code'>;
  readonly auditSuppressed: Counter<'action'>;
}

export function createMetrics(): CollectorMetrics {
  const registry = new Registry();
  const r = [registry];
  return {
    registry,
    agentsConnected: new Gauge({ name: 'patchproof_agents_connected', help: 'Agents with an open WebSocket', registers: r }),
    reportsReceived: new Counter({ name: 'patchproof_reports_received_total', help: 'Report messages received', registers: r }),
    reportsAcked: new Counter({ name: 'patchproof_reports_acked_total', help: 'Reports acknowledged, by ack status', labelNames: ['status'], registers: r }),
    reportsWritten: new Counter({ name: 'patchproof_reports_written_total', help: 'Envelopes written, by reason', labelNames: ['reason'], registers: r }),
    reportsRejected: new Counter({ name: 'patchproof_reports_rejected_total', help: 'Messages refused with a nack, by code', labelNames: ['code'], registers: r }),
    commitGroupSize: new Histogram({
      name: 'patchproof_commit_group_size',
      help: 'Evidence writes per group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers: r,
    }),
    commitLatency: new Histogram({
      name: 'patchproof_commit_latency_seconds',
      help: 'From queuing evidence to its commit being durable',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    ackLatency: new Histogram({
      name: 'patchproof_ack_latency_seconds',
      help: 'From receiving a report to sending its ack or nack',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    enrolments: new Counter({ name: 'patchproof_enrolments_total', help: 'Enrolment attempts, by outcome and code', labelNames: ['outcome', 'code'], registers: r }),
    authRefused: new Counter({ name: 'patchproof_auth_refused_total', help: 'Refused credentials, by kind and code', labelNames: ['kind', 'code'], registers: r }),
    anomalies: new Counter({ name: 'patchproof_anomalies_total', help: 'Anomalies recorded against hosts, by code', labelNames: ['code'], registers: r }),
    auditSuppressed: new Counter({ name: 'patchproof_audit_refusals_suppressed_total', help: 'Refusals not audited one by one (over the audit budget or rate-limited): written in refusal.summary entries', labelNames: ['action'], registers: r }),
  };
}
