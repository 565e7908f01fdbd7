// The SLA clock of one finding and its status at any instant: pure arithmetic over the times
// established from evidence (exposure, publication, fix release, detection, remediation) and the policy
// version in force at the clock start.
import { excusingAt, expiredBy, type ExceptionRule } from './exceptions.ts';
import type { FindingStatus } from './model-types.ts';
import type { Policy, SeverityClassId } from './policy.ts';
import { HOUR_MS } from './sla-time.ts';

export interface ClockFacts {
  readonly exposedMs: number;
  /** The advisory's publication: when the problem (and, when fixed, its fix) became known. */
  readonly publishedMs: number;
  /** When the fix was released (a linked notice's publication, else publishedMs); the fix-published clock start. */
  readonly fixPublishedMs: number;
  readonly unfixed: boolean;
  readonly detectedMs: number | null;
  readonly remediatedMs: number | null;
}

export interface Clock {
  readonly clockMs: number | null;
  readonly dueMs: number | null;
}

/** Clock start per the policy's rule and due = start + the class's SLA (null: no clock). */
export function startClock(policy: Policy, cls: SeverityClassId, facts: ClockFacts): Clock {
  let clockMs: number | null;
  if (facts.unfixed) clockMs = policy.unfixed_policy === 'clock-from-detection' ? facts.detectedMs : null;
  else clockMs = policy.clock_start === 'first-detected' ? facts.detectedMs : facts.fixPublishedMs;
  const sla = policy.severity_classes.find((c) => c.id === cls);
  if (clockMs === null || sla === undefined) return { clockMs, dueMs: null };
  return { clockMs, dueMs: clockMs + sla.sla_hours * HOUR_MS };
}

export interface Judgement {
  readonly status: FindingStatus;
  readonly exception: ExceptionRule | undefined;
}

function judgeOpen(clock: Clock, facts: ClockFacts, rules: readonly ExceptionRule[], t: number): Judgement {
  const active = excusingAt(rules, t);
  if (active) return { status: 'excepted', exception: active };
  if (clock.dueMs === null) return { status: facts.unfixed ? 'unfixed-upstream' : 'open-within-sla', exception: undefined };
  if (t <= clock.dueMs) return { status: 'open-within-sla', exception: undefined };
  const expired = expiredBy(rules, t, facts.exposedMs);
  return expired ? { status: 'exception-expired', exception: expired } : { status: 'open-overdue', exception: undefined };
}

/**
 * Status as of instant t: open findings are judged at t (exceptions in force at t), fixed ones
 * at their remediation (a late fix is excused only by an exception in force when it was fixed).
 */
export function judgeAt(clock: Clock, facts: ClockFacts, rules: readonly ExceptionRule[], t: number): Judgement {
  const fixed = facts.remediatedMs !== null && facts.remediatedMs < t;
  if (!fixed) return judgeOpen(clock, facts, rules, t);
  const remediatedMs = facts.remediatedMs as number;
  if (clock.dueMs === null || remediatedMs <= clock.dueMs) return { status: 'fixed-in-sla', exception: undefined };
  const active = excusingAt(rules, remediatedMs);
  return active ? { status: 'excepted', exception: active } : { status: 'fixed-late', exception: undefined };
}

/** Hours from clock start to remediation (never negative), or null without both. */
export function ttrHours(clock: Clock, facts: ClockFacts): number | null {
  if (clock.clockMs === null || facts.remediatedMs === null) return null;
  return Math.max(0, facts.remediatedMs - clock.clockMs) / HOUR_MS;
}
