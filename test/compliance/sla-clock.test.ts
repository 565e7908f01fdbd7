// Clock rules other than the default: first-detected, clock-from-detection for unfixed
// advisories, and the per-report statuses at arbitrary instants.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import { judgeAt, startClock, ttrHours } from '../../compliance/sla-clock.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { ADVISORIES, fleetSnapshot, H, PERIOD } from './scenario-fleet.ts';

const ADV = { snapshot_hash: 'f'.repeat(64), records: ADVISORIES };

describe('clock start rules', () => {
  it('first-detected starts the clock at the first report after publication', () => {
    const m = evaluate({ evidence: fleetSnapshot(), policies: singlePolicy({ clockStart: 'first-detected' }), advisories: ADV, period: PERIOD, organisation: 'X' });
    const f = m.findings.find((x) => x.host_id === H.late)!;
    expect(f).toMatchObject({ clock_started_at: '2025-01-11T06:00:00Z', due_at: '2025-01-25T06:00:00Z', status: 'fixed-late' });
  });

  it('clock-from-detection gives unfixed advisories a due date', () => {
    const m = evaluate({ evidence: fleetSnapshot(), policies: singlePolicy({ unfixed: 'clock-from-detection' }), advisories: ADV, period: PERIOD, organisation: 'X' });
    const f = m.findings.find((x) => x.host_id === H.unfixed)!;
    expect(f).toMatchObject({ clock_started_at: '2025-01-15T06:00:00Z', due_at: '2025-02-14T06:00:00Z', status: 'open-overdue', fixed_version: null });
  });
});

describe('judgeAt', () => {
  const policy = singlePolicy()[0]!;
  const facts = { exposedMs: 0, publishedMs: 1000, fixPublishedMs: 1000, unfixed: false, detectedMs: 2000, remediatedMs: 5000 + 72 * 3_600_000 };
  const clock = startClock(policy, 'critical', facts);

  it('moves from open-within-sla to open-overdue to fixed-late', () => {
    expect(clock).toEqual({ clockMs: 1000, dueMs: 1000 + 72 * 3_600_000 });
    expect(judgeAt(clock, facts, [], 2000).status).toBe('open-within-sla');
    expect(judgeAt(clock, facts, [], clock.dueMs! + 1).status).toBe('open-overdue');
    expect(judgeAt(clock, facts, [], facts.remediatedMs + 1).status).toBe('fixed-late');
    expect(ttrHours(clock, facts)).toBeCloseTo(72 + 4000 / 3_600_000);
  });

  it('a fix at the due instant is in SLA', () => {
    const atDue = { ...facts, remediatedMs: clock.dueMs! };
    expect(judgeAt(clock, atDue, [], clock.dueMs! + 1).status).toBe('fixed-in-sla');
  });
});
