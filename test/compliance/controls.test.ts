// The control catalog (our own ids and short titles) and the control judgement on the scenario fleet.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog, parseCatalog, worstStatus } from '../../compliance/controls.ts';
import { EVALUATORS } from '../../compliance/controls-evaluators.ts';
import { evaluate } from '../../compliance/model.ts';
import { ADVISORIES, fleetSnapshot, PERIOD } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

describe('control catalog', () => {
  it('covers the required controls of the four frameworks with known evaluators', () => {
    const ids = loadCatalog().map((c) => `${c.framework}:${c.id}`);
    expect(ids).toEqual([
      'soc2:CC6.1', 'soc2:CC7.1', 'soc2:CC7.2', 'soc2:CC8.1', 'iso27001:A.8.8', 'iso27001:A.8.32', 'pci-dss:6.3.1', 'pci-dss:6.3.3',
      'hipaa:164.308(a)(1)(ii)(A)', 'hipaa:164.308(a)(1)(ii)(B)', 'hipaa:164.308(a)(5)(ii)(B)',
    ]);
    for (const c of loadCatalog()) {
      expect(c.title.length).toBeLessThanOrEqual(90);
      for (const e of c.evaluators) expect(EVALUATORS).toHaveProperty(e);
    }
    expect(loadCatalog().find((c) => c.id === '6.3.3')!.evaluators).toContain('critical-within-30d');
  });

  it('rejects unknown evaluators and duplicates', () => {
    const text = readFileSync(new URL('../../compliance/controls/catalog.yaml', import.meta.url), 'utf8');
    expect(() => parseCatalog(text.replace('[critical-within-30d,', '[no-such-evaluator,'))).toThrow(/unknown evaluator/);
    expect(() => parseCatalog(`schema: patchproof.controls/v1\ncontrols:\n  - {framework: soc2, id: X, title: t, evaluators: []}\n  - {framework: soc2, id: X, title: t, evaluators: []}\n`)).toThrow(/twice/);
  });

  it('takes the worst evaluator status, ignoring not-applicable', () => {
    expect(worstStatus(['effective', 'not-applicable'])).toBe('effective');
    expect(worstStatus(['effective', 'partial', 'deficient'])).toBe('deficient');
    expect(worstStatus(['not-applicable'])).toBe('not-applicable');
  });
});

describe('controls judged on the scenario fleet', () => {
  const model = evaluate({ evidence: fleetSnapshot(), policies: twoVersionPolicies(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
  const control = (id: string) => model.controls.find((c) => c.id === id)!;

  it('PCI 6.3.3 is deficient: critical/high findings not fixed within 30 days of release', () => {
    const c = control('6.3.3');
    expect(c.status).toBe('deficient');
    const late = c.evidence.filter((e) => e.kind === 'late-patch').map((e) => e.host_id).sort();
    // noreboot (kernel open since 2025-01-05) and selfapproved (sudo open since 2025-01-03).
    expect(late).toEqual(['h_000000000000000d', 'h_0000000000000011']);
  });

  it('CC7.2 reflects the chain gap and the stale host with evidence rows', () => {
    const c = control('CC7.2');
    expect(c.status).toBe('deficient');
    expect(c.evaluators.map((e) => [e.id, e.status])).toEqual([['evidence-coverage', 'effective'], ['stale-hosts', 'deficient'], ['evidence-integrity', 'deficient']]);
    expect(c.evidence.some((e) => e.kind === 'chain-gap' && e.path?.endsWith('-000041.json'))).toBe(true);
  });

  it('every control has an explanation naming its evaluators', () => {
    for (const c of model.controls) for (const e of c.evaluators) expect(c.explanation).toContain(`${e.id}: ${e.status}`);
  });
});
