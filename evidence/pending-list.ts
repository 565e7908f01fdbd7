// The pending-updates list in one canonical order, and its hash: what agent and collector compare
// instead of resending an unchanged list on every check-in (docs/protocol.md, `pending_sha256`).
import { canonicalJson } from './canonical-json.ts';
import { sha256Hex } from './hash.ts';
import type { PendingUpdate } from './types.gen.ts';

function keyed(pending: readonly PendingUpdate[]): { p: PendingUpdate; key: string }[] {
  return pending.map((p) => ({ p, key: canonicalJson(p) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Sorted by each item's canonical JSON: a total order, so any permutation of a list sorts the same. */
export function sortPendingCanonical(pending: readonly PendingUpdate[]): PendingUpdate[] {
  return keyed(pending).map((x) => x.p);
}

/**
 * sha256 (hex) of the canonical JSON of the list in canonical order. RFC 8785 writes an array as
 * its elements' canonical JSON joined by commas, so the items' sort keys are reused rather than
 * each item serialised a second time (the list is hashed on every check-in and send).
 */
export function pendingSha256(pending: readonly PendingUpdate[]): string {
  return sha256Hex(`[${keyed(pending).map((x) => x.key).join(',')}]`);
}
