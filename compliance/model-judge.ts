// The per-host half of evaluate(): the judgement context built once from policies, advisories and
// exceptions, one host judged into plain data (findings, host findings, patch events, coverage,
// and the sha256 of each report it cites), and the hosts' results collected in host id order.
// Plain data throughout, so shards of hosts can be judged in worker threads and merged.
import type { HostAux } from './controls-evaluators.ts';
import type { HostDays } from './coverage.ts';
import type { HostEcosystem } from './ecosystem.ts';
import type { SnapshotException, SnapshotHost } from './evidence-snapshot.ts';
import { buildExceptionRules, type ExceptionRule } from './exceptions.ts';
import type { FindingContext, JudgedFinding } from './findings.ts';
import { judgeHostFully, type HostResult } from './model-hosts.ts';
import { patchEvents, sortPatchEvents } from './model-sections.ts';
import type { ModelHost, ModelHostFinding, ModelPatchEvent, ModelUnjudgedPackage } from './model-types.ts';
import { buildAdvisoryIndex, type AdvisoryIndex } from './osv-index.ts';
import { createMatcher } from './osv-matcher.ts';
import type { OsvRecord } from './osv-types.ts';
import type { Policy } from './policy.ts';
import { buildPolicySet, type PolicySet } from './policy-versions.ts';
import { periodBounds, type Period, type PeriodBounds } from './sla-time.ts';

export interface Judgement {
  readonly bounds: PeriodBounds;
  readonly policySet: PolicySet;
  readonly index: AdvisoryIndex;
  readonly rules: readonly ExceptionRule[];
  readonly ctx: FindingContext;
}

/** Everything a host is judged with; `index` is reused when given (built from `records` otherwise). */
export function prepareJudgement(input: {
  policies: readonly Policy[];
  records: readonly OsvRecord[];
  index?: AdvisoryIndex;
  period: Period;
  exceptions: readonly SnapshotException[];
}): Judgement {
  const bounds = periodBounds(input.period);
  const policySet = buildPolicySet(input.policies, bounds);
  const index = input.index ?? buildAdvisoryIndex(input.records);
  const rules = buildExceptionRules(input.exceptions, bounds.asOfMs);
  return { bounds, policySet, index, rules, ctx: { policies: policySet, bounds, rules, matcher: createMatcher(index) } };
}

/** One host's share of the model. */
export interface HostJudgement {
  readonly hostId: string;
  readonly row: ModelHost;
  readonly findings: JudgedFinding[];
  readonly hostFindings: ModelHostFinding[];
  readonly events: ModelPatchEvent[];
  readonly days: HostDays | null;
  readonly aux: HostAux;
  readonly frameworks: readonly string[];
  readonly unjudged: ModelUnjudgedPackage[];
  readonly eco: HostEcosystem | null;
  /** sha256 of every report of this host the results cite, by path (for the evidence manifest). */
  readonly citedReports: Map<string, string>;
}

export interface HostsPass {
  hosts: ModelHost[];
  findings: JudgedFinding[];
  hostFindings: ModelHostFinding[];
  events: ModelPatchEvent[];
  days: HostDays[];
  aux: Map<string, HostAux>;
  frameworks: Map<string, readonly string[]>;
  unjudged: ModelUnjudgedPackage[];
  /** The distinct advisory ecosystems of the judged hosts. */
  ecosystems: Map<string, HostEcosystem>;
  citedReports: Map<string, string>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function auxOf(result: HostResult, bounds: PeriodBounds): HostAux {
  let unrecorded = 0;
  let events = 0;
  result.reports.forEach((r, i) => {
    if ((result.times[i] as number) < bounds.startMs) return;
    events += r.envelope.changes.length;
    const prev = result.reports[i - 1];
    if (prev && prev.envelope.inventory.sha256 !== r.envelope.inventory.sha256 && r.envelope.changes.length === 0) unrecorded++;
  });
  const d = result.days;
  return { daysExpected: d?.expected.length ?? 0, daysReported: d?.covered.filter(Boolean).length ?? 0, unrecordedChanges: unrecorded, changeEvents: events };
}

function citedReports(host: SnapshotHost, r: HostResult, events: readonly ModelPatchEvent[]): Map<string, string> {
  const wanted = new Set<string>();
  if (r.row.latest_report) wanted.add(r.row.latest_report.path);
  for (const f of r.findings) for (const e of f.row.evidence) wanted.add(e.path);
  for (const f of r.hostFindings) for (const e of f.evidence) wanted.add(e.path);
  for (const e of events) wanted.add(e.report_path);
  const out = new Map<string, string>();
  for (const rep of host.reports) if (wanted.has(rep.path)) out.set(rep.path, rep.sha256);
  return out;
}

export function judgeOneHost(host: SnapshotHost, j: Judgement): HostJudgement {
  const r = judgeHostFully(host, j.ctx);
  const events = patchEvents(host.host.host_id, r.reports, j.bounds);
  return {
    hostId: host.host.host_id, row: r.row, findings: r.findings, hostFindings: r.hostFindings, events, days: r.days,
    aux: auxOf(r, j.bounds), frameworks: host.meta?.frameworks ?? [], unjudged: r.unjudged, eco: r.eco,
    citedReports: citedReports(host, r, events),
  };
}

/** The hosts' results in host id order, each section sorted as the model has it. */
export function collectPass(judged: Iterable<HostJudgement>): HostsPass {
  const pass: HostsPass = { hosts: [], findings: [], hostFindings: [], events: [], days: [], aux: new Map(), frameworks: new Map(), unjudged: [], ecosystems: new Map(), citedReports: new Map() };
  for (const h of [...judged].sort((a, b) => cmp(a.hostId, b.hostId))) {
    pass.hosts.push(h.row);
    for (const f of h.findings) pass.findings.push(f);
    for (const f of h.hostFindings) pass.hostFindings.push(f);
    for (const e of h.events) pass.events.push(e);
    if (h.days) pass.days.push(h.days);
    pass.aux.set(h.hostId, h.aux);
    pass.frameworks.set(h.hostId, h.frameworks);
    for (const u of h.unjudged) pass.unjudged.push(u);
    if (h.eco) pass.ecosystems.set(JSON.stringify([h.eco.match, h.eco.matchPrefixes]), h.eco);
    for (const [path, sha] of h.citedReports) pass.citedReports.set(path, sha);
  }
  pass.hosts.sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.host_id, b.host_id));
  pass.findings.sort((a, b) => cmp(a.row.host_id, b.row.host_id) || cmp(a.row.advisory_id, b.row.advisory_id) || cmp(a.row.exposed_since, b.row.exposed_since));
  pass.hostFindings.sort((a, b) => cmp(a.host_id, b.host_id) || cmp(a.kind, b.kind) || cmp(a.since ?? '', b.since ?? '') || cmp(a.id, b.id));
  sortPatchEvents(pass.events);
  return pass;
}
