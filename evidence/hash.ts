// sha256 helpers used for the per-host report chain, the audit chain and inventory hashes.
import { hash } from 'node:crypto';

/** One-shot (crypto.hash): no Hash object per call, which matters when hashing every report of a year. */
export function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}
