import { describe, expect, it } from 'vitest';
import { manualClock } from '../../collector/clock.ts';
import { RateLimiter } from '../../collector/rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refills on the injected clock', () => {
    const clock = manualClock('2025-01-01T00:00:00Z');
    const rl = new RateLimiter(clock, { perMinute: 60, burst: 3 });
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
    expect(rl.take('b')).toBe(true);
    clock.advance(1000);
    expect([rl.take('a'), rl.take('a')]).toEqual([true, false]);
  });
  it('stays bounded in memory', () => {
    const clock = manualClock('2025-01-01T00:00:00Z');
    const rl = new RateLimiter(clock, { perMinute: 10, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) rl.take(`k${i}`);
    expect(rl.size).toBeLessThanOrEqual(100);
  });
});
