// The population and the detail behind every figure: in-scope hosts, all findings with their
// SLA clocks, and every package change recorded in the period, grouped by host. Long listings
// are landscape ledgers (see ledger.ts).
import { fmtTime } from '../format.ts';
import type { ComplianceModel, Host } from '../model-types.ts';
import type { SiteData } from '../site-data.ts';
import { FINDING_STATUS, HOST_STATUS } from '../status.ts';
import { ledger } from './ledger.ts';
import type { Content } from './pdfmake.ts';
import { h2, h3, p } from './styles.ts';

export const LANDSCAPE = { pageBreak: 'before', pageOrientation: 'landscape' } as const;

/** "2025-03-15 14:05" (UTC) or "-". */
const t = (ts: string | null) => (ts ? fmtTime(ts).replace(' UTC', '') : null);

export function population(hosts: Host[]): Content[] {
  return [
    h2('Population: in-scope hosts', LANDSCAPE),
    p(`${hosts.length} hosts were in scope and not decommissioned at the end of the period. Times are UTC.`),
    ...ledger(
      [
        { name: 'hostname', max: 40 },
        { name: 'host id', max: 18 },
        { name: 'owner', max: 22 },
        { name: 'class.', max: 12 },
        { name: 'env', max: 12 },
        { name: 'OS', max: 30 },
        { name: 'last report', max: 16 },
        { name: 'reports', max: 7 },
        { name: 'open', max: 5 },
        { name: 'overdue', max: 7 },
        { name: 'status', max: 16 },
      ],
      hosts.map((h) => [h.hostname, h.host_id, h.meta.owner ?? 'no owner', h.meta.classification ?? 'none', h.meta.environment, h.os.pretty_name ?? h.os.id, t(h.last_report_at), h.report_count, h.open_findings, h.overdue_findings, HOST_STATUS[h.status].label]),
    ),
  ];
}

export function findingsSection(model: ComplianceModel, data: SiteData): Content[] {
  return [
    h2('Findings', LANDSCAPE),
    p(`${model.findings.length} findings (one advisory affecting one source package on one host) were open at some time in the period, on all enrolled hosts. Times are UTC; the clock and the due date come from the policy version in force when the clock started.`),
    ...ledger(
      [
        { name: 'host', max: 30 },
        { name: 'finding', max: 18 },
        { name: 'advisory', max: 20 },
        { name: 'source', max: 16 },
        { name: 'sev.', max: 8 },
        { name: 'clock start', max: 16 },
        { name: 'due', max: 16 },
        { name: 'remediated', max: 16 },
        { name: 'status', max: 17 },
        { name: 'exception', max: 10 },
      ],
      model.findings.map((f) => [
        data.hostsById.get(f.host_id)?.hostname ?? f.host_id,
        f.id,
        f.advisory_id,
        f.source,
        f.severity.class,
        t(f.clock_started_at),
        t(f.due_at),
        t(f.remediated_at),
        FINDING_STATUS[f.status].label,
        f.exception_id,
      ]),
    ),
  ];
}

/** "hosts/<id>/reports/2025/03/15/140500Z-000012.json" → "2025/03/15/140500Z-000012". */
function shortReport(path: string): string {
  const m = /\/reports\/(.+)\.json$/.exec(path);
  return m?.[1] ?? path;
}

export function patchEventsSection(model: ComplianceModel, data: SiteData): Content[] {
  const out: Content[] = [
    h2('Patch events', LANDSCAPE),
    p(`${model.patch_events.length} package changes were recorded in the period on all enrolled hosts. "log" times come from the package manager's log; "interval" times are bounded by the report interval. The report column is the signed report that recorded the change, under hosts/HOST-ID/reports/ in the evidence repository.`),
  ];
  for (const host of model.hosts) {
    const events = data.eventsByHost.get(host.host_id);
    if (!events || events.length === 0) continue;
    out.push(
      h3(`${host.hostname} (${host.host_id}): ${events.length} changes`),
      ...ledger(
        [
          { name: 'when', max: 16 },
          { name: 'package', max: 28 },
          { name: 'arch', max: 7 },
          { name: 'action', max: 9 },
          { name: 'from', max: 30 },
          { name: 'to', max: 30 },
          { name: 'time', max: 8 },
          { name: 'by', max: 20 },
          { name: 'report', max: 26 },
        ],
        events.map((e) => [t(e.when), e.name, e.arch, e.action, e.from, e.to, e.when_source, e.by, shortReport(e.report_path)]),
      ),
    );
  }
  return out;
}
