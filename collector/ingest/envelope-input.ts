// Builds the normalised envelope (patchproof.report/v1) for a report the decision says to write:
// collector-authoritative times, sorted lists, the per-host chain link. Pure.
import type { EnvelopeInput } from '../../evidence/report-envelope.ts';
import { validateEnvelope } from '../../evidence/report-envelope.ts';
import { repoPaths } from '../../evidence/paths.ts';
import type { ReportEnvelope, Warning } from '../../evidence/types.gen.ts';
import type { Change } from './changes.ts';
import type { ResolvedReport } from './pending.ts';

export interface EnvelopeContext {
  hostId: string;
  seq: number;
  previous: string | null;
  reason: ReportEnvelope['reason'];
  receivedAt: Date;
  collectorId: string;
  keyFingerprint: string;
  inventoryCount: number;
  changes: Change[];
  anomalies: Warning[];
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function envelopeInput(report: ResolvedReport, ctx: EnvelopeContext): EnvelopeInput {
  const b = report.body;
  const receivedAt = ctx.receivedAt.toISOString();
  return {
    report_id: report.report_id,
    host_id: ctx.hostId,
    seq: ctx.seq,
    agent_seq: report.seq,
    reason: ctx.reason,
    collected_at: new Date(b.collected_at).toISOString(),
    received_at: receivedAt,
    clock_skew_ms: Math.round(Date.parse(b.collected_at) - ctx.receivedAt.getTime()),
    collector: { id: ctx.collectorId, key_fingerprint: ctx.keyFingerprint },
    agent_version: b.agent_version,
    hostname: b.hostname,
    ...(b.machine_id === undefined ? {} : { machine_id: b.machine_id }),
    os: b.os,
    arch: b.arch,
    kernel: b.kernel,
    ...(b.boot_time === undefined ? {} : { boot_time: new Date(b.boot_time).toISOString() }),
    ...(b.uptime_s === undefined ? {} : { uptime_s: b.uptime_s }),
    ...(b.addresses === undefined ? {} : { addresses: [...b.addresses].sort() }),
    package_manager: b.package_manager,
    inventory: { path: repoPaths.packagesTsv(ctx.hostId), sha256: b.inventory_sha256, count: ctx.inventoryCount },
    changes: ctx.changes,
    pending: [...b.pending].sort(byKey((p) => `${p.name}\t${p.arch}\t${p.candidate}`)),
    warnings: b.warnings,
    anomalies: ctx.anomalies,
  };
}

/** The full envelope with its chain link, validated against the schema. */
export function buildEnvelopeWithPrevious(input: EnvelopeInput, previous: string | null): ReportEnvelope {
  return validateEnvelope({ schema: 'patchproof.report/v1', ...input, previous });
}
