// The scenario's exception files as a risk owner would commit them: first the request (no
// approver yet), then the approval — two commits, so the exception's history shows both.
import { stringify } from 'yaml';
import type { ExceptionPlan } from './scenario.ts';
import { dayToDate } from './window.ts';

const isoDay = (day: number): string => dayToDate(day).toISOString().slice(0, 10);

export function exceptionRecord(x: ExceptionPlan, hostIds: readonly string[], approved: boolean): Record<string, unknown> {
  const r = x.record;
  return {
    id: x.id,
    title: r.title,
    ...(x.advisories ? { advisories: [...x.advisories] } : {}),
    ...(x.packages ? { packages: [...x.packages] } : {}),
    hosts: [...hostIds],
    reason: r.reason,
    risk_assessment: { ...r.risk_assessment },
    compensating_controls: [...r.compensating_controls],
    planned_remediation: r.planned_remediation,
    expires: r.expires,
    requested_by: r.requested_by,
    approver: approved ? r.approver : null,
    approved_at: approved && x.approveDay !== null ? isoDay(x.approveDay) : null,
    ...(r.ticket ? { ticket: r.ticket } : {}),
  };
}

export function exceptionYaml(x: ExceptionPlan, hostIds: readonly string[], approved: boolean): string {
  return `# Risk acceptance ${x.id} (simulated demo data)\n` + stringify(exceptionRecord(x, hostIds, approved), { lineWidth: 0 });
}

/** An audit actor id for a person named in the scenario: "Dana Kim (CISO)" → "dana.kim". */
export function personId(name: string): string {
  const id = name.replace(/\s*\(.*\)\s*$/, '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.+|\.+$/g, '');
  return id || 'unknown';
}
