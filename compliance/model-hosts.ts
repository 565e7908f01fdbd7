// Per-host judgement: cuts the host's reports at as_of, maps its OS to an advisory ecosystem,
// runs the finding engine, the host-level checks and coverage, and renders the host row.
import type { SnapshotHost, SnapshotReport } from './evidence-snapshot.ts';
import { hostEcosystem, type HostEcosystem } from './ecosystem.ts';
import { coveragePct, expectedWindow, hostDays, type HostDays } from './coverage.ts';
import { judgeHost, type FindingContext, type JudgedFinding } from './findings.ts';
import { latestInstalledKernel } from './findings-kernel.ts';
import { cadenceHours, hostLevelFindings } from './host-findings.ts';
import type { HostStatus, ModelHost, ModelHostFinding, ModelUnjudgedPackage } from './model-types.ts';
import { pendingRows } from './model-pending.ts';
import { unjudgedPackages } from './model-unjudged.ts';
import { slaPolicyAt } from './policy-versions.ts';
import { DAY_MS, HOUR_MS, isoTime, isoTimeOrNull, timeMs } from './sla-time.ts';
import { isPatchproofError } from '../evidence/errors.ts';

export interface HostResult {
  readonly row: ModelHost;
  readonly findings: JudgedFinding[];
  readonly hostFindings: ModelHostFinding[];
  readonly days: HostDays | null;
  readonly reports: readonly SnapshotReport[];
  /** received_at of each report, ms. */
  readonly times: readonly number[];
  /** The host's advisory ecosystem; null when its OS has none. */
  readonly eco: HostEcosystem | null;
  /** Installed packages that could not be judged at some time in the period. */
  readonly unjudged: ModelUnjudgedPackage[];
}

/** First index whose received_at is at or after ms (reports are in seq order, times ascending). */
function cutIndex(times: readonly number[], ms: number): number {
  let n = times.length;
  while (n > 0 && (times[n - 1] as number) >= ms) n--;
  return n;
}

/** The host's advisory ecosystem; Ubuntu Pro as meta.yaml declares it (reports carry no Pro status). */
function ecosystemOf(host: SnapshotHost, latest: SnapshotReport | undefined): HostEcosystem | null {
  const os = latest?.envelope.os ?? host.host.os;
  try {
    return hostEcosystem({ id: os.id, version_id: os.version_id, name: os.name }, { ubuntuPro: host.meta?.ubuntu_pro === true });
  } catch (e) {
    if (isPatchproofError(e, 'CMP_ECOSYSTEM_UNKNOWN')) return null;
    throw e;
  }
}

/** Decommissioning instant: a date means the end of that day; null when not set. */
function decommissioned(host: SnapshotHost): number | null {
  const at = host.meta?.decommissioned_at;
  if (!at) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(at) ? timeMs(at) + DAY_MS : timeMs(at);
}

function hostStatus(inScope: boolean, decomMs: number | null, asOfMs: number, stale: boolean, overdue: number): HostStatus {
  if (!inScope) return 'out-of-scope';
  if (decomMs !== null && decomMs <= asOfMs) return 'decommissioned';
  if (stale) return 'stale';
  return overdue > 0 ? 'findings-overdue' : 'ok';
}

function renderRow(host: SnapshotHost, reports: readonly SnapshotReport[], times: readonly number[], ctx: FindingContext, parts: {
  eco: HostEcosystem | null; findings: JudgedFinding[]; hostFindings: ModelHostFinding[]; days: HostDays | null; decomMs: number | null;
  unjudged: readonly ModelUnjudgedPackage[];
}): ModelHost {
  const latest = reports[reports.length - 1];
  const env = latest?.envelope;
  const meta = host.meta;
  const inScope = meta?.in_scope ?? true;
  const open = parts.findings.filter((f) => f.row.remediated_at === null);
  const overdue = open.filter((f) => f.row.status === 'open-overdue' || f.row.status === 'exception-expired').length;
  const stale = parts.hostFindings.some((f) => f.kind === 'stale-host' && f.until === null);
  const os = env?.os ?? host.host.os;
  return {
    host_id: host.host.host_id,
    hostname: env?.hostname ?? host.host.hostname,
    os: { id: os.id, version_id: os.version_id ?? null, pretty_name: os.pretty_name ?? null },
    ecosystem: parts.eco?.ecosystem ?? null,
    group: host.host.group,
    enrolled_at: isoTime(Date.parse(host.host.enrolled_at)),
    meta: {
      owner: meta?.owner ?? null, purpose: meta?.purpose ?? null, classification: meta?.classification ?? null,
      environment: meta?.environment ?? null, in_scope: inScope, decommissioned_at: isoTimeOrNull(meta?.decommissioned_at ? timeMs(meta.decommissioned_at) : null),
    },
    first_report_at: reports[0] ? isoTime(Date.parse(reports[0].envelope.received_at)) : null,
    last_report_at: env ? isoTime(Date.parse(env.received_at)) : null,
    report_count: times.filter((t) => t >= ctx.bounds.startMs).length,
    package_count: env?.inventory.count ?? 0,
    kernel: {
      running: env?.kernel.running || null,
      installed_latest: env ? latestInstalledKernel(env.kernel.installed) : null,
      reboot_required: env?.kernel.reboot_required ?? false,
      reboot_reason: env?.kernel.reboot_reason ?? null,
    },
    pending_count: env?.pending.length ?? 0,
    pending_security_count: env?.pending.filter((p) => p.security).length ?? 0,
    coverage_pct: parts.days ? coveragePct(parts.days) : null,
    status: hostStatus(inScope, parts.decomMs, ctx.bounds.asOfMs, stale, overdue),
    open_findings: open.length,
    overdue_findings: overdue,
    latest_report: latest ? { path: latest.path, commit: latest.commit } : null,
    unjudged_packages: parts.unjudged.filter((u) => u.until === null).length,
    pending: pendingRows(env?.pending ?? [], parts.findings.map((f) => f.row)),
  };
}

/** Judges one host as of period end. */
export function judgeHostFully(host: SnapshotHost, ctx: FindingContext): HostResult {
  const allTimes = host.reports.map((r) => Date.parse(r.envelope.received_at));
  const cut = cutIndex(allTimes, ctx.bounds.asOfMs);
  const reports = host.reports.slice(0, cut);
  const times = allTimes.slice(0, cut);
  const eco = ecosystemOf(host, reports[reports.length - 1]);
  const decomMs = decommissioned(host);
  const effectiveDecomMs = decomMs !== null && decomMs <= ctx.bounds.asOfMs ? decomMs : null;
  const judged = eco ? judgeHost(host, reports, times, eco, ctx, effectiveDecomMs) : { findings: [], unjudged: [] };
  const findings = judged.findings;
  const unjudged = unjudgedPackages(host.host.host_id, judged.unjudged, reports, times, ctx.bounds);
  const inScope = host.meta?.in_scope ?? true;
  const active = decomMs === null || decomMs > ctx.bounds.asOfMs;
  const enrolledMs = Date.parse(host.host.enrolled_at);
  const coverageEnd = decomMs === null ? null : decomMs - (host.meta?.decommissioned_at?.length === 10 ? DAY_MS : 0);
  const window = inScope ? expectedWindow(ctx.bounds, enrolledMs, coverageEnd) : null;
  // Each day's coverage is judged with the cadence of the policy version in force that day.
  const days = window ? hostDays(host.host.host_id, times, window, (dayMs) => cadenceHours(slaPolicyAt(ctx.policies, dayMs)) * HOUR_MS) : null;
  const hostFindings = hostLevelFindings({
    host, reports, times, bounds: ctx.bounds, policies: ctx.policies, active, inScope, decommissionedMs: decomMs, days,
  });
  const row = renderRow(host, reports, times, ctx, { eco, findings, hostFindings, days, decomMs, unjudged });
  return { row, findings, hostFindings, days, reports, times, eco, unjudged };
}
