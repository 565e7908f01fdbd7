// One check-in: collect this host's state and write it to the spool under the next seq. After
// this returns a seq the report survives anything short of losing the disk.
import { randomBytes } from 'node:crypto';
import type { PatchproofError } from '../evidence/errors.ts';
import type { Package } from '../evidence/types.gen.ts';
import type { Clock } from './clock.ts';
import type { AgentLog } from './log.ts';
import type { CollectedBody } from './report-wire.ts';
import type { StateStore } from './state.ts';

/** What a collection yields (agent/collect.ts's `Collected`): a full body, packages included. */
export interface CollectedReport {
  body: CollectedBody & { packages: Package[] };
}

export type CollectFn = (options: { since?: Date; now: () => Date }) => Promise<CollectedReport>;

/** 128 random bits, base64url: matches the protocol's report id pattern. */
export function newReportId(): string {
  return randomBytes(16).toString('base64url');
}

export interface CheckinDeps {
  store: StateStore;
  collect: CollectFn;
  clock: Clock;
  log: AgentLog;
  newReportId: () => string;
}

/** Collects and spools one report; returns its seq, or null after logging (loudly) why not. */
export async function checkin({ store, collect, clock, log, newReportId: makeId }: CheckinDeps): Promise<number | null> {
  const last = store.state.last_collected_at;
  let collected: CollectedReport;
  try {
    collected = await collect({ ...(last ? { since: new Date(last) } : {}), now: () => clock.now() });
  } catch (err) {
    log.error(`collection failed: ${(err as Error).message}`, { code: 'AGT_COLLECT_FAILED', cause_code: (err as PatchproofError).code ?? null });
    return null;
  }
  const seq = store.state.next_seq;
  const reportId = makeId();
  try {
    const { superseded } = await store.spool.add({ seq, report_id: reportId, spooled_at: clock.now().toISOString(), body: collected.body });
    if (superseded.length > 0) {
      log.warn(`spool full: report ${seq} superseded ${superseded.length} older unchanged heartbeat(s)`, { code: 'AGT_SPOOL_FULL', superseded });
    }
  } catch (err) {
    const e = err as PatchproofError;
    // The spool remembers the loss; the next report it takes carries it as a warning.
    const carried = store.spool.lost.tallies.length > 0 ? { lost_checkins: store.spool.lost.tallies.reduce((n, t) => n + t.count, 0) } : {};
    log.error(e.message, { code: e.code ?? 'AGT_SPOOL_WRITE_FAILED', ...(e.data ?? {}), ...carried });
    return null;
  }
  try {
    // The next report's history starts where this one's collection did.
    await store.update({ next_seq: seq + 1, last_collected_at: collected.body.collected_at });
  } catch (err) {
    // The spool entry is durable and StateStore.open() recomputes next_seq from it: nothing is lost.
    log.error((err as Error).message, { code: (err as PatchproofError).code ?? 'AGT_STATE_WRITE_FAILED' });
  }
  const b = collected.body;
  log.info('report spooled', {
    seq,
    report_id: reportId,
    inventory_count: b.inventory_count,
    pending: b.pending.length,
    security: b.pending.filter((p) => p.security).length,
    spooled: store.spool.entries().length,
  });
  return seq;
}
