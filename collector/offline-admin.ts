// Admin actions from the command line (`patchproof token …`, `patchproof apikey …`): they change
// the state database directly (WAL lets a running collector share it) and queue their audit
// entries in the outbox; if no collector holds the repository lock, the entries are committed
// right away, otherwise the running collector drains them within seconds.
import { join } from 'node:path';
import { AuditLog } from '../evidence/audit-log.ts';
import { isPatchproofError } from '../evidence/errors.ts';
import { loadHome, type LoadedHome } from '../evidence/home.ts';
import type { RecordAudit } from './admin-actions.ts';
import { systemClock, type Clock } from './clock.ts';
import { defaultRandom } from './secrets.ts';
import { openStateDb } from './state/db.ts';
import { collectorState, type CollectorState } from './state/state.ts';

export interface OfflineAdmin {
  readonly state: CollectorState;
  readonly home: LoadedHome;
  readonly clock: Clock;
  readonly record: RecordAudit;
  /** Commits queued audit entries if the repository is free; returns how many are still queued. */
  finish(): Promise<{ committed: number; queued: number }>;
}

export async function openOfflineAdmin(homeDir: string, clock: Clock = systemClock): Promise<OfflineAdmin> {
  const home = await loadHome(homeDir, { clock });
  const db = openStateDb(join(home.paths.state, 'collector.db'));
  const state = collectorState(db, clock, defaultRandom);
  return {
    state,
    home,
    clock,
    record: async (input) => {
      state.outbox.add(input, clock());
    },
    finish: async () => {
      try {
        const items = state.outbox.peek(10_000);
        if (items.length === 0) return { committed: 0, queued: 0 };
        let store;
        try {
          store = await home.openStore({ clock });
        } catch (err) {
          if (isPatchproofError(err, 'EVD_LOCKED')) return { committed: 0, queued: state.outbox.size() };
          throw err;
        }
        try {
          const audit = await AuditLog.load(store, { clock });
          await audit.append(
            items.map((i) => i.input),
            [],
            `audit: ${items.map((i) => i.input.action).join(', ')}`.slice(0, 200),
          );
          state.outbox.remove(items.map((i) => i.id));
          return { committed: items.length, queued: state.outbox.size() };
        } finally {
          await store.close();
        }
      } finally {
        db.close();
      }
    },
  };
}

/** The CLI's note when audit entries stay queued for a running collector. */
export function reportQueued(io: { stderr: (s: string) => void }, queued: number): void {
  if (queued > 0) io.stderr(`audit: ${queued} entr${queued === 1 ? 'y' : 'ies'} queued; the running collector commits them to the audit log\n`);
}
