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
import { readBlobs, resolveHead } from './git-blobs.ts';

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
  const blobs = await readBlobs(repoDir, commit, wanted);
  const result: CopyEvidenceResult = { files: 0, signatures: 0, keys: 0, bytes: 0 };
  const write = writer(siteDir);
  model.evidence_manifest.forEach((entry, i) => {
    const data = blobs[i];
    if (!data) throw siteError('SITE_EVIDENCE_MISSING', `${entry.path} is not in the evidence repository at ${commit}`, { data: { path: entry.path, commit } });
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== entry.sha256) {
      throw siteError('SITE_EVIDENCE_MISMATCH', `${entry.path} has sha256 ${actual} at ${commit}, the model recorded ${entry.sha256}`, { data: { path: entry.path, commit } });
    }
    write(`evidence/${entry.path}`, data);
    result.files += 1;
    result.bytes += data.length;
    const sig = blobs[paths.length + i];
    if (sig) {
      write(`evidence/${entry.path}.asc`, sig);
      result.signatures += 1;
    }
  });
  const rest = blobs.slice(paths.length * 2);
  const keysYaml = rest[0];
  if (keysYaml) write('keys/keys.yaml', keysYaml);
  keyPaths.forEach((p, i) => {
    const data = rest[1 + i];
    if (data) {
      write(p, data);
      result.keys += 1;
    } else {
      throw siteError('SITE_EVIDENCE_MISSING', `the collector key ${p} is not in the evidence repository at ${commit}`, { data: { path: p, commit } });
    }
  });
  return result;
}
