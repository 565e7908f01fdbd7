// Enrolment tokens (ppe_…): scope (CIDRs, daily cap, expiry, default group) and usage counts.
// The token itself is returned once by create() and stored only as its SHA-256.
import type { Clock } from '../clock.ts';
import { utcDay } from '../clock.ts';
import { hashSecret, looksLikeSecret, newIds, newSecret, secretMatches, type RandomBytes } from '../secrets.ts';
import { sql, transaction, type Db } from './db.ts';

export interface EnrolToken {
  id: string;
  cidrs: string[];
  max_per_day: number | null;
  expires_at: string | null;
  group: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  uses: number;
}

export interface NewEnrolToken {
  cidrs: string[];
  max_per_day: number | null;
  expires_at: string | null;
  group: string;
  created_by: string;
}

interface Row {
  id: string;
  hash: string;
  cidrs: string;
  max_per_day: number | null;
  expires_at: string | null;
  group_name: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  uses: number;
}

function fromRow(r: Row): EnrolToken {
  return {
    id: r.id,
    cidrs: JSON.parse(r.cidrs) as string[],
    max_per_day: r.max_per_day,
    expires_at: r.expires_at,
    group: r.group_name,
    created_at: r.created_at,
    created_by: r.created_by,
    revoked_at: r.revoked_at,
    uses: r.uses,
  };
}

export class EnrolTokenStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #random: RandomBytes;

  constructor(db: Db, clock: Clock, random: RandomBytes) {
    this.#db = db;
    this.#clock = clock;
    this.#random = random;
  }

  create(spec: NewEnrolToken): { token: EnrolToken; secret: string } {
    const secret = newSecret('ppe', this.#random);
    const id = newIds.enrolToken(this.#random);
    const now = this.#clock().toISOString();
    this.#db
      .prepare('INSERT INTO enrol_tokens (id, hash, cidrs, max_per_day, expires_at, group_name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, hashSecret(secret), JSON.stringify(spec.cidrs), spec.max_per_day, spec.expires_at, spec.group, now, spec.created_by);
    return { token: this.get(id)!, secret };
  }

  get(id: string): EnrolToken | null {
    const row = sql(this.#db, 'SELECT * FROM enrol_tokens WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(): EnrolToken[] {
    return (sql(this.#db, 'SELECT * FROM enrol_tokens ORDER BY created_at, id').all() as unknown as Row[]).map(fromRow);
  }

  /** Marks a token revoked; returns it (unchanged if it already was), or null if unknown. */
  revoke(id: string): EnrolToken | null {
    sql(this.#db, 'UPDATE enrol_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.#clock().toISOString(), id);
    return this.get(id);
  }

  findBySecret(secret: string): EnrolToken | null {
    if (!looksLikeSecret('ppe', secret)) return null;
    const row = sql(this.#db, 'SELECT * FROM enrol_tokens WHERE hash = ?').get(hashSecret(secret)) as Row | undefined;
    return row && secretMatches(secret, row.hash) ? fromRow(row) : null;
  }

  usesOn(id: string, day: string): number {
    const row = sql(this.#db, 'SELECT count FROM enrol_uses WHERE token_id = ? AND day = ?').get(id, day) as { count: number } | undefined;
    return row?.count ?? 0;
  }

  /**
   * Atomically counts one enrolment against the token's cap for the current UTC day; returns the
   * day counted, or null (counting nothing) when the cap is already reached.
   */
  reserveUse(id: string, maxPerDay: number | null): string | null {
    const day = utcDay(this.#clock());
    return transaction(this.#db, () => {
      if (maxPerDay !== null && this.usesOn(id, day) >= maxPerDay) return null;
      this.#db
        .prepare('INSERT INTO enrol_uses (token_id, day, count) VALUES (?, ?, 1) ON CONFLICT (token_id, day) DO UPDATE SET count = count + 1')
        .run(id, day);
      sql(this.#db, 'UPDATE enrol_tokens SET uses = uses + 1 WHERE id = ?').run(id);
      return day;
    });
  }

  /** Gives back a reservation whose enrolment failed to commit. */
  releaseUse(id: string, day: string): void {
    transaction(this.#db, () => {
      sql(this.#db, 'UPDATE enrol_uses SET count = MAX(count - 1, 0) WHERE token_id = ? AND day = ?').run(id, day);
      sql(this.#db, 'UPDATE enrol_tokens SET uses = MAX(uses - 1, 0) WHERE id = ?').run(id);
    });
  }
}
