import { describe, expect, it } from 'vitest';
import { manualClock, realClock } from '../../agent/clock.ts';

describe('manual clock', () => {
  it('fires sleepers in time order as it advances, with now() at each due time', async () => {
    const clock = manualClock('2025-01-01T00:00:00Z');
    const seen: string[] = [];
    void clock.sleep(3000).then(() => seen.push(`c@${clock.now().toISOString()}`));
    void clock.sleep(1000).then(() => seen.push(`a@${clock.now().toISOString()}`));
    void clock.sleep(2000).then(() => seen.push(`b@${clock.now().toISOString()}`));
    await clock.advance(2500);
    expect(seen).toEqual(['a@2025-01-01T00:00:01.000Z', 'b@2025-01-01T00:00:02.000Z']);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:02.500Z');
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()?.toISOString()).toBe('2025-01-01T00:00:03.000Z');
    expect(await clock.advanceToNext()).toBe(true);
    expect(seen.at(-1)).toBe('c@2025-01-01T00:00:03.000Z');
    expect(await clock.advanceToNext()).toBe(false);
  });

  it('resolves false on abort and forgets the timer', async () => {
    const clock = manualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort();
    expect(await p).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    const aborted = new AbortController();
    aborted.abort();
    expect(await clock.sleep(10, aborted.signal)).toBe(false);
  });

  it('runs a loop of sleepers over a long span, settling after each', async () => {
    const clock = manualClock('2025-01-01T00:00:00Z');
    let ticks = 0;
    void (async () => {
      while (await clock.sleep(86_400_000)) ticks++;
    })();
    let settles = 0;
    await clock.runUntil('2025-06-30T00:00:00Z', async () => void settles++);
    expect(ticks).toBe(180);
    expect(settles).toBe(180);
  });
});

describe('real clock', () => {
  it('sleeps and can be woken early', async () => {
    expect(await realClock.sleep(5)).toBe(true);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5);
    const start = Date.now();
    expect(await realClock.sleep(10_000, ac.signal)).toBe(false);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});
