// Reconnect backoff: exponential with full jitter (delay = random() * min(cap, base * 2^attempt)),
// so a fleet that lost its collector does not reconnect in lockstep. Pure; random is injected.
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one more failed attempt. */
  next(): number;
  /** After a successful session: the next failure starts again from `base`. */
  reset(): void;
  readonly attempt: number;
}

export const BACKOFF_DEFAULTS = Object.freeze({ baseMs: 1_000, capMs: 5 * 60_000 });

export function backoffDelay(attempt: number, random: number, baseMs: number, capMs: number): number {
  // 2^attempt overflows to Infinity long after it passes any cap; min() keeps it finite.
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 1024));
  return Math.floor(Math.max(0, Math.min(1, random)) * ceiling);
}

export function createBackoff(options: BackoffOptions = {}): Backoff {
  const baseMs = options.baseMs ?? BACKOFF_DEFAULTS.baseMs;
  const capMs = options.capMs ?? BACKOFF_DEFAULTS.capMs;
  const random = options.random ?? Math.random;
  if (!(baseMs > 0) || !(capMs >= baseMs)) throw new RangeError('backoff needs 0 < baseMs <= capMs');
  let attempt = 0;
  return {
    next() {
      return backoffDelay(attempt++, random(), baseMs, capMs);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
