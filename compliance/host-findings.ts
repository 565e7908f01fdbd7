// Findings about hosts rather than advisories: the forgotten server (stale), missing ownership,
// reboot debt, evidence chain gaps, coverage gaps and decommissioned hosts still reporting. Stale
// thresholds and cadences are those of the policy version in force at the time judged.
import { sha256Hex } from '../evidence/hash.ts';
import type { SnapshotHost, SnapshotReport } from './evidence-snapshot.ts';
import { coverageGaps, type HostDays } from './coverage.ts';
import { compareKernelRelease, latestInstalledKernel } from './findings-kernel.ts';
import type { EvidenceRef, HostFindingKind, ModelHostFinding } from './model-types.ts';
import type { Policy } from './policy.ts';
import { slaPolicyAt, slaSpans, type PolicySet } from './policy-versions.ts';
import { DAY_MS, HOUR_MS, isoDate, isoTime, isoTimeOrNull, round1, type PeriodBounds } from './sla-time.ts';

/** The policy's stale-host threshold and evidence cadence, with the defaults for policies without them. */
export function staleAfterHours(p: Policy): number {
  return p.stale_after_hours ?? 72;
}

export function cadenceHours(p: Policy): number {
  return p.evidence_cadence_hours ?? 24;
}

export interface HostContext {
  readonly host: SnapshotHost;
  /** Reports received before as_of, seq order. */
  readonly reports: readonly SnapshotReport[];
  readonly times: readonly number[];
  readonly bounds: PeriodBounds;
  /** The SLA policy versions: each one's stale threshold and cadence apply while it is in force. */
  readonly policies: PolicySet;
  readonly active: boolean;
  readonly inScope: boolean;
  readonly decommissionedMs: number | null;
  readonly days: HostDays | null;
}

function finding(host: SnapshotHost, kind: HostFindingKind, since: number | null, detail: string, evidence: EvidenceRef[]): ModelHostFinding {
  const hostId = host.host.host_id;
  const id = `HF-${sha256Hex(`${hostId}\u0000${kind}\u0000${since ?? ''}\u0000${detail}`).slice(0, 16)}`;
  return { id, kind, host_id: hostId, since: isoTimeOrNull(since), detail, evidence };
}

function reportRef(r: SnapshotReport | undefined, role: string): EvidenceRef[] {
  return r ? [{ path: r.path, commit: r.commit, role }] : [];
}

interface StaleStretch {
  /** When the silence passed the threshold in force. */
  readonly fromMs: number;
  /** When it no longer counted as stale (a report, or a version with a longer threshold); as_of while still stale. */
  readonly untilMs: number;
  readonly thresholds: string[];
}

/**
 * The parts of the silence [lastMs, endMs) during which it was longer than the stale threshold in
 * force at the time: within each version's span, from lastMs + its threshold to the span's end.
 */
function staleStretches(c: HostContext, lastMs: number, endMs: number): StaleStretch[] {
  const out: StaleStretch[] = [];
  for (const span of slaSpans(c.policies, lastMs, endMs)) {
    const hours = staleAfterHours(span.policy);
    const fromMs = Math.max(span.fromMs, lastMs + hours * HOUR_MS);
    if (fromMs >= span.untilMs) continue;
    const label = `${hours}h (${span.policy.id} v${span.policy.version})`;
    const prev = out[out.length - 1];
    if (prev && prev.untilMs === fromMs) out[out.length - 1] = { fromMs: prev.fromMs, untilMs: span.untilMs, thresholds: [...prev.thresholds, label] };
    else out.push({ fromMs, untilMs: span.untilMs, thresholds: [label] });
  }
  return out;
}

/**
 * The forgotten server: every silence (from enrolment or a report to the next report, or to as_of)
 * overlapping the period that grew longer than the stale threshold in force at the time. One finding
 * per stale stretch; `until` is null while the host is still stale at as_of.
 */
function stale(c: HostContext): ModelHostFinding[] {
  if (!c.active || !c.inScope) return [];
  const enrolled = Date.parse(c.host.host.enrolled_at);
  const anchors = c.times.length > 0 && (c.times[0] as number) <= enrolled ? [...c.times] : [enrolled, ...c.times];
  const asOf = c.bounds.asOfMs;
  // No silence shorter than the smallest threshold of any version can be stale: most are skipped here.
  const shortest = Math.min(...c.policies.sla.map((v) => staleAfterHours(v.policy))) * HOUR_MS;
  const out: ModelHostFinding[] = [];
  anchors.forEach((lastMs, i) => {
    const next = anchors[i + 1];
    const endMs = next ?? asOf;
    if (endMs <= c.bounds.startMs || lastMs >= asOf || endMs - lastMs <= shortest) return;
    const reportIdx = c.times.length === anchors.length ? i : i - 1;
    const what = reportIdx >= 0 ? `last report ${isoTime(lastMs)}` : `enrolled ${isoTime(lastMs)} and never reported`;
    const refs = [...reportRef(c.reports[reportIdx], 'last-report'), ...(next === undefined ? [] : reportRef(c.reports[reportIdx + 1], 'next-report'))];
    for (const s of staleStretches(c, lastMs, endMs)) {
      const open = next === undefined && s.untilMs === asOf;
      const rule = `stale from ${isoTime(s.fromMs)}${open ? '' : ` until ${isoTime(s.untilMs)}`}; threshold ${s.thresholds.join(', then ')}`;
      const detail = next === undefined
        ? `No report for ${round1((asOf - lastMs) / DAY_MS)} days at period end (${what}; ${rule}).`
        : `No report for ${round1((endMs - lastMs) / DAY_MS)} days until ${isoTime(endMs)} (${what}; ${rule}).`;
      out.push({ ...finding(c.host, 'stale-host', lastMs, detail, refs), until: open ? null : isoTime(s.untilMs) });
    }
  });
  return out;
}

function ownership(c: HostContext): ModelHostFinding[] {
  if (!c.active) return [];
  const out: ModelHostFinding[] = [];
  const meta = c.host.meta;
  const refs: EvidenceRef[] = c.host.meta_file ? [{ path: c.host.meta_file.path, commit: c.host.meta_file.commit, role: 'meta' }] : [];
  const where = c.host.meta_file ? c.host.meta_file.path : `hosts/${c.host.host.host_id}/meta.yaml (missing)`;
  if (!meta?.owner?.trim()) out.push(finding(c.host, 'missing-owner', null, `No owner recorded in ${where}.`, refs));
  if (!meta?.classification) out.push(finding(c.host, 'missing-classification', null, `No data classification recorded in ${where}.`, refs));
  return out;
}

function hasDebt(r: SnapshotReport): boolean {
  const k = r.envelope.kernel;
  const latest = latestInstalledKernel(k.installed);
  return latest === null ? k.reboot_required : compareKernelRelease(k.running, latest) < 0;
}

function rebootDebt(c: HostContext): ModelHostFinding[] {
  if (!c.active || !c.inScope || c.reports.length === 0) return [];
  let i = c.reports.length - 1;
  if (!hasDebt(c.reports[i] as SnapshotReport)) return [];
  while (i > 0 && hasDebt(c.reports[i - 1] as SnapshotReport)) i--;
  const since = c.times[i] as number;
  if (c.bounds.asOfMs - since < cadenceHours(slaPolicyAt(c.policies, c.bounds.asOfMs - 1)) * HOUR_MS) return [];
  const latest = c.reports[c.reports.length - 1] as SnapshotReport;
  const k = latest.envelope.kernel;
  const detail = `Running kernel ${k.running} is older than the installed ${latestInstalledKernel(k.installed) ?? '(newer kernel)'} since ${isoTime(since)} (${round1((c.bounds.asOfMs - since) / DAY_MS)} days at period end)${k.reboot_reason ? `; ${k.reboot_reason}` : ''}.`;
  return [finding(c.host, 'reboot-debt', since, detail, [...reportRef(c.reports[i], 'first-seen'), ...(i === c.reports.length - 1 ? [] : reportRef(latest, 'latest'))])];
}

function chainGaps(c: HostContext): ModelHostFinding[] {
  const out: ModelHostFinding[] = [];
  c.reports.forEach((r, i) => {
    const t = c.times[i] as number;
    if (t < c.bounds.startMs) return;
    const prev = c.reports[i - 1];
    const expectedSeq = prev ? prev.envelope.seq + 1 : 1;
    const refs = [...reportRef(prev, 'before-gap'), ...reportRef(r, 'after-gap')];
    if (r.envelope.seq !== expectedSeq) {
      const missing = r.envelope.seq > expectedSeq ? `reports ${expectedSeq}..${r.envelope.seq - 1} are missing` : `seq ${r.envelope.seq} follows ${expectedSeq - 1}`;
      out.push(finding(c.host, 'chain-gap', t, `Report sequence broken at ${r.path}: ${missing}.`, refs));
    } else if (prev && r.envelope.previous !== prev.sha256) {
      out.push(finding(c.host, 'chain-gap', t, `Hash chain broken at ${r.path}: its previous is ${r.envelope.previous ?? 'null'}, the preceding report's sha256 is ${prev.sha256}.`, refs));
    }
  });
  return out;
}

function gaps(c: HostContext): ModelHostFinding[] {
  if (!c.days || !c.inScope) return [];
  return coverageGaps(c.days).map(([from, n]) => {
    const to = from + (n - 1) * DAY_MS;
    const span = n === 1 ? isoDate(from) : `${isoDate(from)}..${isoDate(to)}`;
    const cadences = [...new Set(slaSpans(c.policies, from, to + DAY_MS).map((p) => `${cadenceHours(p.policy)}h`))].join(', then ');
    return finding(c.host, 'coverage-gap', from, `No evidence within the ${cadences} cadence for ${n} day${n === 1 ? '' : 's'} (${span}).`, []);
  });
}

function decommissionedReporting(c: HostContext): ModelHostFinding[] {
  if (c.decommissionedMs === null) return [];
  const i = c.times.findIndex((t) => t >= (c.decommissionedMs as number) && t >= c.bounds.startMs);
  if (i < 0) return [];
  const n = c.times.length - i;
  const detail = `Decommissioned ${isoTime(c.decommissionedMs)} but still reporting: ${n} report${n === 1 ? '' : 's'} since.`;
  return [finding(c.host, 'decommissioned-reporting', c.times[i] as number, detail, [...reportRef(c.reports[i], 'first-after'), ...reportRef(c.reports[c.reports.length - 1], 'latest')])];
}

/** All host-level findings of one host, unsorted. */
export function hostLevelFindings(c: HostContext): ModelHostFinding[] {
  return [...stale(c), ...ownership(c), ...rebootDebt(c), ...chainGaps(c), ...gaps(c), ...decommissionedReporting(c)];
}
