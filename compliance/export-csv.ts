// CSV exports of a ComplianceModel for auditors' spreadsheets: fixed columns, the model's sort
// order, empty cells for null, lists joined with "; ", LF line endings, and cells that a
// spreadsheet would run as a formula (= + - @) prefixed with an apostrophe.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { ComplianceModel, ModelUnjudgedAdvisory, ModelUnjudgedPackage } from './model-types.ts';

type UnjudgedRow = ModelUnjudgedAdvisory | ModelUnjudgedPackage;

type Cell = string | number | boolean | null | undefined | readonly string[];

interface CsvTable<T> {
  readonly columns: readonly string[];
  readonly rows: (model: ComplianceModel) => readonly T[];
  readonly cells: (row: T) => readonly Cell[];
}

function table<T>(t: CsvTable<T>): CsvTable<unknown> {
  return t as CsvTable<unknown>;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return csvCell(value.join('; '));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = value as string;
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export const CSV_TABLES: Readonly<Record<string, CsvTable<unknown>>> = {
  'hosts.csv': table({
    columns: ['host_id', 'hostname', 'os', 'os_version', 'ecosystem', 'group', 'owner', 'purpose', 'classification', 'environment', 'in_scope', 'decommissioned_at', 'enrolled_at', 'first_report_at', 'last_report_at', 'report_count', 'package_count', 'kernel_running', 'kernel_installed_latest', 'reboot_required', 'pending_updates', 'pending_security_updates', 'coverage_pct', 'status', 'open_findings', 'overdue_findings', 'latest_report', 'unjudged_packages'],
    rows: (m) => m.hosts,
    cells: (h: ComplianceModel['hosts'][number]) => [h.host_id, h.hostname, h.os.id, h.os.version_id, h.ecosystem, h.group, h.meta.owner, h.meta.purpose, h.meta.classification, h.meta.environment, h.meta.in_scope, h.meta.decommissioned_at, h.enrolled_at, h.first_report_at, h.last_report_at, h.report_count, h.package_count, h.kernel.running, h.kernel.installed_latest, h.kernel.reboot_required, h.pending_count, h.pending_security_count, h.coverage_pct, h.status, h.open_findings, h.overdue_findings, h.latest_report?.path, h.unjudged_packages],
  }),
  'patch-events.csv': table({
    columns: ['host_id', 'when', 'when_source', 'name', 'arch', 'action', 'from', 'to', 'by', 'command', 'report_path', 'commit'],
    rows: (m) => m.patch_events,
    cells: (e: ComplianceModel['patch_events'][number]) => [e.host_id, e.when, e.when_source, e.name, e.arch, e.action, e.from, e.to, e.by, e.command, e.report_path, e.commit],
  }),
  'findings.csv': table({
    columns: ['finding_id', 'host_id', 'advisory_id', 'aliases', 'package', 'packages', 'source', 'installed_version', 'fixed_version', 'kernel', 'severity_class', 'severity_label', 'severity_source', 'cvss_score', 'exposed_since', 'fix_published_at', 'fix_published_source', 'detected_at', 'clock_started_at', 'due_at', 'remediated_at', 'status', 'exception_id', 'policy_id', 'policy_version', 'age_days', 'evidence'],
    rows: (m) => m.findings,
    cells: (f: ComplianceModel['findings'][number]) => [f.id, f.host_id, f.advisory_id, f.aliases, f.package, f.packages, f.source, f.installed_version, f.fixed_version, f.kernel, f.severity.class, f.severity.label, f.severity.source, f.severity.score, f.exposed_since, f.fix_published_at, f.fix_published_source ?? null, f.detected_at, f.clock_started_at, f.due_at, f.remediated_at, f.status, f.exception_id, f.policy_id, f.policy_version, f.age_days, f.evidence.map((e) => `${e.role ?? 'file'}=${e.path}${e.commit ? `@${e.commit}` : ''}`)],
  }),
  'exceptions.csv': table({
    columns: ['exception_id', 'title', 'status', 'advisories', 'packages', 'hosts', 'reason', 'likelihood', 'impact', 'risk_summary', 'compensating_controls', 'planned_remediation', 'expires', 'requested_by', 'approver', 'approved_at', 'ticket', 'findings_matched', 'findings_excused', 'file', 'last_commit'],
    rows: (m) => m.exceptions,
    cells: (e: ComplianceModel['exceptions'][number]) => [e.id, e.title, e.status, e.advisories, e.packages, e.hosts, e.reason, e.risk_assessment.likelihood, e.risk_assessment.impact, e.risk_assessment.summary, e.compensating_controls, e.planned_remediation, e.expires, e.requested_by, e.approver, e.approved_at, e.ticket, e.findings_matched.length, e.findings_excused.length, e.file, e.history[e.history.length - 1]?.commit],
  }),
  'unjudged.csv': table({
    columns: ['code', 'host_id', 'advisory_id', 'ecosystem', 'package', 'arch', 'version', 'reason', 'first_seen', 'until', 'evidence'],
    rows: (m) => [...(m.unjudged?.advisory_entries ?? []), ...(m.unjudged?.installed_packages ?? [])],
    cells: (u: UnjudgedRow) => u.code === 'CMP_ADVISORY_VERSION_UNPARSED'
      ? [u.code, null, u.advisory_id, u.ecosystem, u.package, null, null, u.reason, null, null, null]
      : [u.code, u.host_id, null, null, u.package, u.arch, u.version, u.reason, u.first_seen, u.until, u.evidence.map((e) => `${e.role ?? 'file'}=${e.path}${e.commit ? `@${e.commit}` : ''}`)],
  }),
  'coverage.csv': table({
    columns: ['month', 'hosts_in_scope', 'hosts_reporting', 'hosts_fully_covered', 'host_days_expected', 'host_days_reported', 'coverage_pct'],
    rows: (m) => m.coverage,
    cells: (c: ComplianceModel['coverage'][number]) => [c.month, c.hosts_in_scope, c.hosts_reporting, c.hosts_fully_covered, c.host_days_expected, c.host_days_reported, c.coverage_pct],
  }),
};

/** File name → CSV text for every export, in a fixed order. */
export function renderCsvExports(model: ComplianceModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, t] of Object.entries(CSV_TABLES)) {
    const records = t.rows(model).map((row) => t.cells(row).map(csvCell));
    out[name] = stringify([[...t.columns], ...records], { record_delimiter: 'unix', quoted_match: /^\s|\s$/ });
  }
  return out;
}

/** Writes the exports into `dir` (created when missing); returns the paths written, sorted. */
export function writeCsvExports(model: ComplianceModel, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderCsvExports(model);
  return Object.keys(files).sort().map((name) => {
    const file = path.join(dir, name);
    writeFileSync(file, files[name] as string);
    return file;
  });
}
