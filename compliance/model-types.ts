// TypeScript shape of patchproof.compliance-model/v1. The schema file is the contract; evaluate()
// validates every model it returns against it, so these types cannot drift unnoticed.
import type { Framework, SeverityClassId } from './policy.ts';

export type FindingStatus = 'open-within-sla' | 'open-overdue' | 'fixed-in-sla' | 'fixed-late' | 'excepted' | 'exception-expired' | 'unfixed-upstream';
export type HostStatus = 'ok' | 'findings-overdue' | 'stale' | 'decommissioned' | 'out-of-scope';
export type ControlStatus = 'effective' | 'partial' | 'deficient' | 'not-applicable';
export type HostFindingKind = 'stale-host' | 'missing-owner' | 'missing-classification' | 'reboot-debt' | 'chain-gap' | 'coverage-gap' | 'decommissioned-reporting';
export type ExceptionStatus = 'active' | 'expired' | 'unapproved' | 'self-approved';

export interface EvidenceRef {
  path: string;
  commit: string | null;
  role?: string;
}

export interface ModelPolicy {
  id: string; title: string; version: string; owner: string; approved_by: string; approved_at: string;
  effective: string; review_by: string; supersedes: string | null; scope: string; file: string; sha256: string;
  in_force: { from: string | null; to: string | null };
  severity_classes: { id: SeverityClassId; label: string; sla_hours: number; definition: string; vendor_labels: string[]; cvss_min: number | null; cvss_max: number | null }[];
  unrated_class: SeverityClassId | null;
  clock_start: 'fix-published' | 'first-detected' | null;
  kernel_requires_reboot: boolean;
  stale_after_hours: number | null;
  evidence_cadence_hours: number | null;
  unfixed_policy: 'report-only' | 'clock-from-detection' | null;
  controls: { framework: Framework; id: string }[];
}

export interface ModelHost {
  host_id: string; hostname: string;
  os: { id: string; version_id: string | null; pretty_name: string | null };
  ecosystem: string | null; group: string; enrolled_at: string;
  meta: { owner: string | null; purpose: string | null; classification: 'restricted' | 'confidential' | 'internal' | 'public' | null; environment: string | null; in_scope: boolean; decommissioned_at: string | null };
  first_report_at: string | null; last_report_at: string | null; report_count: number; package_count: number;
  kernel: { running: string | null; installed_latest: string | null; reboot_required: boolean; reboot_reason: string | null };
  pending_count: number; pending_security_count: number; coverage_pct: number | null;
  status: HostStatus; open_findings: number; overdue_findings: number; latest_report: EvidenceRef | null;
  /** Added within v1: packages of the latest inventory whose version does not parse (not judged). */
  unjudged_packages?: number;
  /** Added within v1: the latest report's pending updates (at most 200, security first), with the open findings they would fix. */
  pending?: ModelPendingUpdate[];
}

export interface ModelPendingUpdate {
  name: string; arch: string; installed: string | null; candidate: string; security: boolean;
  advisories: string[]; severity: string | null;
  /** Open findings on this package (or naming one of its advisories), earliest due first. */
  findings: { id: string; advisory_id: string; due_at: string | null; status: FindingStatus }[];
}

export interface ModelFinding {
  id: string; host_id: string; advisory_id: string; aliases: string[];
  package: string; packages: string[]; source: string; installed_version: string; fixed_version: string | null; kernel: boolean;
  severity: { class: SeverityClassId; label: string | null; source: 'vendor' | 'cvss' | 'agent' | 'none'; score: number | null };
  exposed_since: string; fix_published_at: string | null;
  /** Added within v1: evaluate() always writes it; models written before it lack it. */
  fix_published_source?: string | null;
  detected_at: string | null; clock_started_at: string | null;
  due_at: string | null; remediated_at: string | null; status: FindingStatus; exception_id: string | null;
  policy_id: string; policy_version: string; age_days: number; evidence: EvidenceRef[];
}

export interface ModelHostFinding {
  id: string; kind: HostFindingKind; host_id: string; since: string | null; detail: string; evidence: EvidenceRef[];
  /** Added within v1, stale-host only: when the host stopped being stale; null while stale at as_of. */
  until?: string | null;
}

export interface ModelPatchEvent {
  host_id: string; name: string; arch: string; action: 'install' | 'upgrade' | 'downgrade' | 'remove';
  from: string | null; to: string | null; when: string; when_source: 'log' | 'interval';
  by: string | null; command: string | null; report_path: string; commit: string | null;
}

/** An advisory affected entry left out: a version in it does not parse in its ecosystem's order. */
export interface ModelUnjudgedAdvisory {
  code: 'CMP_ADVISORY_VERSION_UNPARSED'; advisory_id: string; ecosystem: string; package: string; reason: string;
}

/** An installed package whose version does not parse: no advisory could be compared with it. */
export interface ModelUnjudgedPackage {
  code: 'CMP_INSTALLED_VERSION_UNPARSED'; host_id: string; package: string; arch: string; version: string; reason: string;
  first_seen: string; until: string | null; evidence: EvidenceRef[];
}

export interface ModelUnjudged {
  advisory_entry_count: number; installed_package_count: number; host_count: number;
  advisory_entries: ModelUnjudgedAdvisory[]; installed_packages: ModelUnjudgedPackage[];
}

export interface ModelException {
  id: string; title: string; advisories: string[]; packages: string[]; hosts: string[]; reason: string;
  risk_assessment: { likelihood: 'low' | 'medium' | 'high'; impact: 'low' | 'medium' | 'high'; summary: string };
  compensating_controls: string[]; planned_remediation: string; expires: string; requested_by: string;
  approver: string | null; approved_at: string | null; ticket: string | null; status: ExceptionStatus; file: string;
  history: { commit: string; time: string; author: string; message: string }[];
  findings_matched: string[]; findings_excused: string[];
}

export interface ModelCoverageMonth {
  month: string; hosts_in_scope: number; hosts_reporting: number; hosts_fully_covered: number;
  host_days_expected: number; host_days_reported: number; coverage_pct: number | null;
}

export interface MetricRow {
  class: SeverityClassId | 'all'; total: number; with_clock: number; fixed_in_sla: number; fixed_late: number;
  open_within_sla: number; open_overdue: number; excepted: number; exception_expired: number; unfixed_upstream: number;
  adherence_pct: number | null; mttr_hours_mean: number | null; mttr_hours_p90: number | null; oldest_open_days: number | null;
}

export interface ModelMetrics {
  by_severity: MetricRow[];
  overall: MetricRow;
  adherence_over_time: { month: string; with_clock: number; in_sla: number; adherence_pct: number | null }[];
  ttr_histogram: { bucket: string; count: number }[];
  open_by_age: { bucket: string; count: number }[];
}

export interface ControlEvidence {
  kind: string; summary: string; host_id?: string; finding_id?: string; path?: string; commit?: string;
  /** Added within v1: the sha256 of the exact input cited (a policy file, the advisory snapshot). */
  sha256?: string;
}

/** Something the judgement noticed about its inputs that does not stop it (coded, with the file concerned). */
export interface ModelWarning {
  code: 'CMP_POLICY_CONTROL_UNKNOWN'; file: string; message: string;
}

export interface ModelControl {
  framework: Framework; id: string; title: string; status: ControlStatus; explanation: string;
  evaluators: { id: string; status: ControlStatus; summary: string }[];
  evidence: ControlEvidence[];
}

export interface ModelAuditEntry {
  seq: number; time: string; actor: string; action: string; target: string | null; outcome: 'success' | 'refused'; code: string | null;
}

export interface ComplianceModel {
  schema: 'patchproof.compliance-model/v1';
  organisation: string;
  simulated: boolean;
  period: { start: string; end: string; as_of: string };
  inputs: {
    repo_commit: string | null;
    policies: { id: string; version: string; file: string; sha256: string }[];
    advisories: { snapshot_hash: string; count: number } | null;
  };
  policies: ModelPolicy[];
  keys: { fingerprint: string; collector_id: string; valid_from: string; valid_until: string | null; revoked: boolean }[];
  hosts: ModelHost[];
  findings: ModelFinding[];
  host_findings: ModelHostFinding[];
  patch_events: ModelPatchEvent[];
  exceptions: ModelException[];
  coverage: ModelCoverageMonth[];
  metrics: ModelMetrics;
  controls: ModelControl[];
  /** Added within v1: what could not be judged (evaluate() always writes it). */
  unjudged?: ModelUnjudged;
  /** Added within v1: coded warnings about the inputs, sorted by file, message (evaluate() always writes it). */
  warnings?: ModelWarning[];
  audit: ModelAuditEntry[];
  evidence_manifest: { path: string; sha256: string }[];
}
