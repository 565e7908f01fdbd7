// Audit entries recorded while another process holds the evidence repository's writer lock
// (e.g. `patchproof token create` next to a running collector). Whoever holds the lock drains
// them into the hash-chained audit log, keeping each entry's original time.
import type { AuditInput } from '../../evidence/audit-log.ts';
import { sql, type Db } from './db.ts';

export interface OutboxItem {
  id: number;
  input: AuditInput;
}

interface StoredInput extends Omit<AuditInput, 'time'> {
  time?: string;
}

export class AuditOutbox {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  add(input: AuditInput, now: Date): void {
    const stored: StoredInput = { ...input, time: (input.time ?? now).toISOString() };
    sql(this.#db, 'INSERT INTO audit_outbox (entry, created_at) VALUES (?, ?)').run(JSON.stringify(stored), now.toISOString());
  }

  peek(limit = 500): OutboxItem[] {
    const rows = sql(this.#db, 'SELECT id, entry FROM audit_outbox ORDER BY id LIMIT ?').all(limit) as { id: number; entry: string }[];
    return rows.map((r) => {
      const stored = JSON.parse(r.entry) as StoredInput;
      const { time, ...rest } = stored;
      return { id: r.id, input: { ...rest, ...(time === undefined ? {} : { time: new Date(time) }) } };
    });
  }

  remove(ids: readonly number[]): void {
    const stmt = sql(this.#db, 'DELETE FROM audit_outbox WHERE id = ?');
    for (const id of ids) stmt.run(id);
  }

  size(): number {
    return (sql(this.#db, 'SELECT COUNT(*) AS n FROM audit_outbox').get() as { n: number }).n;
  }
}
