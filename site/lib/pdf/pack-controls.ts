// One section per control of the framework: status, explanation, evaluators and every evidence
// row with the host, finding and file it points at.
import type { Control, ComplianceModel } from '../model-types.ts';
import type { SiteData } from '../site-data.ts';
import { CONTROL_STATUS } from '../status.ts';
import { ledger } from './ledger.ts';
import type { Content } from './pdfmake.ts';
import { h2, h3, p, table } from './styles.ts';

const TABLE_LIMIT = 150;

function evidenceRows(c: Control, data: SiteData): Content[] {
  const rows = c.evidence.map((ev) => {
    const host = ev.host_id ? (data.hostsById.get(ev.host_id)?.hostname ?? ev.host_id) : '—';
    return { kind: ev.kind, summary: ev.summary, host, finding: ev.finding_id ?? '—', file: ev.path ?? '—', commit: ev.commit ? ev.commit.slice(0, 12) : '—' };
  });
  if (rows.length === 0) return [p('No evidence rows.', { italics: true })];
  if (rows.length <= TABLE_LIMIT) {
    return [
      table(
        ['Kind', 'Summary', 'Host', 'Finding', 'File', 'Commit'],
        rows.map((r) => [r.kind, r.summary, r.host, r.finding, { text: r.file, fontSize: 6.5 }, r.commit]),
        [40, '*', 80, 62, 130, 45],
        7,
      ),
    ];
  }
  return ledger(
    [{ name: 'kind', max: 10 }, { name: 'host', max: 24 }, { name: 'finding', max: 18 }, { name: 'commit', max: 12 }, { name: 'file / summary', max: 90 }],
    rows.map((r) => [r.kind, r.host, r.finding, r.commit, r.file === '—' ? r.summary : `${r.file}  ${r.summary}`]),
  );
}

export function controlSections(model: ComplianceModel, controls: Control[], data: SiteData): Content[] {
  const out: Content[] = [h2('Controls', { pageBreak: 'before' })];
  if (controls.length === 0) out.push(p('No controls were evaluated for this framework.'));
  out.push(
    table(
      ['Control', 'Title', 'Status', 'Evidence rows'],
      controls.map((c) => [c.id, c.title, CONTROL_STATUS[c.status].label, String(c.evidence.length)]),
      [80, '*', 90, 60],
    ),
  );
  for (const c of controls) {
    out.push(
      h3(`${c.id} — ${c.title}`),
      p([{ text: 'Status: ', bold: true }, CONTROL_STATUS[c.status].label]),
      p(c.explanation),
      table(['Evaluator', 'Status', 'Summary'], c.evaluators.map((e) => [e.id, CONTROL_STATUS[e.status].label, e.summary]), [90, 80, '*'], 7.5),
      ...evidenceRows(c, data),
    );
  }
  if (model.controls.length > 0 && controls.length === 0) out.push(p('Other frameworks have controls in this model; see their packs.', { style: 'small' }));
  return out;
}
