// The model indexed for rendering: per-host rows, lookups by id and page slugs, built once so a
// thousand host pages each cost a map lookup rather than a scan of every finding and event.
import { siteError } from './errors.ts';
import { exceptionChanges, type ExceptionChange } from './exception-history.ts';
import type {
  ComplianceModel,
  Control,
  ExceptionInfo,
  Finding,
  Framework,
  Host,
  HostFinding,
  InputWarning,
  PatchEvent,
  Policy,
} from './model-types.ts';

export const FRAMEWORKS: readonly { id: Framework; name: string }[] = [
  { id: 'soc2', name: 'SOC 2' },
  { id: 'iso27001', name: 'ISO/IEC 27001:2022' },
  { id: 'pci-dss', name: 'PCI DSS 4.0.1' },
  { id: 'hipaa', name: 'HIPAA Security Rule' },
];

export interface SiteData {
  model: ComplianceModel;
  hostsById: Map<string, Host>;
  findingsById: Map<string, Finding>;
  findingsByHost: Map<string, Finding[]>;
  hostFindingsByHost: Map<string, HostFinding[]>;
  eventsByHost: Map<string, PatchEvent[]>;
  exceptionsById: Map<string, ExceptionInfo>;
  exceptionsByHost: Map<string, ExceptionInfo[]>;
  /** Each exception's file history, every commit with the audit entries committed with it. */
  exceptionChanges: Map<string, ExceptionChange[]>;
  controlsByFramework: Map<Framework, Control[]>;
  controlSlugs: Map<Control, string>;
  policySlugs: Map<Policy, string>;
  /** Each policy version by its file (relative to the policies folder, as the model names it). */
  policiesByFile: Map<string, Policy>;
  /** The model's input warnings about each policy version's file, in the model's order. */
  warningsByPolicy: Map<Policy, InputWarning[]>;
  evidencePaths: Set<string>;
}

/** Lower-case, dash-separated, safe in a URL path segment: "164.308(a)(1)(ii)(A)" → "164-308-a-1-ii-a". */
export function slug(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'item';
}

function group<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

function uniqueSlugs<T>(items: readonly T[], slugOf: (item: T) => string, what: string): Map<T, string> {
  const out = new Map<T, string>();
  const seen = new Set<string>();
  for (const item of items) {
    const s = slugOf(item);
    if (seen.has(s)) throw siteError('SITE_SLUG_COLLISION', `two ${what} map to the page address "${s}"`, { data: { slug: s } });
    seen.add(s);
    out.set(item, s);
  }
  return out;
}

function exceptionsByHost(model: ComplianceModel, findingsById: Map<string, Finding>, hostsById: Map<string, Host>): Map<string, ExceptionInfo[]> {
  const out = new Map<string, Set<ExceptionInfo>>();
  const add = (hostId: string, e: ExceptionInfo) => {
    const set = out.get(hostId) ?? new Set<ExceptionInfo>();
    set.add(e);
    out.set(hostId, set);
  };
  for (const e of model.exceptions) {
    for (const h of e.hosts) {
      if (hostsById.has(h)) add(h, e);
      else if (h === '*') for (const id of hostsById.keys()) add(id, e);
      else if (h.startsWith('group:')) for (const host of hostsById.values()) if (host.group === h.slice(6)) add(host.host_id, e);
    }
    for (const fid of [...e.findings_matched, ...e.findings_excused]) {
      const f = findingsById.get(fid);
      if (f) add(f.host_id, e);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort((a, b) => a.id.localeCompare(b.id))]));
}

function changesById(model: ComplianceModel): Map<string, ExceptionChange[]> {
  const byTarget = group(model.audit.filter((a) => a.target?.startsWith('exception:')), (a) => a.target as string);
  return new Map(model.exceptions.map((e) => [e.id, exceptionChanges(e, byTarget.get(`exception:${e.id}`) ?? [], model.period.start)]));
}

export function indexModel(model: ComplianceModel): SiteData {
  const policiesByFile = new Map(model.policies.map((p) => [p.file, p]));
  const warningsByPolicy = new Map<Policy, InputWarning[]>();
  for (const [file, list] of group(model.warnings ?? [], (w) => w.file)) {
    const p = policiesByFile.get(file);
    if (p) warningsByPolicy.set(p, list);
  }
  const hostsById = new Map(model.hosts.map((h) => [h.host_id, h]));
  const findingsById = new Map(model.findings.map((f) => [f.id, f]));
  const controlsByFramework = new Map<Framework, Control[]>(FRAMEWORKS.map((f) => [f.id, model.controls.filter((c) => c.framework === f.id)]));
  const controlSlugs = new Map<Control, string>();
  for (const list of controlsByFramework.values()) for (const [c, s] of uniqueSlugs(list, (c) => slug(c.id), 'controls')) controlSlugs.set(c, s);
  return {
    model,
    hostsById,
    findingsById,
    findingsByHost: group(model.findings, (f) => f.host_id),
    hostFindingsByHost: group(model.host_findings, (f) => f.host_id),
    eventsByHost: group(model.patch_events, (e) => e.host_id),
    exceptionsById: new Map(model.exceptions.map((e) => [e.id, e])),
    exceptionsByHost: exceptionsByHost(model, findingsById, hostsById),
    exceptionChanges: changesById(model),
    controlsByFramework,
    controlSlugs,
    policySlugs: uniqueSlugs(model.policies, (p) => `${slug(p.id)}/${slug(p.version)}`, 'policy versions'),
    policiesByFile,
    warningsByPolicy,
    evidencePaths: new Set(model.evidence_manifest.map((e) => e.path)),
  };
}
