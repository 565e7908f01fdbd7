// The evaluators controls are bound to: each looks at one aspect of the judged period (inventory,
// advisories, SLA, exceptions, coverage, integrity, change records) and returns a status, a
// one-line summary and evidence rows pointing at hosts, findings and repository files.
import type { ControlEvidence, ControlStatus, ModelException, ModelFinding, ModelHost, ModelHostFinding, ModelPolicy, ModelUnjudged } from './model-types.ts';
import { DAY_MS, dateMs, round1 } from './sla-time.ts';

export interface HostAux {
  readonly daysExpected: number;
  readonly daysReported: number;
  /** Reports whose inventory changed but which carry no change records. */
  readonly unrecordedChanges: number;
  readonly changeEvents: number;
}

export interface EvaluatorInput {
  readonly hosts: readonly ModelHost[];
  readonly findings: readonly ModelFinding[];
  readonly hostFindings: readonly ModelHostFinding[];
  readonly exceptions: readonly ModelException[];
  readonly aux: ReadonlyMap<string, HostAux>;
  readonly advisories: { snapshot_hash: string; count: number } | null;
  readonly policies: readonly ModelPolicy[];
  readonly slaPolicy: ModelPolicy;
  readonly asOfMs: number;
  /** What could not be judged; its installed_packages narrowed to the hosts judged. */
  readonly unjudged: ModelUnjudged;
}

export interface EvaluatorResult {
  readonly id: string;
  readonly status: ControlStatus;
  readonly summary: string;
  readonly evidence: ControlEvidence[];
}

type Evaluator = (input: EvaluatorInput) => Omit<EvaluatorResult, 'id'>;

const MAX_EVIDENCE = 25;

function active(input: EvaluatorInput): ModelHost[] {
  return input.hosts.filter((h) => h.status !== 'out-of-scope' && h.status !== 'decommissioned');
}

function byRatio(bad: number, total: number, partialBelow = 0.1): ControlStatus {
  if (bad === 0) return 'effective';
  return bad / total < partialBelow ? 'partial' : 'deficient';
}

function hostRows(kind: string, list: readonly ModelHostFinding[]): ControlEvidence[] {
  return list.slice(0, MAX_EVIDENCE).map((f) => {
    const ev = f.evidence[f.evidence.length - 1];
    return { kind, summary: f.detail, host_id: f.host_id, ...(ev ? { path: ev.path } : {}), ...(ev?.commit ? { commit: ev.commit } : {}) };
  });
}

function findingRows(kind: string, list: readonly ModelFinding[]): ControlEvidence[] {
  return list.slice(0, MAX_EVIDENCE).map((f) => {
    const ev = f.evidence[f.evidence.length - 1];
    return { kind, summary: `${f.advisory_id} on ${f.host_id} (${f.package}): ${f.status}, due ${f.due_at ?? 'n/a'}`, host_id: f.host_id, finding_id: f.id, ...(ev ? { path: ev.path } : {}), ...(ev?.commit ? { commit: ev.commit } : {}) };
  });
}

const SHA256 = /^[0-9a-f]{64}$/;

function sha256Of(hash: string): { sha256?: string } {
  return SHA256.test(hash) ? { sha256: hash } : {};
}

/** A policy version cited by the exact file judged: its path under the policies folder and its sha256 (as in inputs.policies). */
function policyRow(p: ModelPolicy, summary: string): ControlEvidence {
  return { kind: 'policy', summary: `${summary} (${p.file}, sha256 ${p.sha256})`, path: `policies/${p.file}`, sha256: p.sha256 };
}

const inventoryComplete: Evaluator = (input) => {
  const hosts = active(input);
  if (hosts.length === 0) return { status: 'not-applicable', summary: 'No in-scope hosts in the period.', evidence: [] };
  const ids = new Set(hosts.map((h) => h.host_id));
  const problems = input.hostFindings.filter((f) => ids.has(f.host_id) && (f.kind === 'missing-owner' || f.kind === 'missing-classification'));
  const unsupported = hosts.filter((h) => h.ecosystem === null || h.latest_report === null);
  const bad = new Set([...problems.map((p) => p.host_id), ...unsupported.map((h) => h.host_id)]);
  const evidence = [...hostRows('host-metadata', problems), ...unsupported.slice(0, MAX_EVIDENCE).map((h) => ({ kind: 'host-inventory', summary: h.latest_report ? `${h.hostname}: operating system ${h.os.id} ${h.os.version_id ?? ''} has no advisory source` : `${h.hostname}: no inventory reported`, host_id: h.host_id }))];
  return { status: byRatio(bad.size, hosts.length), summary: `${hosts.length - bad.size} of ${hosts.length} in-scope hosts have an owner, a classification and a judged inventory.`, evidence };
};

const staleHosts: Evaluator = (input) => {
  const hosts = active(input);
  if (hosts.length === 0) return { status: 'not-applicable', summary: 'No in-scope hosts in the period.', evidence: [] };
  const ids = new Set(hosts.map((h) => h.host_id));
  const stale = input.hostFindings.filter((f) => f.kind === 'stale-host' && ids.has(f.host_id));
  // A model written before `until` was added has stale-host rows only for hosts stale at period end.
  const atEnd = stale.filter((f) => f.until === null || f.until === undefined);
  const resumed = stale.filter((f) => typeof f.until === 'string');
  const extra = input.hostFindings.filter((f) => f.kind === 'decommissioned-reporting');
  const staleHostsAtEnd = new Set(atEnd.map((f) => f.host_id)).size;
  const status = staleHostsAtEnd === 0 ? (extra.length > 0 || resumed.length > 0 ? 'partial' : 'effective') : byRatio(staleHostsAtEnd, hosts.length, 0.05);
  return {
    status,
    summary: `${staleHostsAtEnd} of ${hosts.length} in-scope hosts had stopped reporting at period end; ${resumed.length} earlier silences passed the stale threshold then in force; ${extra.length} decommissioned hosts still reported.`,
    evidence: [...hostRows('stale-host', atEnd), ...hostRows('stale-host-resumed', resumed), ...hostRows('decommissioned-reporting', extra)],
  };
};

const evidenceCoverage: Evaluator = (input) => {
  let expected = 0;
  let reported = 0;
  for (const h of input.hosts) {
    const a = input.aux.get(h.host_id);
    if (a) [expected, reported] = [expected + a.daysExpected, reported + a.daysReported];
  }
  if (expected === 0) return { status: 'not-applicable', summary: 'No host-days were expected in the period.', evidence: [] };
  const pct = round1((100 * reported) / expected);
  const status: ControlStatus = pct >= 95 ? 'effective' : pct >= 80 ? 'partial' : 'deficient';
  const low = input.hosts.filter((h) => h.coverage_pct !== null && h.coverage_pct < 95).sort((a, b) => (a.coverage_pct ?? 0) - (b.coverage_pct ?? 0));
  const evidence = low.slice(0, MAX_EVIDENCE).map((h) => ({ kind: 'host-coverage', summary: `${h.hostname}: ${h.coverage_pct}% of expected days have evidence`, host_id: h.host_id, ...(h.latest_report ? { path: h.latest_report.path } : {}) }));
  return { status, summary: `${pct}% of ${expected} expected host-days have a signed report (target 95%).`, evidence };
};

const evidenceIntegrity: Evaluator = (input) => {
  const ids = new Set(input.hosts.map((h) => h.host_id));
  const gaps = input.hostFindings.filter((f) => f.kind === 'chain-gap' && ids.has(f.host_id));
  return {
    status: gaps.length === 0 ? 'effective' : 'deficient',
    summary: gaps.length === 0 ? 'Every host\'s report sequence and hash chain is unbroken in the period (signatures: `patchproof verify`).' : `${gaps.length} breaks in report sequences or hash chains.`,
    evidence: hostRows('chain-gap', gaps),
  };
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const advisoryMonitoring: Evaluator = (input) => {
  if (input.advisories === null || input.advisories.count === 0) return { status: 'deficient', summary: 'No advisory data was used: installed packages were not compared with any advisory source.', evidence: [] };
  const hosts = active(input);
  const ids = new Set(hosts.map((h) => h.host_id));
  const unjudged = hosts.filter((h) => h.ecosystem === null);
  const u = input.unjudged;
  const packages = u.installed_packages.filter((p) => ids.has(p.host_id));
  const withUnparsed = new Set(packages.map((p) => p.host_id));
  const advisoryGap = u.advisory_entry_count > 0 ? ` ${plural(u.advisory_entry_count, 'advisory entry', 'advisory entries')} could not be used (a version does not parse: CMP_ADVISORY_VERSION_UNPARSED).` : '';
  const packageGap = packages.length > 0 ? ` ${plural(packages.length, 'installed package')} on ${plural(withUnparsed.size, 'host')} could not be judged (its version does not parse: CMP_INSTALLED_VERSION_UNPARSED).` : '';
  const summary = `${input.advisories.count} OSV advisories (snapshot ${input.advisories.snapshot_hash.slice(0, 12)}) compared with ${hosts.length - unjudged.length} of ${hosts.length} in-scope hosts.${advisoryGap}${packageGap}`;
  const evidence: ControlEvidence[] = [
    { kind: 'advisory-snapshot', summary: `snapshot sha256 ${input.advisories.snapshot_hash}`, ...sha256Of(input.advisories.snapshot_hash) },
    ...u.advisory_entries.slice(0, MAX_EVIDENCE).map((a) => ({ kind: 'unjudged-advisory', summary: `${a.code}: ${a.advisory_id} (${a.ecosystem} ${a.package}) left out: ${a.reason}` })),
    ...packages.slice(0, MAX_EVIDENCE).map((p) => {
      const ev = p.evidence[0];
      return { kind: 'unjudged-package', summary: `${p.code}: ${p.package} ${p.version} (${p.arch}) not judged: ${p.reason}`, host_id: p.host_id, ...(ev ? { path: ev.path } : {}), ...(ev?.commit ? { commit: ev.commit } : {}) };
    }),
  ];
  // A host whose OS has no advisory source is not judged at all; a package or an advisory entry that
  // cannot be compared leaves a gap in otherwise judged hosts: partial at worst.
  let status = byRatio(unjudged.length, hosts.length);
  if (status === 'effective' && (u.advisory_entry_count > 0 || packages.length > 0)) status = 'partial';
  return { status, summary, evidence };
};

const severityRanking: Evaluator = (input) => {
  const classes = input.slaPolicy.severity_classes.map((c) => `${c.label} ${c.sla_hours}h`).join(', ');
  const unrated = input.findings.filter((f) => f.severity.source === 'none');
  const status = input.findings.length === 0 || unrated.length / input.findings.length <= 0.1 ? 'effective' : 'partial';
  return { status, summary: `Policy ${input.slaPolicy.id} v${input.slaPolicy.version} ranks by vendor severity or CVSS (${classes}); ${unrated.length} of ${input.findings.length} findings had no rating and took the default class.`, evidence: [policyRow(input.slaPolicy, `${input.slaPolicy.title} v${input.slaPolicy.version}`)] };
};

const slaAdherence: Evaluator = (input) => {
  const clocked = input.findings.filter((f) => f.due_at !== null && f.status !== 'excepted' && f.status !== 'unfixed-upstream');
  if (clocked.length === 0) return { status: 'not-applicable', summary: 'No findings with an SLA clock in the period.', evidence: [] };
  const inSla = clocked.filter((f) => f.status === 'fixed-in-sla' || f.status === 'open-within-sla').length;
  const pct = round1((100 * inSla) / clocked.length);
  const overdueCritical = clocked.some((f) => f.severity.class === 'critical' && (f.status === 'open-overdue' || f.status === 'exception-expired'));
  let status: ControlStatus = pct >= 95 ? 'effective' : pct >= 80 ? 'partial' : 'deficient';
  if (overdueCritical && status === 'effective') status = 'partial';
  const late = clocked.filter((f) => f.status !== 'fixed-in-sla' && f.status !== 'open-within-sla');
  return { status, summary: `${pct}% of ${clocked.length} findings with an SLA clock were fixed or are open within SLA (target 95%)${overdueCritical ? '; a critical finding is overdue' : ''}.`, evidence: findingRows('finding', late) };
};

const criticalWithin30d: Evaluator = (input) => {
  const relevant = input.findings.filter((f) => (f.severity.class === 'critical' || f.severity.class === 'high') && f.fix_published_at !== null);
  if (relevant.length === 0) return { status: 'not-applicable', summary: 'No critical or high findings with a published fix in the period.', evidence: [] };
  const late = relevant.filter((f) => {
    if (f.status === 'excepted') return false;
    const end = f.remediated_at === null ? input.asOfMs : Date.parse(f.remediated_at);
    return end - Date.parse(f.fix_published_at as string) > 30 * DAY_MS;
  });
  return { status: late.length === 0 ? 'effective' : 'deficient', summary: `${relevant.length - late.length} of ${relevant.length} critical and high findings were fixed (or are still open) within 30 days of the fix's release, or are covered by an approved exception.`, evidence: findingRows('late-patch', late) };
};

const exceptionsDocumented: Evaluator = (input) => {
  const ids = new Set(input.findings.map((f) => f.id));
  const used = input.exceptions.filter((e) => e.findings_matched.some((id) => ids.has(id)));
  if (used.length === 0) return { status: 'not-applicable', summary: 'No exceptions apply to findings in scope.', evidence: [] };
  const invalid = used.filter((e) => e.status === 'unapproved' || e.status === 'self-approved');
  const expired = input.findings.filter((f) => f.status === 'exception-expired');
  const status: ControlStatus = expired.length > 0 ? 'deficient' : invalid.length > 0 ? 'partial' : 'effective';
  const evidence = [
    ...used.slice(0, MAX_EVIDENCE).map((e) => ({ kind: 'exception', summary: `${e.id} (${e.status}): approver ${e.approver ?? 'none'}, expires ${e.expires}`, path: e.file, ...(e.history[e.history.length - 1] ? { commit: e.history[e.history.length - 1]!.commit } : {}) })),
    ...findingRows('exception-expired', expired),
  ];
  return { status, summary: `${used.length} exceptions apply: ${used.length - invalid.length} approved by a risk owner other than the requester; ${expired.length} findings remain open after their exception expired.`, evidence };
};

const changeRecords: Evaluator = (input) => {
  let events = 0;
  let unrecorded = 0;
  const bad: ModelHost[] = [];
  for (const h of input.hosts) {
    const a = input.aux.get(h.host_id);
    if (!a) continue;
    events += a.changeEvents;
    unrecorded += a.unrecordedChanges;
    if (a.unrecordedChanges > 0) bad.push(h);
  }
  const evidence = bad.slice(0, MAX_EVIDENCE).map((h) => ({ kind: 'unrecorded-change', summary: `${h.hostname}: ${input.aux.get(h.host_id)?.unrecordedChanges} inventory changes without change records`, host_id: h.host_id }));
  return { status: unrecorded === 0 ? 'effective' : 'partial', summary: `${events} package changes recorded with time and source in signed reports; ${unrecorded} inventory changes lacked change records.`, evidence };
};

const policyCurrent: Evaluator = (input) => {
  const inForce = input.policies.filter((p) => p.in_force.to !== null && dateMs(p.in_force.to) + DAY_MS >= input.asOfMs);
  const overdue = inForce.filter((p) => dateMs(p.review_by) < input.asOfMs);
  const evidence = inForce.map((p) => policyRow(p, `${p.title} v${p.version}, approved by ${p.approved_by} on ${p.approved_at}, review by ${p.review_by}`));
  return { status: overdue.length === 0 && inForce.length > 0 ? 'effective' : 'partial', summary: `${inForce.length} policies in force at period end; ${overdue.length} past their review date.`, evidence };
};

const rebootDebt: Evaluator = (input) => {
  const hosts = active(input);
  if (hosts.length === 0) return { status: 'not-applicable', summary: 'No in-scope hosts in the period.', evidence: [] };
  const ids = new Set(hosts.map((h) => h.host_id));
  const debt = input.hostFindings.filter((f) => f.kind === 'reboot-debt' && ids.has(f.host_id));
  return { status: debt.length === 0 ? 'effective' : 'partial', summary: `${debt.length} of ${hosts.length} in-scope hosts run an older kernel than the one installed.`, evidence: hostRows('reboot-debt', debt) };
};

export const EVALUATORS: Readonly<Record<string, Evaluator>> = {
  'inventory-complete': inventoryComplete,
  'stale-hosts': staleHosts,
  'evidence-coverage': evidenceCoverage,
  'evidence-integrity': evidenceIntegrity,
  'advisory-monitoring': advisoryMonitoring,
  'severity-ranking': severityRanking,
  'sla-adherence': slaAdherence,
  'critical-within-30d': criticalWithin30d,
  'exceptions-documented': exceptionsDocumented,
  'change-records': changeRecords,
  'policy-current': policyCurrent,
  'reboot-debt': rebootDebt,
};

export function runEvaluator(id: string, input: EvaluatorInput): EvaluatorResult {
  const fn = EVALUATORS[id];
  if (!fn) throw new Error(`unknown evaluator ${id}`);
  return { id, ...fn(input) };
}
