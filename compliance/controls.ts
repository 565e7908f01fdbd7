// Controls: the catalog (our own ids and short titles per framework, compliance/controls/catalog.yaml)
// bound to evaluators. Each framework is judged over the hosts in its scope (hosts whose meta
// lists no frameworks belong to all), and a control takes the worst status of its evaluators.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { EVALUATORS, runEvaluator, type EvaluatorInput } from './controls-evaluators.ts';
import { cmpError } from './errors.ts';
import type { ControlStatus, ModelControl, ModelHost, ModelPolicy, ModelWarning } from './model-types.ts';
import type { Framework } from './policy.ts';

export interface CatalogControl {
  readonly framework: Framework;
  readonly id: string;
  readonly title: string;
  readonly evaluators: readonly string[];
}

export const FRAMEWORKS: readonly Framework[] = ['soc2', 'iso27001', 'pci-dss', 'hipaa'];
const CATALOG_URL = new URL('./controls/catalog.yaml', import.meta.url);

/** Parses and checks a catalog: known frameworks and evaluators, unique (framework, id). */
export function parseCatalog(text: string): CatalogControl[] {
  const data = parseYaml(text) as { schema?: unknown; controls?: unknown };
  if (data?.schema !== 'patchproof.controls/v1' || !Array.isArray(data.controls)) {
    throw cmpError('CMP_CONTROLS_INVALID', 'control catalog must have schema: patchproof.controls/v1 and a controls list');
  }
  const seen = new Set<string>();
  return data.controls.map((c: Partial<CatalogControl>, i: number) => {
    const where = `control #${i + 1} (${c?.framework}:${c?.id})`;
    if (!c || !FRAMEWORKS.includes(c.framework as Framework) || typeof c.id !== 'string' || typeof c.title !== 'string' || !Array.isArray(c.evaluators)) {
      throw cmpError('CMP_CONTROLS_INVALID', `${where} needs framework, id, title and evaluators`);
    }
    for (const e of c.evaluators) if (!(e in EVALUATORS)) throw cmpError('CMP_CONTROLS_INVALID', `${where}: unknown evaluator ${e}`);
    const key = `${c.framework}:${c.id}`;
    if (seen.has(key)) throw cmpError('CMP_CONTROLS_INVALID', `${where} is listed twice`);
    seen.add(key);
    return { framework: c.framework as Framework, id: c.id, title: c.title, evaluators: [...c.evaluators] };
  });
}

let defaultCatalog: CatalogControl[] | undefined;

export function loadCatalog(): CatalogControl[] {
  defaultCatalog ??= parseCatalog(readFileSync(CATALOG_URL, 'utf8'));
  return defaultCatalog;
}

const RANK: Record<ControlStatus, number> = { 'not-applicable': 0, effective: 1, partial: 2, deficient: 3 };

export function worstStatus(statuses: readonly ControlStatus[]): ControlStatus {
  let worst: ControlStatus = 'not-applicable';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

function inFramework(h: ModelHost, f: Framework, frameworks: ReadonlyMap<string, readonly string[]>): boolean {
  const list = frameworks.get(h.host_id) ?? [];
  return list.length === 0 || list.includes(f);
}

/** Narrows the evaluator input to one framework's hosts. */
function scoped(input: EvaluatorInput, f: Framework, frameworks: ReadonlyMap<string, readonly string[]>): EvaluatorInput {
  const hosts = input.hosts.filter((h) => inFramework(h, f, frameworks));
  if (hosts.length === input.hosts.length) return input;
  const ids = new Set(hosts.map((h) => h.host_id));
  const unjudged = { ...input.unjudged, installed_packages: input.unjudged.installed_packages.filter((x) => ids.has(x.host_id)) };
  return { ...input, hosts, findings: input.findings.filter((x) => ids.has(x.host_id)), hostFindings: input.hostFindings.filter((x) => ids.has(x.host_id)), unjudged };
}

/** Every catalog control judged; sorted by framework (catalog order) then id. */
export function evaluateControls(catalog: readonly CatalogControl[], input: EvaluatorInput, frameworks: ReadonlyMap<string, readonly string[]>): ModelControl[] {
  const out: ModelControl[] = [];
  for (const f of FRAMEWORKS) {
    const fi = scoped(input, f, frameworks);
    const cache = new Map<string, ReturnType<typeof runEvaluator>>();
    for (const c of catalog.filter((x) => x.framework === f).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      const results = c.evaluators.map((e) => {
        let r = cache.get(e);
        if (!r) cache.set(e, (r = runEvaluator(e, fi)));
        return r;
      });
      const status = worstStatus(results.map((r) => r.status));
      out.push({
        framework: f, id: c.id, title: c.title, status,
        explanation: results.map((r) => `${r.id}: ${r.status} — ${r.summary}`).join(' '),
        evaluators: results.map((r) => ({ id: r.id, status: r.status, summary: r.summary })),
        evidence: results.flatMap((r) => r.evidence),
      });
    }
  }
  return out;
}

/**
 * A policy's `controls:` entries that are not in the catalog: recorded in the model as warnings
 * (CMP_POLICY_CONTROL_UNKNOWN), since the policy then claims to evidence a control nothing judges.
 */
export function policyControlWarnings(policies: readonly ModelPolicy[], catalog: readonly CatalogControl[]): ModelWarning[] {
  const known = new Set(catalog.map((c) => `${c.framework}:${c.id}`));
  const out: ModelWarning[] = [];
  for (const p of policies) {
    for (const c of p.controls) {
      const ref = `${c.framework}:${c.id}`;
      if (known.has(ref)) continue;
      out.push({ code: 'CMP_POLICY_CONTROL_UNKNOWN', file: p.file, message: `${p.file} (${p.id} v${p.version}) lists control ${ref}, which is not in the control catalog: nothing judges it` });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
