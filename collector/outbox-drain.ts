// Moves audit entries queued by CLI commands (while this collector held the repository lock)
// into the audit log, oldest first, keeping their original times.
import type { EvidenceSink } from './evidence-sink.ts';
import type { AuditOutbox } from './state/audit-outbox.ts';

const draining = new WeakMap<AuditOutbox, Promise<number>>();

export function drainOutbox(outbox: AuditOutbox, sink: Pick<EvidenceSink, 'write'>, log?: { warn: (o: object, m: string) => void }): Promise<number> {
  const running = draining.get(outbox);
  if (running) return running;
  const p = (async () => {
    let total = 0;
    for (;;) {
      const items = outbox.peek(200);
      if (items.length === 0) return total;
      try {
        await sink.write([], `audit: ${items.length} queued entr${items.length === 1 ? 'y' : 'ies'}`, items.map((i) => i.input));
      } catch (err) {
        log?.warn({ err }, 'draining the audit outbox failed; will retry');
        return total;
      }
      outbox.remove(items.map((i) => i.id));
      total += items.length;
    }
  })().finally(() => draining.delete(outbox));
  draining.set(outbox, p);
  return p;
}

