// The policy's clock_start rule on hand-built hosts: fix-published measures every exposure from
// the fix's publication, even one that began later (a host enrolled or a package installed after
// the fix was out); first-detected measures from the first affected report at or after it.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel, ModelFinding } from '../../compliance/model-types.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, debianAdvisory, pkg, snapshotOf, type HostSpec } from './scenario.ts';

const PERIOD = { start: '2025-01-01', end: '2025-03-31' } as const;
const ADVISORIES = [debianAdvisory({ id: 'DSA-1001-1', source: 'openssl', fixed: '3.0.15-1', published: '2025-01-10T12:00:00Z', summary: 'Important: openssl security update' })];
const OLD = pkg('openssl', '3.0.14-1');
const NEW = pkg('openssl', '3.0.15-1');
const H = { before: 'h_00000000000000c1', enrolledLater: 'h_00000000000000c2', installedLater: 'h_00000000000000c3' } as const;

const SPECS: HostSpec[] = [
  // Exposed before the fix was published; upgraded on 2025-02-01.
  { id: H.before, hostname: 'before', start: '2024-12-01', end: '2025-03-31', packages: [OLD], events: [{ date: '2025-02-01', set: [NEW] }] },
  // Enrolled on 2025-02-05 with the affected version (the fix was already out); upgraded 2025-02-12.
  { id: H.enrolledLater, hostname: 'enrolled-later', start: '2025-02-05', end: '2025-03-31', packages: [OLD], events: [{ date: '2025-02-12', set: [NEW] }] },
  // Installs the affected version on 2025-03-25, after the fix; still installed at period end.
  { id: H.installedLater, hostname: 'installed-later', start: '2024-12-01', end: '2025-03-31', packages: [pkg('bash', '5.2.15-2')], events: [{ date: '2025-03-25', set: [OLD] }] },
];

function model(clockStart: 'fix-published' | 'first-detected'): ComplianceModel {
  return evaluate({
    evidence: snapshotOf(SPECS.map(buildHost)), policies: singlePolicy({ clockStart }), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES },
    period: PERIOD, organisation: 'Example Ltd',
  });
}

function rows(m: ComplianceModel): Record<string, Partial<ModelFinding>> {
  return Object.fromEntries(m.findings.map((f) => [f.host_id, {
    exposed_since: f.exposed_since, fix_published_at: f.fix_published_at, detected_at: f.detected_at, clock_started_at: f.clock_started_at,
    due_at: f.due_at, remediated_at: f.remediated_at, status: f.status, age_days: f.age_days,
  }]));
}

describe('clock_start: fix-published', () => {
  it('starts every clock at the fix publication, also for exposures that began later', () => {
    const published = { fix_published_at: '2025-01-10T12:00:00Z', clock_started_at: '2025-01-10T12:00:00Z', due_at: '2025-01-24T12:00:00Z' };
    expect(rows(model('fix-published'))).toEqual({
      [H.before]: { ...published, exposed_since: '2024-12-01T06:00:00Z', detected_at: '2025-01-11T06:00:00Z', remediated_at: '2025-02-01T06:00:00Z', status: 'fixed-late', age_days: 21.8 },
      [H.enrolledLater]: { ...published, exposed_since: '2025-02-05T06:00:00Z', detected_at: '2025-02-05T06:00:00Z', remediated_at: '2025-02-12T06:00:00Z', status: 'fixed-late', age_days: 32.8 },
      [H.installedLater]: { ...published, exposed_since: '2025-03-25T06:00:00Z', detected_at: '2025-03-25T06:00:00Z', remediated_at: null, status: 'open-overdue', age_days: 80.5 },
    });
  });
});

describe('clock_start: first-detected', () => {
  it('starts each clock at the first affected report at or after the publication', () => {
    expect(rows(model('first-detected'))).toEqual({
      [H.before]: {
        exposed_since: '2024-12-01T06:00:00Z', fix_published_at: '2025-01-10T12:00:00Z', detected_at: '2025-01-11T06:00:00Z', clock_started_at: '2025-01-11T06:00:00Z',
        due_at: '2025-01-25T06:00:00Z', remediated_at: '2025-02-01T06:00:00Z', status: 'fixed-late', age_days: 21,
      },
      [H.enrolledLater]: {
        exposed_since: '2025-02-05T06:00:00Z', fix_published_at: '2025-01-10T12:00:00Z', detected_at: '2025-02-05T06:00:00Z', clock_started_at: '2025-02-05T06:00:00Z',
        due_at: '2025-02-19T06:00:00Z', remediated_at: '2025-02-12T06:00:00Z', status: 'fixed-in-sla', age_days: 7,
      },
      [H.installedLater]: {
        exposed_since: '2025-03-25T06:00:00Z', fix_published_at: '2025-01-10T12:00:00Z', detected_at: '2025-03-25T06:00:00Z', clock_started_at: '2025-03-25T06:00:00Z',
        due_at: '2025-04-08T06:00:00Z', remediated_at: null, status: 'open-within-sla', age_days: 6.8,
      },
    });
  });

  it('the model records the rule each policy version applied', () => {
    expect(model('first-detected').policies.find((p) => p.id === 'patch-management')!.clock_start).toBe('first-detected');
    expect(model('fix-published').policies.find((p) => p.id === 'patch-management')!.clock_start).toBe('fix-published');
  });
});
