// A report's pending-updates list, resolved: sent in full (checked against its hash and count) or
// by hash only, standing for the list the collector holds for the host (the pending list of its
// last written envelope). Agents from before `pending_sha256` always send the list. Pure.
import { pendingSha256 } from '../../evidence/pending-list.ts';
import type { PendingUpdate, ReportBody, ReportMessage } from '../../evidence/types.gen.ts';
import type { ColCode } from '../errors.ts';

/** A report whose body carries its full pending list, whichever way it came. */
export type ResolvedReport = ReportMessage & { body: ReportBody & { pending: PendingUpdate[] } };

/** The pending list the collector holds for a host, with its hash. */
export interface HeldPending {
  readonly sha256: string;
  readonly list: readonly PendingUpdate[];
}

export type PendingVerdict = { ok: true; report: ResolvedReport; sha256: string } | { ok: false; code: ColCode; message: string };

export function resolvePending(report: ReportMessage, held: HeldPending | null): PendingVerdict {
  const b = report.body;
  if (b.pending !== undefined) {
    const sha256 = pendingSha256(b.pending);
    if ((b.pending_sha256 !== undefined && b.pending_sha256 !== sha256) || (b.pending_count !== undefined && b.pending_count !== b.pending.length)) {
      return { ok: false, code: 'COL_PENDING_MISMATCH', message: 'pending does not match pending_sha256/pending_count (hash the canonical JSON of the list in canonical order)' };
    }
    return { ok: true, report: report as ResolvedReport, sha256 };
  }
  // The schema requires pending_sha256 and pending_count whenever pending is absent.
  const sha256 = b.pending_sha256!;
  if (held === null || held.sha256 !== sha256) {
    return { ok: false, code: 'COL_PENDING_REQUIRED', message: 'the collector has no pending list with this hash; resend with pending' };
  }
  if (held.list.length !== b.pending_count) {
    return { ok: false, code: 'COL_PENDING_MISMATCH', message: `pending_count ${b.pending_count} differs from the held list of ${held.list.length}` };
  }
  return { ok: true, report: { ...report, body: { ...b, pending: [...held.list] } }, sha256 };
}
