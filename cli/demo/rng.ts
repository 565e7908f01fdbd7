// Seeded randomness for the demo (mulberry32): the same seed gives the same fleet, the same
// check-in jitter and the same machine ids on every run.
import { createHash } from 'node:crypto';

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-hex-digit id (machine-id style) derived from a seed and a name. */
export function stableHex(seed: number, name: string, length = 32): string {
  return createHash('sha256').update(`${seed}:${name}`).digest('hex').slice(0, length);
}
