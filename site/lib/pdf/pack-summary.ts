// Executive summary: the headline figures, SLA adherence by severity and the three charts, the
// same numbers and SVGs as the site's overview page.
import { overviewCharts } from '../charts/overview-charts.ts';
import { fmtHours, fmtInt, fmtNum, fmtPct } from '../format.ts';
import type { ComplianceModel } from '../model-types.ts';
import { slaClass, type Summary } from '../summary.ts';
import type { Content } from './pdfmake.ts';
import { facts, h2, h3, p, table } from './styles.ts';

export function executiveSummary(model: ComplianceModel, s: Summary): Content[] {
  const m = model.metrics;
  const label = (c: string) => (c === 'all' ? 'All classes' : slaClass(s.slaPolicy, c)?.label ?? c);
  const rows = [...m.by_severity, m.overall].map((r) => [
    label(r.class),
    r.class === 'all' ? '—' : fmtHours(slaClass(s.slaPolicy, r.class)?.sla_hours),
    fmtInt(r.total),
    fmtInt(r.with_clock),
    fmtInt(r.fixed_in_sla),
    fmtInt(r.fixed_late),
    fmtInt(r.open_within_sla),
    fmtInt(r.open_overdue),
    fmtInt(r.excepted + r.exception_expired),
    { text: fmtPct(r.adherence_pct), bold: true },
    fmtNum(r.mttr_hours_mean),
    fmtNum(r.mttr_hours_p90),
  ]);
  const out: Content[] = [
    h2('Executive summary', { pageBreak: 'before' }),
    facts([
      ['Hosts in scope', `${fmtInt(s.hostsInScope.length)} (of ${fmtInt(s.hostsTotal)} enrolled)`],
      ['SLA adherence (all severities)', fmtPct(m.overall.adherence_pct)],
      ['Findings overdue at period end', fmtInt(s.overdue.length)],
      ['Hosts with reboot debt', fmtInt(s.rebootDebt.length)],
      ['Hosts not reporting', fmtInt(s.stale.length)],
      ['Evidence coverage (host-days)', `${fmtPct(s.coverage.pct)} (${fmtInt(s.coverage.reported)} of ${fmtInt(s.coverage.expected)})`],
      ['Exceptions', `${fmtInt(s.exceptionsActive)} active, ${fmtInt(s.exceptionsProblem)} expired or not validly approved`],
      ['Package changes recorded', fmtInt(model.patch_events.length)],
    ]),
    h3('SLA adherence by severity'),
    table(['Severity', 'SLA', 'Findings', 'With clock', 'Fixed in SLA', 'Fixed late', 'Open in SLA', 'Overdue', 'Excepted', 'Adherence', 'MTTR mean (h)', 'MTTR p90 (h)'], rows, undefined, 7.5),
    p('Adherence = (fixed within SLA + open within SLA) / findings with an SLA clock. Excepted findings and findings without an upstream fix carry no clock.', { style: 'small' }),
  ];
  for (const { spec, chart } of overviewCharts(model)) {
    out.push({ stack: [h3(spec.title), { svg: chart.svg, width: 440 }, p(spec.description, { style: 'small' })], unbreakable: true });
  }
  return out;
}
