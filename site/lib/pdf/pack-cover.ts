// The pack's cover: who, which period, which framework, exactly which inputs (evidence commit,
// policies, advisory snapshot) and which key signed it. "Generated at" is the model's as-of
// instant, never the wall clock, so the same model gives the same bytes.
import type { ComplianceModel } from '../model-types.ts';
import { fmtFingerprint, fmtTime } from '../format.ts';
import type { Content } from './pdfmake.ts';
import { facts, h1, p } from './styles.ts';

export interface CoverInput {
  model: ComplianceModel;
  frameworkName: string;
  signerFingerprint: string | null;
  sections: string[];
}

export function cover({ model, frameworkName, signerFingerprint, sections }: CoverInput): Content[] {
  const out: Content[] = [];
  if (model.simulated) {
    out.push({ table: { widths: ['*'], body: [[{ text: 'SIMULATED DATA — built from a simulated fleet, not from real hosts. Nothing in this pack is evidence about real systems.', style: 'banner' }]] }, layout: 'noBorders', margin: [0, 0, 0, 16] });
  }
  out.push(
    { text: 'Patch compliance evidence pack', fontSize: 11, color: '#52606d', margin: [0, 60, 0, 4] },
    h1(`${frameworkName}`, { fontSize: 24 }),
    p(`${model.organisation} — audit period ${model.period.start} to ${model.period.end}`, { fontSize: 13, margin: [0, 0, 0, 24] }),
    facts([
      ['Organisation', model.organisation],
      ['Audit period', `${model.period.start} to ${model.period.end} (inclusive, UTC)`],
      ['Generated at', `${fmtTime(model.period.as_of)} (the model's as-of instant)`],
      ['Evidence repository commit', model.inputs.repo_commit ?? 'none (in-memory evidence)'],
      ['Signing key fingerprint', signerFingerprint ? fmtFingerprint(signerFingerprint) : 'unsigned build'],
      ['Policies', model.inputs.policies.map((x) => `${x.id} v${x.version} (${x.file}, sha256 ${x.sha256})`).join('\n') || 'none'],
      ['Advisory snapshot', model.inputs.advisories ? `${model.inputs.advisories.snapshot_hash} (${model.inputs.advisories.count} advisories)` : 'none'],
      ['Model schema', model.schema],
    ]),
    { text: 'Contents', bold: true, margin: [0, 16, 0, 4] },
    { ol: [...sections], margin: [0, 0, 0, 16] },
    p(
      'Verify this file with its detached signature (gpg --verify PACK.pdf.asc PACK.pdf) and the signed SHA256SUMS published beside it. Every evidence file this pack relies on is listed with its sha256 in the appendix; each is a signed file in the evidence repository at the commit above.',
      { style: 'small' },
    ),
  );
  return out;
}
