// sha256 helpers used for the per-host report chain, the audit chain and inventory hashes.
import { createHash } from 'node:crypto';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
