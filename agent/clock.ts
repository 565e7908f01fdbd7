// The agent's only source of scheduling time: check-ins and backoff sleep on a Clock, so tests
// and the demo can run months of simulated time in seconds with a manual (virtual) clock.
export interface Clock {
  now(): Date;
  /** Resolves true once `ms` have passed, or false as soon as `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

export const realClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** Called after each fired timer, before time moves on: e.g. wait until every runner is idle. */
export type Settle = () => Promise<unknown>;

export interface ManualClock extends Clock {
  /** Moves time forward without firing anything in between (sleepers due by then fire next advance). */
  set(time: Date | string | number): void;
  /** Moves time forward by `ms`, firing due sleepers in time order, settling after each. */
  advance(ms: number, settle?: Settle): Promise<void>;
  /** Like advance, to an absolute time. */
  runUntil(time: Date | string | number, settle?: Settle): Promise<void>;
  /** Jumps to the earliest pending sleeper and fires it (and any due at the same instant); false if none. */
  advanceToNext(settle?: Settle): Promise<boolean>;
  nextTimerAt(): Date | null;
  pendingTimers(): number;
}

interface Timer {
  due: number;
  order: number;
  resolve: (elapsed: boolean) => void;
}

/** Lets promise continuations and I/O callbacks queued by a fired sleeper run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const defaultSettle: Settle = () => yieldToEventLoop();

/** A clock that moves only when told to: for tests and the simulated-fleet demo. */
export function manualClock(start: Date | string | number): ManualClock {
  let t = new Date(start).getTime();
  let counter = 0;
  const timers: Timer[] = [];

  const remove = (timer: Timer) => {
    const i = timers.indexOf(timer);
    if (i >= 0) timers.splice(i, 1);
  };

  const fireDue = (): number => {
    timers.sort((a, b) => a.due - b.due || a.order - b.order);
    let fired = 0;
    while (timers.length > 0 && timers[0]!.due <= t) {
      timers.shift()!.resolve(true);
      fired++;
    }
    return fired;
  };

  const runUntil = async (target: number, settle: Settle) => {
    for (;;) {
      timers.sort((a, b) => a.due - b.due || a.order - b.order);
      const next = timers[0];
      if (!next || next.due > target) break;
      if (next.due > t) t = next.due;
      fireDue();
      // Let the woken sleepers' continuations run before asking whether things have settled.
      await yieldToEventLoop();
      await settle();
    }
    if (target > t) t = target;
  };

  return {
    now: () => new Date(t),
    sleep(ms, signal) {
      return new Promise<boolean>((resolve) => {
        if (signal?.aborted) return resolve(false);
        const timer: Timer = { due: t + Math.max(0, ms), order: counter++, resolve: () => {} };
        const onAbort = () => {
          remove(timer);
          resolve(false);
        };
        timer.resolve = (elapsed) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(elapsed);
        };
        timers.push(timer);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    set(time) {
      t = new Date(time).getTime();
    },
    advance: (ms, settle = defaultSettle) => runUntil(t + ms, settle),
    runUntil: (time, settle = defaultSettle) => runUntil(new Date(time).getTime(), settle),
    async advanceToNext(settle = defaultSettle) {
      timers.sort((a, b) => a.due - b.due || a.order - b.order);
      const next = timers[0];
      if (!next) return false;
      await runUntil(Math.max(next.due, t), settle);
      return true;
    },
    nextTimerAt() {
      if (timers.length === 0) return null;
      return new Date(Math.min(...timers.map((x) => x.due)));
    },
    pendingTimers: () => timers.length,
  };
}
