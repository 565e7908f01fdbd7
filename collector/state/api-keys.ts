// Admin API keys (ppa_…) with a role; stored as SHA-256, shown once at creation.
import type { Clock } from '../clock.ts';
import { hashSecret, looksLikeSecret, newIds, newSecret, secretMatches, type RandomBytes } from '../secrets.ts';
import { sql, type Db } from './db.ts';

export const ROLES = ['owner', 'admin', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

interface Row extends ApiKey {
  hash: string;
}

function fromRow(r: Row): ApiKey {
  return { id: r.id, name: r.name, role: r.role, created_at: r.created_at, created_by: r.created_by, revoked_at: r.revoked_at, last_used_at: r.last_used_at };
}

export class ApiKeyStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #random: RandomBytes;

  constructor(db: Db, clock: Clock, random: RandomBytes) {
    this.#db = db;
    this.#clock = clock;
    this.#random = random;
  }

  create(spec: { name: string; role: Role; created_by: string }): { key: ApiKey; secret: string } {
    const secret = newSecret('ppa', this.#random);
    const id = newIds.apiKey(this.#random);
    this.#db
      .prepare('INSERT INTO api_keys (id, hash, name, role, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, hashSecret(secret), spec.name, spec.role, this.#clock().toISOString(), spec.created_by);
    return { key: this.get(id)!, secret };
  }

  get(id: string): ApiKey | null {
    const row = sql(this.#db, 'SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(): ApiKey[] {
    return (sql(this.#db, 'SELECT * FROM api_keys ORDER BY created_at, id').all() as unknown as Row[]).map(fromRow);
  }

  revoke(id: string): ApiKey | null {
    sql(this.#db, 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.#clock().toISOString(), id);
    return this.get(id);
  }

  /** The active key for a presented secret, or null (unknown, malformed or revoked). */
  authenticate(secret: string | undefined): ApiKey | null {
    if (!looksLikeSecret('ppa', secret)) return null;
    const row = sql(this.#db, 'SELECT * FROM api_keys WHERE hash = ?').get(hashSecret(secret)) as Row | undefined;
    if (!row || !secretMatches(secret, row.hash) || row.revoked_at !== null) return null;
    sql(this.#db, 'UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(this.#clock().toISOString(), row.id);
    return fromRow(row);
  }
}
