// The fixture model the site tests build from must itself be a valid ComplianceModel, and stable.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCompliance } from '../../compliance/model-schema.ts';
import { makeFixture } from './fixtures/make-model.ts';

const tmp = mkdtempSync(join(tmpdir(), 'pp-fixture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fixture model', () => {
  it('validates against compliance-model.schema.json', () => {
    const { model } = makeFixture({ hosts: 30 });
    expect(checkCompliance('model', model)).toBeNull();
  });

  it('is deterministic, including the commit ids of its evidence repository', () => {
    const a = makeFixture({ hosts: 8, repoDir: join(tmp, 'a') });
    const b = makeFixture({ hosts: 8, repoDir: join(tmp, 'b') });
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(a.model.inputs.repo_commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('cites only files that exist in the repository, with matching sha256', () => {
    const dir = join(tmp, 'c');
    const { model } = makeFixture({ hosts: 6, repoDir: dir });
    for (const { path, sha256 } of model.evidence_manifest.slice(0, 50)) {
      const bytes = execFileSync('git', ['-C', dir, 'show', `${model.inputs.repo_commit}:${path}`]);
      expect(createHash('sha256').update(bytes).digest('hex'), path).toBe(sha256);
    }
  });
});
