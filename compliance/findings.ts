// Turns one host's exposures into findings: when the host was exposed, when the fix was published
// and the problem detected, which policy version's SLA applies, when it was remediated (or the
// host decommissioned), and the status as of period end (with the exceptions that name it).
import { sha256Hex } from '../evidence/hash.ts';
import type { HostEcosystem } from './ecosystem.ts';
import type { SnapshotHost, SnapshotReport } from './evidence-snapshot.ts';
import { matchingExceptions, type ExceptionRule } from './exceptions.ts';
import { hostExposures, type Exposure, type UnjudgedSpan } from './findings-exposure.ts';
import type { EvidenceRef, ModelFinding } from './model-types.ts';
import type { Matcher, MatchRow } from './osv-matcher.ts';
import { classify, type Severity } from './osv-severity.ts';
import type { Policy, SeverityClassId } from './policy.ts';
import { slaPolicyAt, type PolicySet } from './policy-versions.ts';
import { judgeAt, startClock, type Clock, type ClockFacts } from './sla-clock.ts';
import { DAY_MS, isoTime, isoTimeOrNull, round1, timeMs, type PeriodBounds } from './sla-time.ts';

/** A finding with what is needed to judge it again at another instant (monthly metrics). */
export interface JudgedFinding {
  readonly row: ModelFinding;
  readonly facts: ClockFacts;
  readonly clock: Clock;
  readonly rules: readonly ExceptionRule[];
}

export interface FindingContext {
  readonly policies: PolicySet;
  readonly bounds: PeriodBounds;
  readonly rules: readonly ExceptionRule[];
  readonly matcher: Matcher;
}

const classCache = new WeakMap<Policy, WeakMap<Severity, SeverityClassId>>();

/** The policy's class for a severity; cached, since advisories share one Severity object per entry. */
function severityClass(policy: Policy, severity: Severity): SeverityClassId {
  let perPolicy = classCache.get(policy);
  if (!perPolicy) classCache.set(policy, (perPolicy = new WeakMap()));
  let cls = perPolicy.get(severity);
  if (cls === undefined) {
    const classes = policy.severity_classes.map((c) => ({ id: c.id, vendor_labels: c.vendor_labels, ...(c.cvss ? { cvss: c.cvss } : {}) }));
    cls = (classify(severity, classes, policy.unrated_class) ?? policy.unrated_class ?? 'low') as SeverityClassId;
    perPolicy.set(severity, cls);
  }
  return cls;
}

function firstAtOrAfter(times: readonly number[], from: number, to: number, ms: number): number | null {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo < to ? lo : null;
}

function ref(r: SnapshotReport | undefined, role: string): EvidenceRef[] {
  return r ? [{ path: r.path, commit: r.commit, role }] : [];
}

interface Timing {
  readonly policy: Policy;
  readonly cls: SeverityClassId;
  readonly facts: ClockFacts;
  readonly clock: Clock;
  readonly detectedIdx: number | null;
  readonly remediatedIdx: number | null;
  /** The exposure was ended by the host's decommissioning, not by a report. */
  readonly decommissioned: boolean;
}

/**
 * Decommissioning ends an exposure like a remediation: the host and its vulnerable package left
 * service. Reports after that instant start nothing (they are a decommissioned-reporting host
 * finding instead), so a detection after it does not count.
 */
function endAtDecommission(facts: ClockFacts, decomMs: number | null): { facts: ClockFacts; decommissioned: boolean } {
  if (decomMs === null) return { facts, decommissioned: false };
  const detectedMs = facts.detectedMs !== null && facts.detectedMs >= decomMs ? null : facts.detectedMs;
  if (facts.remediatedMs !== null && facts.remediatedMs <= decomMs) return { facts: { ...facts, detectedMs }, decommissioned: false };
  return { facts: { ...facts, detectedMs, remediatedMs: decomMs }, decommissioned: true };
}

/** Decides the policy version (in force at the clock start), the class, the clock and remediation. */
function timing(exp: Exposure, times: readonly number[], ctx: FindingContext, decomMs: number | null): Timing | null {
  const row = exp.rows[0] as MatchRow;
  const publishedMs = timeMs(row.published ?? row.modified);
  if (!(publishedMs < ctx.bounds.asOfMs)) return null;
  if (decomMs !== null && (times[exp.startIdx] as number) >= decomMs) return null;
  const affectedUntil = (exp.kernel ? exp.runningEndIdx : exp.endIdx) ?? times.length;
  const detectedIdx = firstAtOrAfter(times, exp.startIdx, affectedUntil, publishedMs);
  const unfixed = exp.rows.every((r) => r.unfixed);
  const fixPublishedMs = unfixed ? publishedMs : timeMs(row.fix_published);
  const build = (policy: Policy): Timing => {
    const remediatedIdx = exp.kernel && policy.kernel_requires_reboot ? exp.runningEndIdx : exp.endIdx;
    const ended = endAtDecommission({
      exposedMs: times[exp.startIdx] as number,
      publishedMs,
      fixPublishedMs,
      unfixed,
      detectedMs: detectedIdx === null ? null : (times[detectedIdx] as number),
      remediatedMs: remediatedIdx === null ? null : (times[remediatedIdx] as number),
    }, decomMs);
    const facts = ended.facts;
    const cls = severityClass(policy, row.severity);
    return {
      policy, cls, facts, clock: startClock(policy, cls, facts),
      detectedIdx: facts.detectedMs === null ? null : detectedIdx,
      remediatedIdx: ended.decommissioned ? null : remediatedIdx,
      decommissioned: ended.decommissioned,
    };
  };
  const first = build(slaPolicyAt(ctx.policies, fixPublishedMs));
  const final = first.clock.clockMs === null ? first : build(slaPolicyAt(ctx.policies, first.clock.clockMs));
  const rem = final.facts.remediatedMs;
  if (rem !== null && (rem <= publishedMs || rem < ctx.bounds.startMs)) return null;
  return final;
}

function severityOf(row: MatchRow, cls: SeverityClassId): ModelFinding['severity'] {
  const s = row.severity;
  const source = s.source === 'vendor' && s.from === 'agent' ? 'agent' : s.source;
  return { class: cls, label: s.source === 'none' ? null : s.label, source, score: s.score ?? null };
}

function evidenceOf(host: SnapshotHost, exp: Exposure, tm: Timing, reports: readonly SnapshotReport[]): EvidenceRef[] {
  const end = tm.decommissioned ? reports.findIndex((r) => Date.parse(r.envelope.received_at) >= (tm.facts.remediatedMs as number)) : -1;
  const lastAffected = (tm.remediatedIdx ?? (end >= 0 ? end : reports.length)) - 1;
  const idx: Array<[number | null, string]> = [[exp.startIdx, 'first-seen'], [tm.detectedIdx, 'detected'], [lastAffected, 'last-affected'], [tm.remediatedIdx, 'remediated']];
  const seen = new Set<number>();
  const out: EvidenceRef[] = [];
  for (const [i, role] of idx) {
    if (i === null || seen.has(i)) continue;
    seen.add(i);
    out.push(...ref(reports[i], role));
  }
  if (tm.decommissioned && host.meta_file) out.push({ path: host.meta_file.path, commit: host.meta_file.commit, role: 'decommissioned' });
  return out;
}

function findingRow(host: SnapshotHost, exp: Exposure, tm: Timing, reports: readonly SnapshotReport[], ctx: FindingContext): JudgedFinding {
  const row = exp.rows[0] as MatchRow;
  const hostId = host.host.host_id;
  const packages = [...new Set(exp.rows.map((r) => r.package))].sort();
  const source = row.source ?? row.package;
  const rules = matchingExceptions(ctx.rules, { host_id: hostId, group: host.host.group, advisory_id: exp.advisory_id, aliases: row.aliases, packages, source });
  const { status, exception } = judgeAt(tm.clock, tm.facts, rules, ctx.bounds.asOfMs);
  const ageFrom = tm.clock.clockMs ?? tm.facts.exposedMs;
  const ageTo = tm.facts.remediatedMs ?? ctx.bounds.asOfMs;
  const evidence = evidenceOf(host, exp, tm, reports);
  if (exception) evidence.push({ path: exception.file, commit: exception.commit, role: 'exception' });
  const exposedSince = isoTime(tm.facts.exposedMs);
  return {
    facts: tm.facts,
    clock: tm.clock,
    rules,
    row: {
      id: `F-${sha256Hex(`${hostId}\u0000${exp.advisory_id}\u0000${exposedSince}`).slice(0, 16)}`,
      host_id: hostId, advisory_id: exp.advisory_id, aliases: [...row.aliases].sort(),
      package: packages[0] as string, packages, source, installed_version: row.installed_version,
      fixed_version: tm.facts.unfixed ? null : row.fixed_version, kernel: exp.kernel,
      severity: severityOf(row, tm.cls),
      exposed_since: exposedSince,
      fix_published_at: tm.facts.unfixed ? null : isoTime(tm.facts.fixPublishedMs),
      fix_published_source: tm.facts.unfixed ? null : row.fix_published_source,
      detected_at: isoTimeOrNull(tm.facts.detectedMs),
      clock_started_at: isoTimeOrNull(tm.clock.clockMs),
      due_at: isoTimeOrNull(tm.clock.dueMs),
      remediated_at: isoTimeOrNull(tm.facts.remediatedMs),
      status, exception_id: exception?.id ?? null,
      policy_id: tm.policy.id, policy_version: tm.policy.version,
      age_days: round1(Math.max(0, ageTo - ageFrom) / DAY_MS),
      evidence,
    },
  };
}

/**
 * Findings of one host; `reports` are its reports received before as_of (seq order), `times` their
 * received_at in ms; `decommissionedMs` the instant its meta.yaml says it left service (null: never).
 */
export function judgeHost(
  host: SnapshotHost,
  reports: readonly SnapshotReport[],
  times: readonly number[],
  eco: HostEcosystem,
  ctx: FindingContext,
  decommissionedMs: number | null = null,
): { findings: JudgedFinding[]; unjudged: UnjudgedSpan[] } {
  const { exposures, unjudged } = hostExposures(reports, host.inventories, eco, ctx.matcher);
  const findings: JudgedFinding[] = [];
  for (const exp of exposures) {
    const tm = timing(exp, times, ctx, decommissionedMs);
    if (tm) findings.push(findingRow(host, exp, tm, reports, ctx));
  }
  return { findings, unjudged };
}
