// The evaluate, export and new commands in-process: a real signed repository and advisory
// snapshot in a collector home, the model written as canonical JSON, CSVs, and scaffolds.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/patchproof.ts';
import type { CliIO } from '../../cli/io.ts';
import { writeSnapshot } from '../../compliance/osv-snapshot.ts';
import { assertModel, modelText } from '../../compliance/model.ts';
import { parsePolicy } from '../../compliance/policy.ts';
import { check } from '../../evidence/schema.ts';
import { writeScenarioRepo } from './scenario-repo.ts';
import { ADVISORIES, EXCEPTIONS, H, SPECS } from './scenario-fleet.ts';
import { slaPolicyText } from './policy-fixtures.ts';

let root: string;
let home: string;
let policies: string;

function io(env: Record<string, string> = {}): CliIO & { out: string; err: string } {
  const o = { out: '', err: '' };
  return Object.assign(o, {
    stdout: (s: string) => void (o.out += s),
    stderr: (s: string) => void (o.err += s),
    stdin: async () => '',
    env,
    cwd: root,
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-cli-'));
  const written = await writeScenarioRepo(root, SPECS.filter((s) => s.id === H.late || s.id === H.stale), EXCEPTIONS, { simulated: true });
  home = written.home;
  writeSnapshot(join(home, 'advisories'), ADVISORIES);
  policies = join(root, 'policies');
  mkdirSync(policies);
  writeFileSync(join(policies, 'patch-management.mdx'), slaPolicyText({ version: '1.0', effective: '2024-01-01' }));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('patchproof evaluate / export', () => {
  it('evaluates a home: default repo, advisories/current and organisation; progress on stderr', async () => {
    const t = io();
    const code = await main(['evaluate', '--home', home, '--period', '2025-01-01..2025-03-31', '--policies', policies, '--out', 'model.json'], t);
    expect(t.err).not.toContain('internal error');
    expect(code).toBe(0);
    expect(t.err).toContain('judging hosts: 2/2');
    expect(t.out).toContain('2 hosts, 1 findings');
    const text = readFileSync(join(root, 'model.json'), 'utf8');
    const model = assertModel(JSON.parse(text));
    expect(modelText(model)).toBe(text);
    expect(model).toMatchObject({ organisation: 'Example Ltd', simulated: true });
    expect(model.inputs.advisories!.count).toBe(ADVISORIES.length);
    expect(model.findings[0]).toMatchObject({ host_id: H.late, status: 'fixed-late' });
  });

  it('is byte-identical when run again, resumed from the home cache or without it', async () => {
    const t = io();
    await main(['evaluate', '--home', home, '--period', '2025-01-01..2025-03-31', '--policies', policies, '--out', 'model2.json'], t);
    expect(readFileSync(join(root, 'model2.json'), 'utf8')).toBe(readFileSync(join(root, 'model.json'), 'utf8'));
    expect(existsSync(join(home, 'cache', 'evaluate', 'history-0-of-1.v8'))).toBe(true);
    expect(t.err).toMatch(/^cache: history cache 1\/1: resumed at [0-9a-f]{12}, 0 new commit\(s\)$/m);
    const u = io();
    await main(['evaluate', '--home', home, '--no-cache', '--period', '2025-01-01..2025-03-31', '--policies', policies, '--out', 'model3.json'], u);
    expect(u.err).not.toContain('cache:');
    expect(readFileSync(join(root, 'model3.json'), 'utf8')).toBe(readFileSync(join(root, 'model.json'), 'utf8'));
    const v = io();
    expect(await main(['evaluate', '--home', home, '--no-cache', '--cache', 'x', '--period', '2025-01-01..2025-03-31', '--out', 'x.json'], v)).toBe(2);
    expect(v.err).toContain('--cache and --no-cache');
  });

  it('exports CSVs from the model', async () => {
    const t = io();
    expect(await main(['export', '--model', 'model.json', '--out', 'csv'], t)).toBe(0);
    expect(t.out.trim().split('\n')).toHaveLength(6);
    expect(readFileSync(join(root, 'csv', 'findings.csv'), 'utf8')).toContain('DSA-1001-1');
  });

  it('reports usage and input errors with a code and a hint', async () => {
    const t = io();
    expect(await main(['evaluate', '--home', home, '--period', '2025-13-01..2025-03-31', '--out', 'x.json'], t)).toBe(2);
    expect(t.err).toMatch(/^error CMP_PERIOD_INVALID/);
    expect(t.err).toContain('hint:');
    const u = io();
    expect(await main(['evaluate', '--period', '2025-01-01..2025-03-31', '--out', 'x.json'], u)).toBe(2);
    expect(u.err).toContain('--repo');
    writeFileSync(join(root, 'bad.json'), '{"schema":"nope"}');
    const v = io();
    expect(await main(['export', '--model', 'bad.json', '--out', 'csv2'], v)).toBe(2);
    expect(v.err).toMatch(/^error CMP_MODEL_INVALID/);
  });
});

describe('patchproof new', () => {
  const env = { PATCHPROOF_NOW: '2025-05-10T09:00:00Z' };

  it('scaffolds an exception with dates from the injected clock, valid but unapproved', async () => {
    const t = io(env);
    expect(await main(['new', 'exception', '--id', 'EXC-0042', '--requester', 'Alice Example'], t)).toBe(0);
    const record = YAML.parse(readFileSync(join(root, 'EXC-0042.yaml'), 'utf8'));
    expect(check('exception', record)).toBeNull();
    expect(record).toMatchObject({ id: 'EXC-0042', planned_remediation: '2025-06-09', expires: '2025-07-09', requested_by: 'Alice Example', approver: null, approved_at: null });
    expect(await main(['new', 'exception', '--id', 'EXC-0042'], io(env))).toBe(2);
  });

  it('scaffolds a policy that parses, a meta file and a runbook', async () => {
    expect(await main(['new', 'policy', '--id', 'backup', '--title', 'Backup Policy', '--out', 'backup.mdx'], io(env))).toBe(0);
    const policy = parsePolicy(readFileSync(join(root, 'backup.mdx'), 'utf8'), 'backup.mdx');
    expect(policy).toMatchObject({ id: 'backup', title: 'Backup Policy', effective: '2025-05-10', review_by: '2026-05-10', severity_classes: [] });
    expect(await main(['new', 'meta', '--out', 'meta.yaml'], io(env))).toBe(0);
    expect(check('meta', YAML.parse(readFileSync(join(root, 'meta.yaml'), 'utf8')))).toBeNull();
    expect(await main(['new', 'runbook', '--title', 'Billing API'], io(env))).toBe(0);
    expect(readFileSync(join(root, 'runbook.md'), 'utf8')).toContain('# Patching runbook — Billing API');
    expect(existsSync(join(root, 'runbook.md'))).toBe(true);
  });

  it('refuses a bad id or kind', async () => {
    const t = io(env);
    expect(await main(['new', 'exception', '--id', 'EXC-1'], t)).toBe(2);
    expect(await main(['new', 'widget'], io(env))).toBe(2);
  });
});
