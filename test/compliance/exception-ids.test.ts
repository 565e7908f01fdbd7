// Advisory ids in exceptions and pending updates: the characters real OSV and vendor ids use
// (x_…, ALSA-2026:1234, openSUSE-SU-…:…-1, GHSA-…) are accepted; path and control characters are not.
// An exception naming an x_… advisory, committed to a real repository, excuses its finding.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import { check, loadSchemaFile } from '../../evidence/schema.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { debianAdvisory, exception, pkg } from './scenario.ts';
import { writeScenarioRepo } from './scenario-repo.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const FIXTURES = new URL('../../../shared/fixtures/osv/', import.meta.url);
const DEMO = new URL('../../demo/data/advisories/', import.meta.url);

function fixtureIds(): string[] {
  const ids: string[] = [];
  const collect = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) collect(join(dir, e.name));
      else if (e.name.endsWith('.json')) ids.push((JSON.parse(readFileSync(join(dir, e.name), 'utf8')) as { id: string }).id);
    }
  };
  for (const dir of [new URL('almalinux9/advisories/', FIXTURES), new URL('ubuntu/records/', FIXTURES), DEMO]) collect(fileURLToPath(dir));
  return ids;
}

const withAdvisories = (advisories: [string, ...string[]]) => exception({ id: 'EXC-0001', advisories });
const commonDefs = loadSchemaFile('common.schema.json').definitions as Record<string, Record<string, unknown>>;

describe('advisory id pattern', () => {
  const good = [...fixtureIds(), 'x_PPDEMO-DEB-2026-0001', 'GHSA-r9p9-mrjm-926w', 'openSUSE-SU-2024:13374-1', 'SUSE-SU-2024:0001-1', 'RUSTSEC-2021_0001', 'OSV-2020-584', 'CVE-2024-6387', 'DEBIAN-CVE-2024-6387', 'ALSA-2026:12310', 'BIT-node-2023-32002'];
  const bad = ['../exceptions/EXC-0001', 'a/b', 'a\\b', '.hidden', '-rf', '_x', 'CVE 2024 1', 'CVE-2024\n1', 'CVE-2024\u00001', 'x'.repeat(65), ''];

  it('the fixtures hold the ids we expect to accept', () => {
    expect(good.filter((id) => id.startsWith('x_')).length).toBeGreaterThan(5);
    expect(good).toContain('UBUNTU-CVE-2023-4911');
  });

  it.each(good)('accepts %s in exceptions and in pending updates', (id) => {
    expect(check('exception', withAdvisories([id]))).toBeNull();
    expect(check('exception', withAdvisories(['CVE-2025-1', id]))).toBeNull();
    const pattern = new RegExp((commonDefs.pending!.properties as Record<string, { items: { pattern: string } }>).advisories!.items.pattern);
    expect(pattern.test(id)).toBe(true);
  });

  it.each(bad)('refuses %j', (id) => {
    expect(check('exception', withAdvisories([id]))).not.toBeNull();
    const pattern = new RegExp((commonDefs.pending!.properties as Record<string, { items: { pattern: string } }>).advisories!.items.pattern);
    expect(pattern.test(id)).toBe(false);
  });

  it('is the same pattern in the exception schema and the pending-update schema', () => {
    const exc = loadSchemaFile('exception.schema.json').properties as Record<string, { items: { pattern: string } }>;
    expect(exc.advisories!.items.pattern).toBe((commonDefs.pending!.properties as Record<string, { items: { pattern: string } }>).advisories!.items.pattern);
  });
});

describe('an exception for an x_ advisory in a real repository', () => {
  it('is loaded and excuses the finding', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pp-excid-'));
    roots.push(root);
    const hostId = 'h_00000000000000e1';
    const { repo } = await writeScenarioRepo(root, [{ id: hostId, hostname: 'edge', start: '2025-01-01', end: '2025-01-31', packages: [pkg('libfoo1', '1.0-1', 'foo')] }], [
      exception({ id: 'EXC-0001', advisories: ['x_PPDEMO-DEB-2026-0001'], hosts: [hostId], approved_at: '2025-01-20', expires: '2025-06-30' }),
    ]);
    const warnings: string[] = [];
    const evidence = await loadEvidence(repo, { onWarning: (w) => warnings.push(JSON.stringify(w)) });
    expect(warnings).toEqual([]);
    const advisory = debianAdvisory({ id: 'x_PPDEMO-DEB-2026-0001', source: 'foo', fixed: '1.0-2', published: '2025-01-05T00:00:00Z', summary: 'Important: SYNTHETIC DEMO ADVISORY' });
    const m = evaluate({ evidence, policies: singlePolicy(), advisories: { snapshot_hash: 'f'.repeat(64), records: [advisory] }, period: { start: '2025-01-01', end: '2025-01-31' }, organisation: 'Example Ltd' });
    expect(m.findings.map((f) => [f.advisory_id, f.due_at, f.status, f.exception_id])).toEqual([['x_PPDEMO-DEB-2026-0001', '2025-01-19T00:00:00Z', 'excepted', 'EXC-0001']]);
    expect(m.exceptions.map((e) => [e.id, e.status, e.advisories, e.findings_excused.length])).toEqual([['EXC-0001', 'active', ['x_PPDEMO-DEB-2026-0001'], 1]]);
  });
});
