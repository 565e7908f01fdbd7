// Severity of an advisory for one affected package: the vendor's own rating where there is one
// (Ubuntu priority, Red Hat-style summary prefix, agent-reported dnf/zypper), else the CVSS base
// score; then mapped onto a policy's severity classes.

import { cmpError } from './errors.ts';
import { cvssBaseScore, type CvssType } from './osv-cvss.ts';
import type { OsvAffected, OsvRecord, OsvSeverity } from './osv-types.ts';

export interface Severity {
  readonly source: 'vendor' | 'cvss' | 'none';
  /** Lower-case vendor label ("high", "important"), CVSS rating ("critical"…"none"), or "unknown". */
  readonly label: string;
  /** CVSS base score, when a vector is given (also alongside a vendor label, for information). */
  readonly score?: number;
  /** Where the rating came from, e.g. "ubuntu_priority", "summary", "agent", "CVSS:3.1". */
  readonly from: string;
}

export interface SeverityClass {
  readonly id: string;
  /** Vendor labels this class covers, compared case-insensitively. */
  readonly vendor_labels?: readonly string[];
  /** Inclusive CVSS base-score range this class covers. */
  readonly cvss?: { readonly min: number; readonly max: number };
}

const UBUNTU_PRIORITIES = new Set(['negligible', 'low', 'medium', 'high', 'critical']);
const REDHAT_LABELS = new Set(['critical', 'important', 'moderate', 'low']);
const SUMMARY_PREFIX = /^(Critical|Important|Moderate|Low):\s/;

function maxCvss(severities: readonly OsvSeverity[]): { score: number; from: string } | undefined {
  let best: { score: number; from: string } | undefined;
  for (const s of severities) {
    if (s.type === 'Ubuntu') continue;
    const scored = cvssBaseScore(s.type as CvssType, s.score);
    if (scored && (best === undefined || scored.score > best.score)) best = { score: scored.score, from: `CVSS:${scored.version}` };
  }
  return best;
}

/** CVSS v3/v4 qualitative rating of a base score. */
export function cvssRating(score: number): string {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

function ubuntuPriority(record: OsvRecord, affected: OsvAffected | undefined, severities: readonly OsvSeverity[]): { label: string; from: string } | undefined {
  const typed = severities.find((s) => s.type === 'Ubuntu' && UBUNTU_PRIORITIES.has(s.score.toLowerCase()));
  if (typed) return { label: typed.score.toLowerCase(), from: 'severity:Ubuntu' };
  // Schema 1.6.x records keep the priority in affected[].ecosystem_specific.ubuntu_priority.
  const places: Array<[Record<string, unknown> | undefined, string]> = [
    [affected?.ecosystem_specific, 'ecosystem_specific.ubuntu_priority'],
    [affected?.database_specific, 'database_specific.ubuntu_priority'],
    [record.database_specific, 'database_specific.ubuntu_priority'],
  ];
  for (const [obj, from] of places) {
    const value = obj?.['ubuntu_priority'];
    if (typeof value === 'string' && UBUNTU_PRIORITIES.has(value.toLowerCase())) return { label: value.toLowerCase(), from };
  }
  return undefined;
}

export interface SeverityInput {
  readonly record: OsvRecord;
  /** The affected entry that matched; its ecosystem_specific/severity override the record's. */
  readonly affected?: OsvAffected;
  /** Severity the host's package manager reported for this advisory (dnf updateinfo, zypper). */
  readonly reported?: string;
}

/** Normalises the severity of one advisory (for one affected entry) to {source, label, score?}. */
export function advisorySeverity({ record, affected, reported }: SeverityInput): Severity {
  const severities = affected?.severity ?? record.severity ?? [];
  const cvss = maxCvss(severities);
  const withScore = cvss === undefined ? {} : { score: cvss.score };
  const ubuntu = ubuntuPriority(record, affected, severities);
  if (ubuntu) return { source: 'vendor', label: ubuntu.label, ...withScore, from: ubuntu.from };
  const prefix = SUMMARY_PREFIX.exec(record.summary ?? '');
  if (prefix) return { source: 'vendor', label: prefix[1]!.toLowerCase(), ...withScore, from: 'summary' };
  const agent = reported?.trim().toLowerCase();
  if (agent !== undefined && (REDHAT_LABELS.has(agent) || UBUNTU_PRIORITIES.has(agent))) {
    return { source: 'vendor', label: agent, ...withScore, from: 'agent' };
  }
  if (cvss) return { source: 'cvss', label: cvssRating(cvss.score), score: cvss.score, from: cvss.from };
  return { source: 'none', label: 'unknown', from: 'none' };
}

/** Checks a policy's class definitions once, before they are used for many findings. */
export function checkSeverityClasses(classes: readonly SeverityClass[]): void {
  for (const c of classes) {
    const hasLabels = (c.vendor_labels?.length ?? 0) > 0;
    const range = c.cvss;
    const rangeOk = range === undefined || (Number.isFinite(range.min) && Number.isFinite(range.max) && range.min <= range.max);
    if (typeof c.id !== 'string' || c.id === '' || !rangeOk || (!hasLabels && range === undefined)) {
      throw cmpError('CMP_SEVERITY_CLASSES_INVALID', `severity class ${JSON.stringify(c.id ?? '')} needs an id and vendor labels or a CVSS range with min <= max`, {
        data: { class: c },
      });
    }
  }
}

/**
 * The id of the first class that covers the severity: a vendor label by the class's labels
 * (falling back to its score, if any), a CVSS score by range; `fallback` when none applies.
 */
export function classify(severity: Severity, classes: readonly SeverityClass[], fallback: string | null = null): string | null {
  checkSeverityClasses(classes);
  if (severity.source === 'vendor') {
    const label = severity.label.toLowerCase();
    const byLabel = classes.find((c) => c.vendor_labels?.some((l) => l.toLowerCase() === label));
    if (byLabel) return byLabel.id;
  }
  const score = severity.score;
  if (severity.source !== 'none' && score !== undefined) {
    const byScore = classes.find((c) => c.cvss !== undefined && score >= c.cvss.min && score <= c.cvss.max);
    if (byScore) return byScore.id;
  }
  return fallback;
}
