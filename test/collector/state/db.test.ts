import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openStateDb, schemaVersion } from '../../../collector/state/db.ts';
import { LATEST_VERSION } from '../../../collector/state/migrations.ts';
import { manualClock } from '../../../collector/clock.ts';
import { collectorState } from '../../../collector/state/state.ts';
import { hashSecret } from '../../../collector/secrets.ts';

describe('state database', () => {
  it('migrates to the latest version in WAL mode, idempotently', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pp-db-')), 'state', 'collector.db');
    const db = openStateDb(path);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    db.close();
    const again = openStateDb(path);
    expect(schemaVersion(again)).toBe(LATEST_VERSION);
    again.close();
  });

  it('refuses a database from a newer collector', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pp-db-')), 'collector.db');
    openStateDb(path).close();
    const raw = new DatabaseSync(path);
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(LATEST_VERSION + 1, 'x');
    raw.close();
    expect(() => openStateDb(path)).toThrow(expect.objectContaining({ code: 'COL_STATE_DB' }));
  });

  it('stores hashes only and authenticates in constant time', () => {
    const db = openStateDb(':memory:');
    const s = collectorState(db, manualClock('2025-01-01T00:00:00Z'), (n) => new Uint8Array(n).fill(7));
    const { secret, key } = s.apiKeys.create({ name: 'n', role: 'admin', created_by: 't' });
    const row = db.prepare('SELECT * FROM api_keys').get() as Record<string, unknown>;
    expect(Object.values(row)).not.toContain(secret);
    expect(row.hash).toBe(hashSecret(secret));
    expect(s.apiKeys.authenticate(secret)?.id).toBe(key.id);
    expect(s.apiKeys.authenticate(secret.slice(0, -1) + 'A')).toBeNull();
    expect(s.apiKeys.authenticate('ppa_x')).toBeNull();
  });

  it('counts enrolments per UTC day atomically against the cap', () => {
    const clock = manualClock('2025-01-01T23:59:00Z');
    const s = collectorState(openStateDb(':memory:'), clock, (n) => crypto.getRandomValues(new Uint8Array(n)));
    const { token } = s.tokens.create({ cidrs: [], max_per_day: 2, expires_at: null, group: 'g', created_by: 't' });
    expect([s.tokens.reserveUse(token.id, 2), s.tokens.reserveUse(token.id, 2), s.tokens.reserveUse(token.id, 2)]).toEqual(['2025-01-01', '2025-01-01', null]);
    s.tokens.releaseUse(token.id, '2025-01-01');
    expect(s.tokens.reserveUse(token.id, 2)).toBe('2025-01-01');
    clock.advance(120_000);
    expect(s.tokens.reserveUse(token.id, 2)).toBe('2025-01-02');
    expect(s.tokens.get(token.id)?.uses).toBe(3);
  });
});
