// What a spooled report looks like on the wire. Like the inventory, the pending-updates list is
// sent in full only when the collector may not hold it (changed since the last acknowledged
// report, or asked for); otherwise its hash and count stand for it.
import { pendingSha256 } from '../evidence/pending-list.ts';
import type { Package, PendingUpdate, ReportBody } from '../evidence/types.gen.ts';

/** A report body as collected and spooled: the pending list is always there. */
export type CollectedBody = ReportBody & { pending: PendingUpdate[] };

export interface WireChoice {
  /** The package list, when it is to be sent. */
  packages?: Package[] | null;
  /** Send the pending list itself (not only its hash). */
  pending: boolean;
}

/** The body to send: hash and count of the pending list always, the lists themselves as chosen. */
export function wireBody(body: CollectedBody, choice: WireChoice): ReportBody {
  const { pending, packages: _packages, pending_sha256: _sha, pending_count: _count, ...rest } = body;
  return {
    ...rest,
    ...(choice.packages ? { packages: choice.packages } : {}),
    ...(choice.pending ? { pending } : {}),
    pending_sha256: pendingSha256(pending),
    pending_count: pending.length,
  };
}
