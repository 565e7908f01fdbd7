// evaluate(): judges an evidence snapshot against policies and advisories for one audit period
// and returns the ComplianceModel, validated against its schema. Pure and deterministic: the
// same inputs give a byte-identical canonical JSON model; "now" is the period's end.
import { evaluateControls, loadCatalog, policyControlWarnings, type CatalogControl } from './controls.ts';
import type { HostAux } from './controls-evaluators.ts';
import { coverageByMonth, type HostDays } from './coverage.ts';
import { cmpError } from './errors.ts';
import type { EvidenceSnapshot } from './evidence-snapshot.ts';
import { buildExceptionRules } from './exceptions.ts';
import type { FindingContext, JudgedFinding } from './findings.ts';
import { computeMetrics } from './metrics.ts';
import { judgeHostFully } from './model-hosts.ts';
import { canonicalModelJson } from './model-json.ts';
import { checkCompliance } from './model-schema.ts';
import { auditRows, citedPaths, evidenceManifest, exceptionRows, keyRows, patchEvents, policyRows, sortPatchEvents } from './model-sections.ts';
import type { ComplianceModel, ModelHost, ModelHostFinding, ModelPatchEvent, ModelUnjudgedPackage } from './model-types.ts';
import { unjudgedAdvisories, unjudgedSection } from './model-unjudged.ts';
import type { HostEcosystem } from './ecosystem.ts';
import { buildAdvisoryIndex, type AdvisoryIndex } from './osv-index.ts';
import { createMatcher } from './osv-matcher.ts';
import type { OsvRecord } from './osv-types.ts';
import type { Policy } from './policy.ts';
import { buildPolicySet, slaPolicyAt } from './policy-versions.ts';
import { isoTime, periodBounds, periodMonths, type Period, type PeriodBounds } from './sla-time.ts';

export const MODEL_SCHEMA_ID = 'patchproof.compliance-model/v1';

export interface AdvisoryInput {
  /** sha256 of the snapshot file the records came from (recorded in inputs). */
  readonly snapshot_hash: string;
  readonly records: readonly OsvRecord[];
  /** A prebuilt index of the same records, to share across evaluations. */
  readonly index?: AdvisoryIndex;
}

export interface EvaluateProgress {
  readonly phase: 'index' | 'hosts' | 'metrics' | 'controls' | 'validate';
  readonly done: number;
  readonly total: number;
}

export interface EvaluateInputs {
  readonly evidence: EvidenceSnapshot;
  readonly policies: readonly Policy[];
  readonly advisories: AdvisoryInput | null;
  readonly period: Period;
  readonly organisation: string;
  readonly catalog?: readonly CatalogControl[];
  readonly onProgress?: (p: EvaluateProgress) => void;
  /** Skip the final schema validation (benchmarks measure it separately). Default false. */
  readonly skipValidation?: boolean;
}

const KNOWN_KEYS = new Set(['evidence', 'policies', 'advisories', 'period', 'organisation', 'catalog', 'onProgress', 'skipValidation']);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface HostsPass {
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
}

function auxOf(result: ReturnType<typeof judgeHostFully>, bounds: PeriodBounds): HostAux {
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

function judgeHosts(inputs: EvaluateInputs, ctx: FindingContext): HostsPass {
  const pass: HostsPass = { hosts: [], findings: [], hostFindings: [], events: [], days: [], aux: new Map(), frameworks: new Map(), unjudged: [], ecosystems: new Map() };
  const hosts = [...inputs.evidence.hosts].sort((a, b) => cmp(a.host.host_id, b.host.host_id));
  hosts.forEach((host, i) => {
    const r = judgeHostFully(host, ctx);
    pass.hosts.push(r.row);
    for (const f of r.findings) pass.findings.push(f);
    for (const f of r.hostFindings) pass.hostFindings.push(f);
    for (const e of patchEvents(host.host.host_id, r.reports, ctx.bounds)) pass.events.push(e);
    if (r.days) pass.days.push(r.days);
    pass.aux.set(host.host.host_id, auxOf(r, ctx.bounds));
    pass.frameworks.set(host.host.host_id, host.meta?.frameworks ?? []);
    for (const u of r.unjudged) pass.unjudged.push(u);
    if (r.eco) pass.ecosystems.set(JSON.stringify([r.eco.match, r.eco.matchPrefixes]), r.eco);
    if ((i + 1) % 50 === 0 || i + 1 === hosts.length) inputs.onProgress?.({ phase: 'hosts', done: i + 1, total: hosts.length });
  });
  pass.hosts.sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.host_id, b.host_id));
  pass.findings.sort((a, b) => cmp(a.row.host_id, b.row.host_id) || cmp(a.row.advisory_id, b.row.advisory_id) || cmp(a.row.exposed_since, b.row.exposed_since));
  pass.hostFindings.sort((a, b) => cmp(a.host_id, b.host_id) || cmp(a.kind, b.kind) || cmp(a.since ?? '', b.since ?? '') || cmp(a.id, b.id));
  sortPatchEvents(pass.events);
  return pass;
}

function checkOptions(inputs: EvaluateInputs): void {
  for (const key of Object.keys(inputs)) if (!KNOWN_KEYS.has(key)) throw cmpError('CMP_USAGE', `evaluate(): unknown option ${key}`);
  if (typeof inputs.organisation !== 'string' || inputs.organisation.trim() === '') throw cmpError('CMP_USAGE', 'evaluate(): organisation is required');
}

/** Judges the evidence for the period; throws CMP_* errors for unusable inputs. */
export function evaluate(inputs: EvaluateInputs): ComplianceModel {
  checkOptions(inputs);
  const bounds = periodBounds(inputs.period);
  const policySet = buildPolicySet(inputs.policies, bounds);
  const adv = inputs.advisories;
  const index = adv?.index ?? buildAdvisoryIndex(adv?.records ?? []);
  inputs.onProgress?.({ phase: 'index', done: index.entries, total: index.entries });
  const rules = buildExceptionRules(inputs.evidence.exceptions, bounds.asOfMs);
  const ctx: FindingContext = { policies: policySet, bounds, rules, matcher: createMatcher(index) };
  const pass = judgeHosts(inputs, ctx);
  const months = periodMonths(bounds);
  inputs.onProgress?.({ phase: 'metrics', done: 0, total: 1 });
  const policies = policyRows(policySet);
  const slaPolicy = slaPolicyAt(policySet, bounds.asOfMs - 1);
  const slaRow = policies.find((p) => p.id === slaPolicy.id && p.version === slaPolicy.version)!;
  const advisories = adv ? { snapshot_hash: adv.snapshot_hash, count: adv.records.length } : null;
  const findings = pass.findings.map((f) => f.row);
  const exceptions = exceptionRows(inputs.evidence, rules, pass.findings);
  const unjudged = unjudgedSection(unjudgedAdvisories(index.problems, [...pass.ecosystems.values()]), pass.unjudged);
  inputs.onProgress?.({ phase: 'controls', done: 0, total: 1 });
  const catalog = inputs.catalog ?? loadCatalog();
  const controls = evaluateControls(catalog, {
    hosts: pass.hosts, findings, hostFindings: pass.hostFindings, exceptions, aux: pass.aux, advisories,
    policies, slaPolicy: slaRow, asOfMs: bounds.asOfMs,
    // Every row (hosts in host_id order, each sorted): the section itself keeps at most MAX_UNJUDGED_ROWS.
    unjudged: { ...unjudged, installed_packages: pass.unjudged },
  }, pass.frameworks);
  const body: Omit<ComplianceModel, 'evidence_manifest'> = {
    schema: MODEL_SCHEMA_ID,
    organisation: inputs.organisation,
    simulated: inputs.evidence.simulated,
    period: { start: inputs.period.start, end: inputs.period.end, as_of: isoTime(bounds.asOfMs) },
    inputs: {
      repo_commit: inputs.evidence.repo_commit,
      policies: policies.map((p) => ({ id: p.id, version: p.version, file: p.file, sha256: p.sha256 })),
      advisories,
    },
    policies,
    keys: keyRows(inputs.evidence),
    hosts: pass.hosts,
    findings,
    host_findings: pass.hostFindings,
    patch_events: pass.events,
    exceptions,
    coverage: coverageByMonth(months, pass.days),
    metrics: computeMetrics(pass.findings, months, bounds),
    controls,
    unjudged,
    warnings: policyControlWarnings(policies, catalog),
    audit: auditRows(inputs.evidence, bounds),
  };
  const model: ComplianceModel = { ...body, evidence_manifest: evidenceManifest(inputs.evidence, citedPaths(body, inputs.evidence)) };
  if (!inputs.skipValidation) {
    inputs.onProgress?.({ phase: 'validate', done: 0, total: 1 });
    assertModel(model);
  }
  return model;
}

/** Throws CMP_MODEL_INVALID unless `value` matches compliance-model.schema.json. */
export function assertModel(value: unknown): ComplianceModel {
  const problem = checkCompliance('model', value);
  if (problem !== null) throw cmpError('CMP_MODEL_INVALID', `compliance model does not match its schema: ${problem}`, { data: { errors: problem } });
  return value as ComplianceModel;
}

/** The model as written to disk: canonical JSON (RFC 8785) and a newline. */
export function modelText(model: ComplianceModel): string {
  return `${canonicalModelJson(model)}\n`;
}
