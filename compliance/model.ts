// evaluate(): judges an evidence snapshot against policies and advisories for one audit period
// and returns the ComplianceModel, validated against its schema. Pure and deterministic: the
// same inputs give a byte-identical canonical JSON model; "now" is the period's end.
import { evaluateControls, loadCatalog, policyControlWarnings, type CatalogControl } from './controls.ts';
import { coverageByMonth } from './coverage.ts';
import { cmpError } from './errors.ts';
import type { EvidenceSnapshot } from './evidence-snapshot.ts';
import { computeMetrics } from './metrics.ts';
import { collectPass, judgeOneHost, prepareJudgement, type HostsPass, type Judgement } from './model-judge.ts';
import { canonicalModelJson, writeCanonicalJsonFile } from './model-json.ts';
import { checkCompliance } from './model-schema.ts';
import { auditRows, citedPaths, evidenceManifest, exceptionRows, keyRows, policyRows } from './model-sections.ts';
import type { ComplianceModel } from './model-types.ts';
import { unjudgedAdvisories, unjudgedSection } from './model-unjudged.ts';
import type { AdvisoryIndex } from './osv-index.ts';
import type { OsvRecord } from './osv-types.ts';
import type { Policy } from './policy.ts';
import { slaPolicyAt } from './policy-versions.ts';
import { isoTime, periodMonths, type Period } from './sla-time.ts';

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

function checkOptions(inputs: EvaluateInputs): void {
  for (const key of Object.keys(inputs)) if (!KNOWN_KEYS.has(key)) throw cmpError('CMP_USAGE', `evaluate(): unknown option ${key}`);
  if (typeof inputs.organisation !== 'string' || inputs.organisation.trim() === '') throw cmpError('CMP_USAGE', 'evaluate(): organisation is required');
}

/** Judges the evidence for the period; throws CMP_* errors for unusable inputs. */
export function evaluate(inputs: EvaluateInputs): ComplianceModel {
  checkOptions(inputs);
  const adv = inputs.advisories;
  const j = prepareJudgement({ policies: inputs.policies, records: adv?.records ?? [], ...(adv?.index ? { index: adv.index } : {}), period: inputs.period, exceptions: inputs.evidence.exceptions });
  inputs.onProgress?.({ phase: 'index', done: j.index.entries, total: j.index.entries });
  const hosts = [...inputs.evidence.hosts].sort((a, b) => (a.host.host_id < b.host.host_id ? -1 : a.host.host_id > b.host.host_id ? 1 : 0));
  const judged = hosts.map((host, i) => {
    const r = judgeOneHost(host, j);
    if ((i + 1) % 50 === 0 || i + 1 === hosts.length) inputs.onProgress?.({ phase: 'hosts', done: i + 1, total: hosts.length });
    return r;
  });
  return assembleModel(inputs, j, collectPass(judged));
}

/**
 * The model from judged hosts: metrics, exceptions, controls, coverage, audit and the evidence
 * manifest. `inputs.evidence` needs every host's files and the exceptions, keys and audit, not
 * the hosts' reports (the pass carries the sha256 of every report it cites).
 */
export function assembleModel(inputs: EvaluateInputs, j: Judgement, pass: HostsPass): ComplianceModel {
  checkOptions(inputs);
  const { bounds, policySet, index, rules } = j;
  const adv = inputs.advisories;
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
  const model: ComplianceModel = { ...body, evidence_manifest: evidenceManifest(inputs.evidence, citedPaths(body, inputs.evidence), pass.citedReports) };
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

/** Writes modelText(model) to `file`, piece by piece and atomically (see writeCanonicalJsonFile). */
export function writeModel(file: string, model: ComplianceModel): void {
  writeCanonicalJsonFile(file, model as unknown as Record<string, unknown>);
}
