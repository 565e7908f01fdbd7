// The site publishes exactly the bytes that were judged: every cited file is copied from the
// judged commit with its signature, and a changed or missing file stops the build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyEvidence } from '../../site/lib/build/copy-evidence.ts';
import type { ComplianceModel } from '../../site/lib/model-types.ts';
import { makeFixture } from './fixtures/make-model.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pp-copy-'));
let model: ComplianceModel;
const repo = join(tmp, 'repo');
beforeAll(() => {
  model = makeFixture({ hosts: 4, repoDir: repo }).model;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('copyEvidence', () => {
  it('copies every cited file, its .asc and the keys', async () => {
    const out = join(tmp, 'out1');
    const r = await copyEvidence(model, repo, out);
    expect(r.files).toBe(model.evidence_manifest.length);
    for (const e of model.evidence_manifest) {
      const bytes = execFileSync('git', ['-C', repo, 'show', `${model.inputs.repo_commit}:${e.path}`]);
      expect(readFileSync(join(out, 'evidence', e.path)).equals(bytes)).toBe(true);
      if (e.path.endsWith('.json')) expect(existsSync(join(out, 'evidence', `${e.path}.asc`))).toBe(true);
    }
    expect(existsSync(join(out, 'keys', `${model.keys[0]!.fingerprint}.asc`))).toBe(true);
    expect(existsSync(join(out, 'keys', 'keys.yaml'))).toBe(true);
  });

  it('stops on a file whose bytes differ from the manifest', async () => {
    const changed = structuredClone(model);
    changed.evidence_manifest[0]!.sha256 = '0'.repeat(64);
    await expect(copyEvidence(changed, repo, join(tmp, 'out2'))).rejects.toMatchObject({ code: 'SITE_EVIDENCE_MISMATCH' });
  });

  it('stops on a missing file and refuses paths that leave the repository', async () => {
    const missing = structuredClone(model);
    missing.evidence_manifest.push({ path: 'hosts/h_0000000000000000/reports/2025/01/01/000000Z-000001.json', sha256: '0'.repeat(64) });
    await expect(copyEvidence(missing, repo, join(tmp, 'out3'))).rejects.toMatchObject({ code: 'SITE_EVIDENCE_MISSING' });
    const hostile = structuredClone(model);
    hostile.evidence_manifest.push({ path: '../../etc/passwd', sha256: '0'.repeat(64) });
    await expect(copyEvidence(hostile, repo, join(tmp, 'out4'))).rejects.toMatchObject({ code: 'EVD_PATH_INVALID' });
    expect(existsSync(join(tmp, 'etc'))).toBe(false);
  });
});
