// Enrolled devices: host id ↔ SHA-256 of the device token (ppd_…), revocation, and token rotation
// the agent completes: a next token is issued to the device, the current one keeps working until
// the next one first authenticates (then it is retired, in the same transaction that queues the
// audit entry) or until a grace deadline, so an agent that crashed before storing it is not cut off.
import type { AuditInput } from '../../evidence/audit-log.ts';
import type { Clock } from '../clock.ts';
import { hashSecret, looksLikeSecret, newSecret, secretMatches, type RandomBytes } from '../secrets.ts';
import type { AuditOutbox } from './audit-outbox.ts';
import { sql, transaction, type Db } from './db.ts';

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
  /** An administrator asked for a new token; cleared when the device's new token first authenticates. */
  rotation_requested_at: string | null;
  /** Who asked (an API key id), with rotation_requested_at. */
  rotation_requested_by: string | null;
  /** A next token was issued to the device and has not authenticated yet. */
  next_token_issued_at: string | null;
  /** While a next token is pending, the current one works until then. */
  token_valid_until: string | null;
}

interface Row extends Omit<Device, 'group'> {
  group_name: string;
  token_hash: string;
  next_token_hash: string | null;
}

/** A rotation completed by the first use of the next token. */
export interface CompletedRotation {
  issued_at: string;
  requested_by: string | null;
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
    rotation_requested_at: r.rotation_requested_at,
    rotation_requested_by: r.rotation_requested_by,
    next_token_issued_at: r.next_token_issued_at,
    token_valid_until: r.token_valid_until,
  };
}

export type DeviceAuth =
  | { ok: true; device: Device; rotated: CompletedRotation | null }
  | { ok: false; code: 'COL_DEVICE_UNKNOWN' | 'COL_DEVICE_REVOKED' | 'COL_DEVICE_TOKEN_RETIRED'; device: Device | null };

export class DeviceStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #random: RandomBytes;
  readonly #outbox: AuditOutbox;

  constructor(db: Db, clock: Clock, random: RandomBytes, outbox: AuditOutbox) {
    this.#db = db;
    this.#clock = clock;
    this.#random = random;
    this.#outbox = outbox;
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

  /**
   * Checks a device token. The device's pending next token completes its rotation here: it
   * becomes the only valid token and `audit(device, rotation)` is queued in the audit outbox in
   * the same transaction (so the retirement of the old token is never unaudited).
   */
  authenticate(secret: string | undefined, audit?: (device: Device, rotation: CompletedRotation) => AuditInput): DeviceAuth {
    if (!looksLikeSecret('ppd', secret)) return { ok: false, code: 'COL_DEVICE_UNKNOWN', device: null };
    const hash = hashSecret(secret);
    const current = sql(this.#db, 'SELECT * FROM devices WHERE token_hash = ?').get(hash) as Row | undefined;
    if (current && secretMatches(secret, current.token_hash)) {
      const device = fromRow(current);
      if (device.revoked_at !== null) return { ok: false, code: 'COL_DEVICE_REVOKED', device };
      if (current.next_token_hash !== null && device.token_valid_until !== null && this.#clock().getTime() >= Date.parse(device.token_valid_until)) {
        return { ok: false, code: 'COL_DEVICE_TOKEN_RETIRED', device };
      }
      return { ok: true, device, rotated: null };
    }
    const next = sql(this.#db, 'SELECT * FROM devices WHERE next_token_hash = ?').get(hash) as Row | undefined;
    if (!next || next.next_token_hash === null || !secretMatches(secret, next.next_token_hash)) return { ok: false, code: 'COL_DEVICE_UNKNOWN', device: null };
    if (next.revoked_at !== null) return { ok: false, code: 'COL_DEVICE_REVOKED', device: fromRow(next) };
    const now = this.#clock().toISOString();
    const rotation: CompletedRotation = { issued_at: next.next_token_issued_at ?? now, requested_by: next.rotation_requested_by };
    const done = transaction(this.#db, () => {
      const r = sql(
        this.#db,
        `UPDATE devices SET token_hash = next_token_hash, next_token_hash = NULL, next_token_issued_at = NULL, token_valid_until = NULL,
           rotated_at = ?, rotation_requested_at = NULL, rotation_requested_by = NULL
         WHERE host_id = ? AND next_token_hash = ? AND revoked_at IS NULL`,
      ).run(now, next.host_id, hash);
      if (Number(r.changes) !== 1) return null;
      const device = this.get(next.host_id)!;
      if (audit) this.#outbox.add(audit(device, rotation), this.#clock());
      return device;
    });
    return done ? { ok: true, device: done, rotated: rotation } : { ok: false, code: 'COL_DEVICE_UNKNOWN', device: null };
  }

  revoke(hostId: string): Device | null {
    sql(this.#db, 'UPDATE devices SET revoked_at = ? WHERE host_id = ? AND revoked_at IS NULL').run(this.#clock().toISOString(), hostId);
    return this.get(hostId);
  }

  /** Marks that an administrator wants the device's token rotated (the agent is asked in-band). */
  requestRotation(hostId: string, by: string): Device | null {
    const r = sql(this.#db, 'UPDATE devices SET rotation_requested_at = ?, rotation_requested_by = ? WHERE host_id = ? AND revoked_at IS NULL').run(this.#clock().toISOString(), by, hostId);
    return Number(r.changes) === 1 ? this.get(hostId) : null;
  }

  /**
   * Issues the device a next token (replacing one issued before and never used). The current
   * token keeps working until the next one first authenticates, or for `graceMs` from the first
   * issue of this rotation (asking again does not extend it). Returns the token (shown once).
   */
  issueNextToken(hostId: string, graceMs: number): { device: Device; secret: string } | null {
    const secret = newSecret('ppd', this.#random);
    const now = this.#clock();
    const r = sql(
      this.#db,
      'UPDATE devices SET next_token_hash = ?, next_token_issued_at = ?, token_valid_until = COALESCE(token_valid_until, ?) WHERE host_id = ? AND revoked_at IS NULL',
    ).run(hashSecret(secret), now.toISOString(), new Date(now.getTime() + graceMs).toISOString(), hostId);
    if (Number(r.changes) !== 1) return null;
    return { device: this.get(hostId)!, secret };
  }

  touch(hostId: string, source: string | null): void {
    sql(this.#db, 'UPDATE devices SET last_seen_at = ?, last_source = ? WHERE host_id = ?').run(this.#clock().toISOString(), source, hostId);
  }
}
