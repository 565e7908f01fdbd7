// One framework's evidence pack as a pdfmake document: cover, executive summary, controls,
// population, findings, patch events, exceptions, SLA table and the evidence manifest.
import type { ComplianceModel, Framework } from '../model-types.ts';
import { FRAMEWORKS, type SiteData } from '../site-data.ts';
import { summarise } from '../summary.ts';
import { appendixManifest } from './pack-appendix.ts';
import { controlSections } from './pack-controls.ts';
import { cover } from './pack-cover.ts';
import { exceptionsSection, slaTables } from './pack-exceptions.ts';
import { findingsSection, patchEventsSection, population } from './pack-population.ts';
import { executiveSummary } from './pack-summary.ts';
import { renderPdf, type DocDefinition } from './pdfmake.ts';
import { DEFAULT_STYLE, STYLES } from './styles.ts';

export interface PackInput {
  data: SiteData;
  framework: Framework;
  signerFingerprint: string | null;
}

export const PACK_SECTIONS = [
  'Executive summary',
  'Controls',
  'Exceptions',
  'Policy service levels',
  'Population: in-scope hosts',
  'Findings',
  'Patch events',
  'Appendix: evidence manifest',
];

export function frameworkName(framework: Framework): string {
  return FRAMEWORKS.find((f) => f.id === framework)?.name ?? framework;
}

export function packDocument({ data, framework, signerFingerprint }: PackInput): DocDefinition {
  const model: ComplianceModel = data.model;
  const name = frameworkName(framework);
  const s = summarise(model);
  const title = `${name} evidence pack — ${model.organisation} — ${model.period.start} to ${model.period.end}`;
  const footerText = `${model.simulated ? 'SIMULATED DATA · ' : ''}${model.organisation} · ${name} evidence pack · ${model.period.start} to ${model.period.end}`;
  return {
    pageSize: 'A4',
    pageMargins: [36, 36, 36, 40],
    info: { title, author: model.organisation, subject: `Patch compliance evidence for ${name}`, keywords: `patchproof ${framework} ${model.period.start} ${model.period.end}` },
    // pdfmake normalises the definition in place: give it copies, never our constants.
    defaultStyle: { ...DEFAULT_STYLE },
    styles: structuredClone(STYLES),
    footer: (page: number, pages: number) => ({
      columns: [{ text: footerText, width: '*' }, { text: `page ${page} of ${pages}`, width: 70, alignment: 'right' }],
      fontSize: 7,
      color: '#52606d',
      margin: [36, 12, 36, 0],
    }),
    content: [
      ...cover({ model, frameworkName: name, signerFingerprint, sections: PACK_SECTIONS }),
      ...executiveSummary(model, s),
      ...controlSections(model, data.controlsByFramework.get(framework) ?? [], data),
      ...exceptionsSection(model),
      ...slaTables(model),
      ...population(s.hostsInScope),
      ...findingsSection(model, data),
      ...patchEventsSection(model, data),
      ...appendixManifest(model),
    ],
  };
}

/** The pack's PDF bytes: dated at the model's as-of instant, identical for the same model. */
export async function renderPack(input: PackInput): Promise<Buffer> {
  return renderPdf(packDocument(input), new Date(input.data.model.period.as_of));
}
