import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff } from '../../agent/backoff.ts';
import { checkinOverdue, hostPhaseMs, nextCheckinMs } from '../../agent/schedule.ts';

describe('backoff', () => {
  it('is full jitter: random() * min(cap, base * 2^attempt)', () => {
    expect(backoffDelay(0, 1, 1000, 60_000)).toBe(1000);
    expect(backoffDelay(3, 1, 1000, 60_000)).toBe(8000);
    expect(backoffDelay(3, 0.5, 1000, 60_000)).toBe(4000);
    expect(backoffDelay(10, 1, 1000, 60_000)).toBe(60_000);
    expect(backoffDelay(5000, 0.25, 1000, 60_000)).toBe(15_000);
    expect(backoffDelay(2, 0, 1000, 60_000)).toBe(0);
  });

  it('counts attempts, uses the injected random and resets after success', () => {
    const draws = [1, 0.5, 1, 1, 1, 1, 1, 1];
    const b = createBackoff({ baseMs: 100, capMs: 1000, random: () => draws.shift() ?? 1 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 100, 400, 800, 1000, 1000]);
    expect(b.attempt).toBe(6);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(100);
  });

  it('refuses nonsense bounds', () => {
    expect(() => createBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => createBackoff({ baseMs: 10, capMs: 5 })).toThrow(RangeError);
  });
});

describe('check-in schedule', () => {
  const hour = 3_600_000;

  it('gives each host a stable phase within the interval', () => {
    expect(hostPhaseMs('h_0123456789abcdef', hour)).toBe(hostPhaseMs('h_0123456789abcdef', hour));
    expect(hostPhaseMs('h_0123456789abcdef', hour)).not.toBe(hostPhaseMs('h_0123456789abcdee', hour));
    const phases = Array.from({ length: 1000 }, (_, i) => hostPhaseMs(`h_${i.toString(16).padStart(16, '0')}`, hour));
    expect(Math.min(...phases)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...phases)).toBeLessThan(hour);
    // A fleet spreads over the interval instead of reporting in lockstep: every 6-minute bucket is used.
    const buckets = new Set(phases.map((p) => Math.floor(p / (hour / 10))));
    expect(buckets.size).toBe(10);
  });

  it('schedules the next slot after now at the host phase plus bounded jitter', () => {
    const plan = { intervalMs: hour, jitterMs: 60_000, phaseMs: 600_000 };
    const now = Date.parse('2025-01-01T00:20:00Z');
    expect(new Date(nextCheckinMs(now, plan, () => 0)).toISOString()).toBe('2025-01-01T01:10:00.000Z');
    expect(new Date(nextCheckinMs(now, plan, () => 0.5)).toISOString()).toBe('2025-01-01T01:10:30.000Z');
    const before = Date.parse('2025-01-01T00:05:00Z');
    expect(new Date(nextCheckinMs(before, plan, () => 0)).toISOString()).toBe('2025-01-01T00:10:00.000Z');
    // Exactly at a slot: the next one, never now again.
    expect(nextCheckinMs(Date.parse('2025-01-01T00:10:00Z'), plan, () => 0)).toBe(Date.parse('2025-01-01T01:10:00Z'));
  });

  it('knows when a check-in is overdue', () => {
    expect(checkinOverdue(1000, null, 500)).toBe(true);
    expect(checkinOverdue(1000, 600, 500)).toBe(false);
    expect(checkinOverdue(1100, 600, 500)).toBe(true);
  });
});
