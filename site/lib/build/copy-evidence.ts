// Copies every evidence file the model cites (and its detached .asc signature) from the evidence
// repository at the judged commit into the site under /evidence/, and the collector public keys
// under /keys/, so every evidence link resolves offline. Each file's sha256 must match the
// model's manifest: the site never publishes bytes other than those that were judged.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertRepoPath } from '../../../evidence/paths.ts';
import { siteError } from '../errors.ts';
import type { ComplianceModel } from '../model-types.ts';
import { forEachBlob, resolveHead } from './git-blobs.ts';

export interface CopyEvidenceResult {
  files: number;
  signatures: number;
  keys: number;
  bytes: number;
}

/** Writes under siteDir, creating each folder once (thousands of files share few folders). */
function writer(siteDir: string): (rel: string, data: Buffer) => void {
  const made = new Set<string>();
  return (rel, data) => {
    const target = join(siteDir, rel);
    const dir = dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(target, data);
  };
}

export async function copyEvidence(model: ComplianceModel, repoDir: string, siteDir: string): Promise<CopyEvidenceResult> {
  const commit = model.inputs.repo_commit ?? (await resolveHead(repoDir));
  const paths = model.evidence_manifest.map((e) => assertRepoPath(e.path));
  const keyPaths = [...new Set(model.keys.map((k) => assertRepoPath(`keys/${k.fingerprint}.asc`)))];
  const wanted = [...paths, ...paths.map((p) => `${p}.asc`), 'keys/keys.yaml', ...keyPaths];
  const result: CopyEvidenceResult = { files: 0, signatures: 0, keys: 0, bytes: 0 };
  const write = writer(siteDir);
  const n = paths.length;
  // Written as they stream out of git: the evidence of a large fleet is ~100 MB.
  const missing = await forEachBlob(repoDir, commit, wanted, (i, data) => {
    if (i < n) {
      const entry = model.evidence_manifest[i] as ComplianceModel['evidence_manifest'][number];
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== entry.sha256) {
        throw siteError('SITE_EVIDENCE_MISMATCH', `${entry.path} has sha256 ${actual} at ${commit}, the model recorded ${entry.sha256}`, { data: { path: entry.path, commit } });
      }
      write(`evidence/${entry.path}`, data);
      result.files += 1;
      result.bytes += data.length;
    } else if (i < 2 * n) {
      write(`evidence/${paths[i - n]}.asc`, data);
      result.signatures += 1;
    } else if (i === 2 * n) {
      write('keys/keys.yaml', data);
    } else {
      write(wanted[i] as string, data);
      result.keys += 1;
    }
  });
  const firstMissing = missing.find((i) => i < n || i > 2 * n);
  if (firstMissing !== undefined) {
    const path = firstMissing < n ? paths[firstMissing] : wanted[firstMissing];
    const what = firstMissing < n ? `${path} is not in the evidence repository at ${commit}` : `the collector key ${path} is not in the evidence repository at ${commit}`;
    throw siteError('SITE_EVIDENCE_MISSING', what, { data: { path, commit } });
  }
  return result;
}
