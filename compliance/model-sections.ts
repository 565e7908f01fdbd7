// The model's simpler sections, rendered from evidence and the judged findings: policies,
// keys, patch events, exceptions, audit entries and the manifest of cited files. Each is sorted.
import type { EvidenceSnapshot, SnapshotReport } from './evidence-snapshot.ts';
import type { ExceptionRule } from './exceptions.ts';
import type { JudgedFinding } from './findings.ts';
import type { ComplianceModel, EvidenceRef, ModelException, ModelPatchEvent, ModelPolicy } from './model-types.ts';
import type { PolicySet } from './policy-versions.ts';
import { isoTime, type PeriodBounds } from './sla-time.ts';

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function policyRows(set: PolicySet): ModelPolicy[] {
  return set.all.map(({ policy: p, in_force }) => ({
    id: p.id, title: p.title, version: p.version, owner: p.owner, approved_by: p.approved_by, approved_at: p.approved_at,
    effective: p.effective, review_by: p.review_by, supersedes: p.supersedes, scope: p.scope, file: p.file, sha256: p.sha256,
    in_force: { ...in_force },
    severity_classes: p.severity_classes.map((c) => ({
      id: c.id, label: c.label, sla_hours: c.sla_hours, definition: c.definition, vendor_labels: [...c.vendor_labels],
      cvss_min: c.cvss?.min ?? null, cvss_max: c.cvss?.max ?? null,
    })),
    unrated_class: p.unrated_class, clock_start: p.clock_start, kernel_requires_reboot: p.kernel_requires_reboot,
    stale_after_hours: p.stale_after_hours, evidence_cadence_hours: p.evidence_cadence_hours, unfixed_policy: p.unfixed_policy,
    controls: p.controls.map((c) => ({ ...c })),
  }));
}

export function keyRows(evidence: EvidenceSnapshot): ComplianceModel['keys'] {
  return evidence.keys
    .map((k) => ({ fingerprint: k.fingerprint, collector_id: k.collector_id, valid_from: isoTime(Date.parse(k.valid_from)), valid_until: k.valid_until ? isoTime(Date.parse(k.valid_until)) : null, revoked: k.revoked ?? false }))
    .sort((a, b) => cmp(a.valid_from, b.valid_from) || cmp(a.fingerprint, b.fingerprint));
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

/** A timestamp in the model's form (UTC, Z, no zero milliseconds); fast for the common case. */
export function normTime(text: string, ms?: number): string {
  if (CANONICAL_TIME.test(text)) return text.endsWith('.000Z') ? `${text.slice(0, 19)}Z` : text;
  return isoTime(ms ?? Date.parse(text));
}

/** Package changes whose `when` falls in the period, from reports received before as_of. */
export function patchEvents(hostId: string, reports: readonly SnapshotReport[], bounds: PeriodBounds): ModelPatchEvent[] {
  const out: ModelPatchEvent[] = [];
  for (const r of reports) {
    for (const c of r.envelope.changes) {
      const when = Date.parse(c.when);
      if (when < bounds.startMs || when >= bounds.asOfMs) continue;
      out.push({
        host_id: hostId, name: c.name, arch: c.arch, action: c.action, from: c.from, to: c.to, when: normTime(c.when, when),
        when_source: c.when_source, by: c.by ?? null, command: c.command ?? null, report_path: r.path, commit: r.commit,
      });
    }
  }
  return out;
}

export function sortPatchEvents(events: ModelPatchEvent[]): ModelPatchEvent[] {
  return events.sort((a, b) => cmp(a.host_id, b.host_id) || cmp(a.when, b.when) || cmp(a.name, b.name) || cmp(a.arch, b.arch) || cmp(a.action, b.action) || cmp(a.report_path, b.report_path));
}

export function exceptionRows(evidence: EvidenceSnapshot, rules: readonly ExceptionRule[], findings: readonly JudgedFinding[]): ModelException[] {
  const matched = new Map<string, string[]>();
  const excused = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, id: string): void => {
    const list = map.get(key);
    if (list) list.push(id);
    else map.set(key, [id]);
  };
  for (const f of findings) {
    for (const r of f.rules) add(matched, r.id, f.row.id);
    if (f.row.status === 'excepted' && f.row.exception_id) add(excused, f.row.exception_id, f.row.id);
  }
  const byId = new Map(evidence.exceptions.map((x) => [x.record.id, x]));
  return rules.map((rule) => {
    const x = byId.get(rule.id)!;
    const e = x.record;
    return {
      id: e.id, title: e.title, advisories: [...(e.advisories ?? [])], packages: [...(e.packages ?? [])], hosts: [...e.hosts],
      reason: e.reason, risk_assessment: { ...e.risk_assessment }, compensating_controls: [...e.compensating_controls],
      planned_remediation: e.planned_remediation, expires: e.expires, requested_by: e.requested_by,
      approver: e.approver, approved_at: e.approved_at, ticket: e.ticket ?? null, status: rule.status, file: x.path,
      history: x.history.map((h) => ({ ...h, time: isoTime(Date.parse(h.time)) })),
      findings_matched: (matched.get(rule.id) ?? []).sort(),
      findings_excused: (excused.get(rule.id) ?? []).sort(),
    };
  });
}

/**
 * An audit actor as `type:id`. Entries written before the collector stopped putting `cli:` into
 * CLI actor ids carry the type in the id too (`cli:cli:dana.kim`); the type is shown once.
 */
export function actorLabel(actor: { readonly type: string; readonly id: string }): string {
  const prefix = `${actor.type}:`;
  return actor.id.startsWith(prefix) && actor.id.length > prefix.length ? actor.id : `${prefix}${actor.id}`;
}

export function auditRows(evidence: EvidenceSnapshot, bounds: PeriodBounds): ComplianceModel['audit'] {
  return evidence.audit
    .filter((a) => {
      const t = Date.parse(a.time);
      return t >= bounds.startMs && t < bounds.asOfMs;
    })
    .map((a) => ({
      seq: a.seq, time: isoTime(Date.parse(a.time)), actor: actorLabel(a.actor), action: a.action,
      target: a.target ? `${a.target.type}:${a.target.id}` : null, outcome: a.outcome, code: a.code ?? null,
    }))
    .sort((a, b) => a.seq - b.seq);
}

/** Every file the model cites, with its sha256; `reports` has the cited reports'; paths unknown to either are left out. */
export function evidenceManifest(evidence: EvidenceSnapshot, cited: Iterable<string>, reports: ReadonlyMap<string, string>): ComplianceModel['evidence_manifest'] {
  const known = new Map<string, string>(reports);
  for (const h of evidence.hosts) {
    known.set(h.host_file.path, h.host_file.sha256);
    if (h.meta_file) known.set(h.meta_file.path, h.meta_file.sha256);
  }
  for (const x of evidence.exceptions) known.set(x.path, x.sha256);
  return [...new Set(cited)].filter((p) => known.has(p)).sort().map((path) => ({ path, sha256: known.get(path)! }));
}

/** Paths cited anywhere in the model (evidence refs, latest reports, exceptions, host files, unjudged packages). */
export function citedPaths(model: Omit<ComplianceModel, 'evidence_manifest'>, evidence: EvidenceSnapshot): Set<string> {
  const out = new Set<string>();
  const add = (refs: readonly EvidenceRef[]): void => refs.forEach((r) => out.add(r.path));
  for (const h of evidence.hosts) {
    out.add(h.host_file.path);
    if (h.meta_file) out.add(h.meta_file.path);
  }
  for (const h of model.hosts) if (h.latest_report) out.add(h.latest_report.path);
  for (const f of model.findings) add(f.evidence);
  for (const f of model.host_findings) add(f.evidence);
  for (const e of model.exceptions) out.add(e.file);
  for (const p of model.patch_events) out.add(p.report_path);
  for (const u of model.unjudged?.installed_packages ?? []) add(u.evidence);
  return out;
}
