// Token-bucket rate limits on the injected clock: per device (WebSocket messages per minute) and
// per source address (enrolment attempts). Bounded memory: idle full buckets are swept.
import type { Clock } from './clock.ts';

export interface RateLimitOptions {
  /** Sustained events per minute. */
  readonly perMinute: number;
  /** Largest burst allowed at once (defaults to perMinute). */
  readonly burst?: number;
  /** Keys remembered at most; beyond it the oldest are forgotten (they start full again). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #clock: Clock;
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(clock: Clock, options: RateLimitOptions) {
    this.#clock = clock;
    this.#rate = options.perMinute / 60_000;
    this.#burst = options.burst ?? options.perMinute;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token for `key`; false when the key is over its limit. */
  take(key: string): boolean {
    const now = this.#clock().getTime();
    let b = this.#buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.#burst, b.tokens + Math.max(0, now - b.at) * this.#rate);
      b.at = now;
    } else {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep(now);
      b = { tokens: this.#burst, at: now };
      this.#buckets.set(key, b);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  forget(key: string): void {
    this.#buckets.delete(key);
  }

  get size(): number {
    return this.#buckets.size;
  }

  #sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#rate >= this.#burst) this.#buckets.delete(key);
    }
    // Still full of active keys: drop the oldest insertion (Map keeps insertion order).
    while (this.#buckets.size >= this.#maxKeys) {
      const first = this.#buckets.keys().next();
      if (first.done) break;
      this.#buckets.delete(first.value);
    }
  }
}
