// Figures derived from the model that the overview page and the packs' executive summary share,
// so a number printed in a PDF is the number shown on the site.
import type { ComplianceModel, Finding, Host, Policy, SeverityClass } from './model-types.ts';

export interface Summary {
  hostsTotal: number;
  hostsInScope: Host[];
  overdue: Finding[];
  rebootDebt: Host[];
  stale: Host[];
  coverage: { reported: number; expected: number; pct: number | null };
  exceptionsActive: number;
  exceptionsProblem: number;
  slaPolicy: Policy | null;
}

const isOverdue = (f: Finding) => f.status === 'open-overdue' || f.status === 'exception-expired';

/** The SLA-bearing policy version in force at the end of the period (else the latest effective). */
export function slaPolicy(model: ComplianceModel): Policy | null {
  const withClasses = model.policies.filter((p) => p.severity_classes.length > 0);
  const atEnd = withClasses.filter((p) => p.in_force.to === model.period.end);
  const pool = atEnd.length ? atEnd : withClasses;
  return [...pool].sort((a, b) => a.effective.localeCompare(b.effective) || a.id.localeCompare(b.id)).pop() ?? null;
}

export function slaClass(policy: Policy | null, id: string): SeverityClass | undefined {
  return policy?.severity_classes.find((c) => c.id === id);
}

export function summarise(model: ComplianceModel): Summary {
  const inScope = model.hosts.filter((h) => h.meta.in_scope && h.status !== 'decommissioned');
  const reported = model.coverage.reduce((a, c) => a + c.host_days_reported, 0);
  const expected = model.coverage.reduce((a, c) => a + c.host_days_expected, 0);
  return {
    hostsTotal: model.hosts.length,
    hostsInScope: inScope,
    overdue: model.findings.filter(isOverdue).sort((a, b) => (a.due_at ?? '').localeCompare(b.due_at ?? '') || a.id.localeCompare(b.id)),
    rebootDebt: inScope.filter((h) => h.kernel.reboot_required),
    stale: model.hosts.filter((h) => h.status === 'stale'),
    coverage: { reported, expected, pct: expected === 0 ? null : Math.round((reported / expected) * 1000) / 10 },
    exceptionsActive: model.exceptions.filter((e) => e.status === 'active').length,
    exceptionsProblem: model.exceptions.filter((e) => e.status !== 'active').length,
    slaPolicy: slaPolicy(model),
  };
}

/** Whole days a finding is past due at `asOf` (0 when not past due). */
export function daysOverdue(f: Finding, asOf: string): number {
  if (!f.due_at) return 0;
  const end = f.remediated_at ?? asOf;
  return Math.max(0, Math.floor((Date.parse(end) - Date.parse(f.due_at)) / 86_400_000));
}

/** Signed hours until due at `asOf` (negative: overdue); null without a clock. */
export function hoursToDue(f: Finding, asOf: string): number | null {
  if (!f.due_at) return null;
  return Math.round((Date.parse(f.due_at) - Date.parse(asOf)) / 3_600_000);
}
