// Policy front matter: the default set parses, numbers are read as written, bad files are refused
// with CMP_POLICY_INVALID, and the version in force is picked by effective date.
import { describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { defaultPoliciesDir, loadPolicies, parsePolicyFiles } from '../../compliance/policy-load.ts';
import { parsePolicy } from '../../compliance/policy.ts';
import { buildPolicySet, slaPolicyAt } from '../../compliance/policy-versions.ts';
import { dateMs, durationHours, periodBounds } from '../../compliance/sla-time.ts';
import { DOC_POLICY, slaPolicyText, twoVersionPolicies } from './policy-fixtures.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isPatchproofError(e) ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
}

describe('default policies', () => {
  const policies = loadPolicies(defaultPoliciesDir());

  it('has the three documents, one of which drives the SLA engine', () => {
    expect(policies.map((p) => p.id)).toEqual(['change-management-patches', 'patch-management', 'vulnerability-management']);
    const pm = policies.find((p) => p.id === 'patch-management')!;
    expect(pm.severity_classes.map((c) => [c.id, c.sla_hours])).toEqual([['critical', 72], ['high', 336], ['medium', 720], ['low', 2160]]);
    expect(pm).toMatchObject({ clock_start: 'fix-published', kernel_requires_reboot: true, stale_after_hours: 72, evidence_cadence_hours: 24, unfixed_policy: 'report-only', unrated_class: 'medium' });
    expect(pm.controls).toContainEqual({ framework: 'pci-dss', id: '6.3.3' });
    expect(buildPolicySet(policies, periodBounds({ start: '2026-01-01', end: '2026-06-30' })).sla).toHaveLength(1);
  });

  it('bodies are plain Markdown: no JSX or expressions for MDX to trip on', () => {
    for (const p of policies) {
      expect(p.body).not.toMatch(/[<{}]/);
      expect(p.body.length).toBeGreaterThan(2000);
    }
  });
});

describe('parsePolicy', () => {
  const good = slaPolicyText({ version: '1.0', effective: '2024-01-01' });

  it('reads durations in hours, days and weeks', () => {
    expect([durationHours('72h'), durationHours('14d'), durationHours('2w'), durationHours('1.5d')]).toEqual([72, 336, 336, 36]);
    expect(codeOf(() => durationHours('3 days'))).toBe('CMP_POLICY_INVALID');
  });

  it('refuses broken front matter', () => {
    const bad = (text: string) => codeOf(() => parsePolicy(text, 'patch-management.mdx'));
    expect(bad('# no front matter')).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('sla: 72h', 'sla: 3 days'))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('owner: Head of Infrastructure\n', ''))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('clock_start: fix-published\n', ''))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('id: high', 'id: critical'))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('effective: "2024-01-01"', 'effective: "2024-02-30"'))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('min: 9.0, max: 10.0', 'min: 10.0, max: 9.0'))).toBe('CMP_POLICY_INVALID');
    expect(bad(good.replace('unrated_class: medium', 'unrated_class: urgent'))).toBe('CMP_POLICY_INVALID');
    expect(bad(`${good.slice(0, 4)}id: x\n${good.slice(4)}`)).toBe('CMP_POLICY_INVALID');
  });

  it('checks the file name against id and version, and hashes the file', () => {
    expect(codeOf(() => parsePolicyFiles({ 'other.mdx': good }))).toBe('CMP_POLICY_INVALID');
    expect(codeOf(() => parsePolicyFiles({ 'patch-management@2.0.mdx': good }))).toBe('CMP_POLICY_INVALID');
    const [a] = parsePolicyFiles({ 'patch-management@1.0.mdx': good });
    const [b] = parsePolicyFiles({ 'patch-management@1.0.mdx': `${good}\nOne more line.\n` });
    expect(a!.sha256).not.toBe(b!.sha256);
  });
});

describe('policy versions', () => {
  const bounds = periodBounds({ start: '2025-01-01', end: '2025-03-31' });

  it('applies each version from its effective date; before the first, the first', () => {
    const set = buildPolicySet(twoVersionPolicies(), bounds);
    expect(set.sla.map((v) => v.policy.version)).toEqual(['1.0', '2.0']);
    expect(slaPolicyAt(set, dateMs('2023-06-01')).version).toBe('1.0');
    expect(slaPolicyAt(set, dateMs('2025-02-14') + 86_399_000).version).toBe('1.0');
    expect(slaPolicyAt(set, dateMs('2025-02-15')).version).toBe('2.0');
    expect(set.all.find((v) => v.policy.id === 'change-management-patches')!.in_force).toEqual({ from: '2025-01-01', to: '2025-03-31' });
  });

  it('needs exactly one policy with severity classes, and distinct versions', () => {
    expect(codeOf(() => buildPolicySet(parsePolicyFiles({ 'change-management-patches.mdx': DOC_POLICY }), bounds))).toBe('CMP_POLICY_NOT_FOUND');
    const other = slaPolicyText({ version: '1.0', effective: '2024-01-01' }).replace('id: patch-management', 'id: other-sla');
    expect(codeOf(() => buildPolicySet([...twoVersionPolicies(), ...parsePolicyFiles({ 'other-sla.mdx': other })], bounds))).toBe('CMP_POLICY_INVALID');
    const same = parsePolicyFiles({
      'patch-management@1.0.mdx': slaPolicyText({ version: '1.0', effective: '2024-01-01' }),
      'patch-management.mdx': slaPolicyText({ version: '2.0', effective: '2024-01-01' }),
    });
    expect(codeOf(() => buildPolicySet(same, bounds))).toBe('CMP_POLICY_INVALID');
  });
});
