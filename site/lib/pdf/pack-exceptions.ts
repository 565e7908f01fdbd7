// Exceptions with their approvers and status, and the policy's SLA table as the engine used it.
import { exceptionChanges, type ExceptionChange } from '../exception-history.ts';
import { fmtDate, fmtHours } from '../format.ts';
import type { ComplianceModel } from '../model-types.ts';
import { EXCEPTION_STATUS } from '../status.ts';
import type { Content } from './pdfmake.ts';
import { h2, h3, p, table } from './styles.ts';

export function exceptionsSection(model: ComplianceModel): Content[] {
  const out: Content[] = [
    h2('Exceptions', { pageBreak: 'before' }),
    p('Only an approved, unexpired exception approved by someone other than its requester excuses a finding. Status is as of the end of the period.'),
  ];
  if (model.exceptions.length === 0) return [...out, p('No exceptions.')];
  out.push(
    table(
      ['Exception', 'Title', 'Status', 'Requested by', 'Approver', 'Approved', 'Expires', 'Named', 'Excused'],
      model.exceptions.map((e) => [e.id, e.title, EXCEPTION_STATUS[e.status].label, e.requested_by, e.approver ?? 'not approved', fmtDate(e.approved_at), fmtDate(e.expires), String(e.findings_matched.length), String(e.findings_excused.length)]),
      [48, '*', 55, 60, 60, 48, 48, 30, 34],
      7,
    ),
  );
  for (const e of model.exceptions) {
    out.push({
      stack: [
        h3(`${e.id} — ${e.title}`),
        p([{ text: 'Reason: ', bold: true }, e.reason]),
        p([{ text: 'Risk: ', bold: true }, `likelihood ${e.risk_assessment.likelihood}, impact ${e.risk_assessment.impact}. ${e.risk_assessment.summary}`]),
        p([{ text: 'Compensating controls: ', bold: true }, e.compensating_controls.join(' ')]),
        p([{ text: 'File history: ', bold: true }, exceptionChanges(e, model.audit, model.period.start).map(changeLine).join('; ') || 'none']),
      ],
      fontSize: 8,
    });
  }
  return out;
}

/** One commit of an exception file: when, which commit, its author and who asked for it (audit log). */
function changeLine(h: ExceptionChange): string {
  const who = h.audit.length > 0 ? h.audit.map((a) => `${a.actor} (${a.action}, audit #${a.seq})`).join(', ') : h.noAudit === 'before-period' ? 'audit entry before the period' : 'no audit entry';
  return `${h.time} ${h.commit.slice(0, 12)} ${h.author}, changed by ${who}: ${h.message}`;
}

export function slaTables(model: ComplianceModel): Content[] {
  const policies = model.policies.filter((x) => x.severity_classes.length > 0);
  const out: Content[] = [h2('Policy service levels', { pageBreak: 'before' })];
  if (policies.length === 0) return [...out, p('No policy with severity classes was evaluated.')];
  for (const pol of policies) {
    out.push(
      h3(`${pol.title} — ${pol.id} version ${pol.version}`),
      p(`Owner ${pol.owner}; approved by ${pol.approved_by} on ${pol.approved_at}; effective ${pol.effective}; review by ${pol.review_by}; in force ${pol.in_force.from ? `${pol.in_force.from} to ${pol.in_force.to}` : 'not during the period'}. Clock starts at ${pol.clock_start ?? '—'}${pol.kernel_requires_reboot ? '; kernel fixes count once running' : ''}. File ${pol.file}, sha256 ${pol.sha256}.`, { fontSize: 8 }),
      table(['Class', 'SLA', 'Definition'], pol.severity_classes.map((c) => [c.label, fmtHours(c.sla_hours), c.definition]), [60, 90, '*'], 8),
    );
  }
  return out;
}
