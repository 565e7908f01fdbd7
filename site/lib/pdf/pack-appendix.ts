// Appendix: the manifest of every evidence file the pack relies on (path and sha256), so each
// figure can be traced to signed bytes in the evidence repository.
import type { ComplianceModel } from '../model-types.ts';
import { ledger } from './ledger.ts';
import type { Content } from './pdfmake.ts';
import { LANDSCAPE } from './pack-population.ts';
import { h2, p } from './styles.ts';

export function appendixManifest(model: ComplianceModel): Content[] {
  return [
    h2('Appendix: evidence manifest', LANDSCAPE),
    p(`${model.evidence_manifest.length} evidence files at commit ${model.inputs.repo_commit ?? '—'}. Each report file has a detached signature beside it (PATH.asc). Check one with: git show COMMIT:PATH | sha256sum, and gpg --verify PATH.asc PATH.`),
    ...ledger([{ name: 'sha256', max: 64 }, { name: 'path', max: 120 }], model.evidence_manifest.map((e) => [e.sha256, e.path])),
    p(`Policy files: ${model.inputs.policies.map((x) => `${x.sha256}  ${x.file}`).join('; ') || 'none'}.`, { style: 'small', margin: [0, 6, 0, 0] }),
  ];
}
