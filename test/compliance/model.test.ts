// The ComplianceModel as a whole: schema-valid, deterministic (byte-identical for the same inputs,
// whatever the wall clock or input order), inputs recorded, everything sorted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCompliance } from '../../compliance/model-schema.ts';
import { assertModel, evaluate, modelText, writeModel, type EvaluateInputs } from '../../compliance/model.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { ADVISORIES, fleetSnapshot, PERIOD } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

function inputs(over: Partial<EvaluateInputs> = {}): EvaluateInputs {
  return { evidence: fleetSnapshot(), policies: twoVersionPolicies(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd', ...over };
}

afterEach(() => vi.useRealTimers());

describe('evaluate()', () => {
  it('returns a model valid against compliance-model.schema.json', () => {
    const model = evaluate(inputs());
    expect(checkCompliance('model', model)).toBeNull();
    expect(model.schema).toBe('patchproof.compliance-model/v1');
    expect(model.period).toEqual({ start: '2025-01-01', end: '2025-03-31', as_of: '2025-04-01T00:00:00Z' });
  });

  it('is byte-identical across runs, wall clocks and input orders', () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const a = modelText(evaluate(inputs()));
    vi.setSystemTime(new Date('2020-06-15T12:34:56Z'));
    const snap = fleetSnapshot();
    const shuffled = { ...snap, hosts: [...snap.hosts].reverse(), exceptions: [...snap.exceptions].reverse() };
    const b = modelText(evaluate(inputs({ evidence: shuffled, policies: [...twoVersionPolicies()].reverse(), advisories: { snapshot_hash: 'f'.repeat(64), records: [...ADVISORIES].reverse() } })));
    expect(b).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
  });

  it('records its inputs: repo commit, policy hashes, advisory snapshot', () => {
    const model = evaluate(inputs());
    expect(model.inputs.repo_commit).toBeNull();
    expect(model.inputs.advisories).toEqual({ snapshot_hash: 'f'.repeat(64), count: ADVISORIES.length });
    expect(model.inputs.policies.map((p) => [p.id, p.version, p.file])).toEqual([
      ['change-management-patches', '1.0', 'change-management-patches.mdx'],
      ['patch-management', '1.0', 'patch-management@1.0.mdx'],
      ['patch-management', '2.0', 'patch-management.mdx'],
    ]);
    for (const p of model.inputs.policies) expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sorts every section', () => {
    const m = evaluate(inputs());
    const sorted = <T>(xs: T[], key: (x: T) => string): boolean => xs.every((x, i) => i === 0 || key(xs[i - 1]!) <= key(x));
    expect(sorted(m.findings, (f) => `${f.host_id} ${f.advisory_id}`)).toBe(true);
    expect(sorted(m.hosts, (h) => h.hostname)).toBe(true);
    expect(sorted(m.host_findings, (h) => `${h.host_id} ${h.kind}`)).toBe(true);
    expect(sorted(m.patch_events, (e) => `${e.host_id} ${e.when}`)).toBe(true);
    expect(sorted(m.evidence_manifest, (e) => e.path)).toBe(true);
    expect(m.controls.map((c) => c.framework)).toEqual([...m.controls.map((c) => c.framework)].sort((a, b) => ['soc2', 'iso27001', 'pci-dss', 'hipaa'].indexOf(a) - ['soc2', 'iso27001', 'pci-dss', 'hipaa'].indexOf(b)));
  });

  it('cites every evidence file in the manifest with its sha256', () => {
    const m = evaluate(inputs());
    const manifest = new Set(m.evidence_manifest.map((e) => e.path));
    for (const f of m.findings) for (const e of f.evidence) expect(manifest.has(e.path)).toBe(true);
    expect(manifest.has('exceptions/EXC-0003.yaml')).toBe(true);
  });

  it('works without advisories (host findings, coverage and controls only)', () => {
    const m = evaluate(inputs({ advisories: null }));
    expect(m.findings).toEqual([]);
    expect(m.inputs.advisories).toBeNull();
    expect(m.controls.find((c) => c.id === 'CC7.1')!.status).toBe('deficient');
  });

  it('refuses unknown options, a bad period and models that do not match the schema', () => {
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isPatchproofError(e) ? e.code : 'other';
      }
      return undefined;
    };
    expect(code(() => evaluate({ ...inputs(), bogus: 1 } as never))).toBe('CMP_USAGE');
    expect(code(() => evaluate(inputs({ period: { start: '2025-03-01', end: '2025-02-01' } })))).toBe('CMP_PERIOD_INVALID');
    expect(code(() => evaluate(inputs({ policies: [] })))).toBe('CMP_POLICY_NOT_FOUND');
    const model = evaluate(inputs());
    expect(code(() => assertModel({ ...model, findings: [{ ...model.findings[0], status: 'fine' }] }))).toBe('CMP_MODEL_INVALID');
  });
});

describe('model text', () => {
  it('is RFC 8785 canonical JSON, byte-identical to evidence/canonical-json.ts', async () => {
    const { canonicalJson } = await import('../../evidence/canonical-json.ts');
    const { canonicalModelJson } = await import('../../compliance/model-json.ts');
    const model = evaluate(inputs());
    expect(modelText(model)).toBe(`${canonicalJson(model)}\n`);
    const odd = { b: [1e21, 0.1, -0, 1.5e-7, 'é\u2028"\\\n'], a: { 'é': 1, z: null, A: true, '\u0080': 2, '10': 3, '9': 4 } };
    expect(canonicalModelJson(odd)).toBe(canonicalJson(odd));
    expect(() => canonicalModelJson({ x: '\ud800' })).toThrow();
    expect(() => canonicalModelJson({ x: Number.NaN })).toThrow();
  });

  it('is written piece by piece with the same bytes, atomically', async () => {
    const { writeCanonicalJsonFile } = await import('../../compliance/model-json.ts');
    const { mkdtempSync, readFileSync, readdirSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pp-model-'));
    try {
      const model = evaluate(inputs());
      for (const big of [0, 1, 256]) {
        writeCanonicalJsonFile(join(dir, `m${big}.json`), model as never, big);
        expect(readFileSync(join(dir, `m${big}.json`), 'utf8')).toBe(modelText(model));
      }
      writeModel(join(dir, 'model.json'), model);
      expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe(modelText(model));
      const odd = { z: [1, undefined, { b: 1, a: [2, 1] }], a: undefined, m: 'é\u2028' };
      writeCanonicalJsonFile(join(dir, 'odd.json'), odd, 0);
      expect(readFileSync(join(dir, 'odd.json'), 'utf8')).toBe(`${JSON.stringify({ m: odd.m, z: [1, null, { a: [2, 1], b: 1 }] })}\n`);
      expect(() => writeCanonicalJsonFile(join(dir, 'bad.json'), { a: [1, Number.NaN] }, 0)).toThrow();
      expect(readdirSync(dir).sort()).toEqual(['m0.json', 'm1.json', 'm256.json', 'model.json', 'odd.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
