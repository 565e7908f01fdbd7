// Enrolled devices: host id ↔ SHA-256 of the device token (ppd_…), revocation and rotation.
import type { Clock } from '../clock.ts';
import { hashSecret, looksLikeSecret, newSecret, secretMatches, type RandomBytes } from '../secrets.ts';
import { sql, type Db } from './db.ts';

export interface Device {
  host_id: string;
  hostname: string;
  group: string;
  enrolled_at: string;
  enrolled_via: string;
  source: string | null;
  revoked_at: string | null;
  rotated_at: string | null;
  last_seen_at: string | null;
  last_source: string | null;
}

interface Row extends Omit<Device, 'group'> {
  group_name: string;
  token_hash: string;
}

function fromRow(r: Row): Device {
  return {
    host_id: r.host_id,
    hostname: r.hostname,
    group: r.group_name,
    enrolled_at: r.enrolled_at,
    enrolled_via: r.enrolled_via,
    source: r.source,
    revoked_at: r.revoked_at,
    rotated_at: r.rotated_at,
    last_seen_at: r.last_seen_at,
    last_source: r.last_source,
  };
}

export type DeviceAuth = { ok: true; device: Device } | { ok: false; code: 'COL_DEVICE_UNKNOWN' | 'COL_DEVICE_REVOKED'; device: Device | null };

export class DeviceStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #random: RandomBytes;

  constructor(db: Db, clock: Clock, random: RandomBytes) {
    this.#db = db;
    this.#clock = clock;
    this.#random = random;
  }

  /** Registers a device and returns its token (shown once). */
  insert(d: { host_id: string; hostname: string; group: string; enrolled_via: string; source: string | null }): { device: Device; secret: string } {
    const secret = newSecret('ppd', this.#random);
    this.#db
      .prepare('INSERT INTO devices (host_id, token_hash, hostname, group_name, enrolled_at, enrolled_via, source) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.host_id, hashSecret(secret), d.hostname, d.group, this.#clock().toISOString(), d.enrolled_via, d.source);
    return { device: this.get(d.host_id)!, secret };
  }

  /** Removes a device whose enrolment never committed (its token was never handed out). */
  remove(hostId: string): void {
    sql(this.#db, 'DELETE FROM devices WHERE host_id = ?').run(hostId);
  }

  get(hostId: string): Device | null {
    const row = sql(this.#db, 'SELECT * FROM devices WHERE host_id = ?').get(hostId) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  list(): Device[] {
    return (sql(this.#db, 'SELECT * FROM devices ORDER BY enrolled_at, host_id').all() as unknown as Row[]).map(fromRow);
  }

  count(): { total: number; revoked: number } {
    const row = sql(this.#db, 'SELECT COUNT(*) AS total, COUNT(revoked_at) AS revoked FROM devices').get() as { total: number; revoked: number };
    return { total: row.total, revoked: row.revoked };
  }

  authenticate(secret: string | undefined): DeviceAuth {
    if (!looksLikeSecret('ppd', secret)) return { ok: false, code: 'COL_DEVICE_UNKNOWN', device: null };
    const row = sql(this.#db, 'SELECT * FROM devices WHERE token_hash = ?').get(hashSecret(secret)) as Row | undefined;
    if (!row || !secretMatches(secret, row.token_hash)) return { ok: false, code: 'COL_DEVICE_UNKNOWN', device: null };
    const device = fromRow(row);
    if (device.revoked_at !== null) return { ok: false, code: 'COL_DEVICE_REVOKED', device };
    return { ok: true, device };
  }

  revoke(hostId: string): Device | null {
    sql(this.#db, 'UPDATE devices SET revoked_at = ? WHERE host_id = ? AND revoked_at IS NULL').run(this.#clock().toISOString(), hostId);
    return this.get(hostId);
  }

  /** Replaces the device token; the old one stops working at once. Returns the new token. */
  rotate(hostId: string): { device: Device; secret: string } | null {
    const secret = newSecret('ppd', this.#random);
    const r = this.#db
      .prepare('UPDATE devices SET token_hash = ?, rotated_at = ? WHERE host_id = ? AND revoked_at IS NULL')
      .run(hashSecret(secret), this.#clock().toISOString(), hostId);
    if (Number(r.changes) !== 1) return null;
    return { device: this.get(hostId)!, secret };
  }

  touch(hostId: string, source: string | null): void {
    sql(this.#db, 'UPDATE devices SET last_seen_at = ?, last_source = ? WHERE host_id = ?').run(this.#clock().toISOString(), source, hostId);
  }
}
