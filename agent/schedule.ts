// When to check in: on a fixed interval, each host at its own phase (a deterministic offset
// derived from its host id) plus a little random jitter, so a fleet never reports in lockstep.
import { createHash } from 'node:crypto';

/** A stable offset in [0, intervalMs) for this host: the same host always lands on the same phase. */
export function hostPhaseMs(hostId: string, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  const digest = createHash('sha256').update(`patchproof-checkin:${hostId}`).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(Math.floor(intervalMs)));
}

export interface CheckinPlan {
  intervalMs: number;
  jitterMs: number;
  phaseMs: number;
}

/**
 * The next check-in strictly after `nowMs`: the next slot k * interval + phase, plus
 * random() * jitter. Slots are aligned to the epoch, so restarts keep the host's phase.
 */
export function nextCheckinMs(nowMs: number, plan: CheckinPlan, random: () => number): number {
  const { intervalMs, jitterMs, phaseMs } = plan;
  const slot = Math.floor((nowMs - phaseMs) / intervalMs) + 1;
  return slot * intervalMs + phaseMs + Math.floor(Math.max(0, Math.min(1, random())) * jitterMs);
}

/** Whether a check-in is overdue: nothing collected yet, or the last collection is an interval old. */
export function checkinOverdue(nowMs: number, lastCollectedMs: number | null, intervalMs: number): boolean {
  return lastCollectedMs === null || nowMs - lastCollectedMs >= intervalMs;
}
