// Control evidence names the exact inputs judged: policy rows carry the policy file's sha256 (the one
// recorded in inputs.policies), the advisory row the snapshot's; and a policy's `controls:` list is
// checked against the catalog, an unknown id recorded as a coded warning in the model.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../compliance/controls.ts';
import { evaluate } from '../../compliance/model.ts';
import { parsePolicyFiles } from '../../compliance/policy-load.ts';
import { DOC_POLICY, slaPolicyText, twoVersionPolicies } from './policy-fixtures.ts';
import { ADVISORIES, fleetSnapshot, PERIOD } from './scenario-fleet.ts';

const SNAPSHOT = '0123456789abcdef'.repeat(4);
const judge = (policies = twoVersionPolicies(), snapshot = SNAPSHOT, catalog = loadCatalog()) =>
  evaluate({ evidence: fleetSnapshot(), policies, advisories: { snapshot_hash: snapshot, records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd', catalog });

describe('control evidence rows name the exact inputs', () => {
  const model = judge();
  const sha = new Map(model.inputs.policies.map((p) => [`${p.id}@${p.version}`, p.sha256]));

  it('gives each policy row the sha256 of the policy file judged', () => {
    const rows = model.controls.flatMap((c) => c.evidence.filter((e) => e.kind === 'policy').map((e) => ({ control: c.id, ...e })));
    const a88 = rows.filter((r) => r.control === 'A.8.8');
    // severity-ranking cites the SLA version in force at period end: v2.0.
    expect(a88).toEqual([{ control: 'A.8.8', kind: 'policy', summary: `Patch Management Policy v2.0 (patch-management.mdx, sha256 ${sha.get('patch-management@2.0')})`, path: 'policies/patch-management.mdx', sha256: sha.get('patch-management@2.0') }]);
    // policy-current cites every version in force at period end: the document policy and v2.0.
    expect(rows.filter((r) => r.control === 'CC8.1').map((r) => [r.path, r.sha256])).toEqual([
      ['policies/change-management-patches.mdx', sha.get('change-management-patches@1.0')],
      ['policies/patch-management.mdx', sha.get('patch-management@2.0')],
    ]);
    expect(sha.get('patch-management@2.0')).not.toBe(sha.get('patch-management@1.0'));
    for (const r of rows) expect(r.summary).toContain(`sha256 ${r.sha256}`);
  });

  it('gives the advisory snapshot row its hash', () => {
    const row = model.controls.find((c) => c.id === 'CC7.1')!.evidence.find((e) => e.kind === 'advisory-snapshot')!;
    expect(row).toEqual({ kind: 'advisory-snapshot', summary: `snapshot sha256 ${SNAPSHOT}`, sha256: SNAPSHOT });
    // A snapshot named by something other than a sha256 keeps its summary but claims no sha256.
    const other = judge(twoVersionPolicies(), 'snapshot-of-test').controls.find((c) => c.id === 'CC7.1')!.evidence.find((e) => e.kind === 'advisory-snapshot')!;
    expect(other).toEqual({ kind: 'advisory-snapshot', summary: 'snapshot sha256 snapshot-of-test' });
  });
});

describe('policy control ids are checked against the catalog', () => {
  it('records no warning when every id is in the catalog', () => {
    expect(judge().warnings).toEqual([]);
  });

  it('records an unknown id as a CMP_POLICY_CONTROL_UNKNOWN warning naming the file and version', () => {
    const policies = parsePolicyFiles({
      'patch-management.mdx': slaPolicyText({ version: '1.0', effective: '2024-01-01' }).replace('controls: [soc2:CC7.1, pci-dss:6.3.3]', 'controls: [soc2:CC7.1, soc2:CC9.9, pci-dss:6.3.3]'),
      'change-management-patches.mdx': DOC_POLICY.replace('controls: [soc2:CC8.1]', 'controls: [iso27001:A.8.99]'),
    });
    expect(judge(policies).warnings).toEqual([
      { code: 'CMP_POLICY_CONTROL_UNKNOWN', file: 'change-management-patches.mdx', message: 'change-management-patches.mdx (change-management-patches v1.0) lists control iso27001:A.8.99, which is not in the control catalog: nothing judges it' },
      { code: 'CMP_POLICY_CONTROL_UNKNOWN', file: 'patch-management.mdx', message: 'patch-management.mdx (patch-management v1.0) lists control soc2:CC9.9, which is not in the control catalog: nothing judges it' },
    ]);
  });

  it('checks against the catalog the evaluation was given', () => {
    const catalog = loadCatalog().filter((c) => c.id !== '6.3.3');
    const w = judge(twoVersionPolicies(), SNAPSHOT, catalog).warnings!;
    expect(w.map((x) => [x.file, x.message.split(' lists ')[0]])).toEqual([
      ['patch-management.mdx', 'patch-management.mdx (patch-management v2.0)'],
      ['patch-management@1.0.mdx', 'patch-management@1.0.mdx (patch-management v1.0)'],
    ]);
    expect(w.every((x) => x.message.includes('pci-dss:6.3.3'))).toBe(true);
  });
});
