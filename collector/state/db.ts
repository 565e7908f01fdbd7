// Opens <home>/state/collector.db (node:sqlite, WAL) and brings its schema up to date. The state
// database holds operational state only; the evidence repository stays the source of truth.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { colError } from '../errors.ts';
import { LATEST_VERSION, MIGRATIONS } from './migrations.ts';

export type Db = DatabaseSync;

export function openStateDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 5000 });
  } catch (cause) {
    throw colError('COL_STATE_DB', `cannot open state database ${path}: ${(cause as Error).message}`, { cause });
  }
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL) STRICT');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

/** Applies every migration newer than the database, each in its own transaction. */
export function migrate(db: Db): number {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) {
    throw colError('COL_STATE_DB', `state database is at schema ${current}, newer than this collector (${LATEST_VERSION})`, {
      hint: 'Run the collector version that created it, or restore a backup.',
    });
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    transaction(db, () => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    });
  }
  return LATEST_VERSION;
}

/** Runs `fn` in BEGIN IMMEDIATE … COMMIT (rolled back on throw); not re-entrant. */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

const statements = new WeakMap<Db, Map<string, StatementSync>>();

/** A prepared statement, compiled once per database handle (hot paths run thousands a second). */
export function sql(db: Db, text: string): StatementSync {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = db.prepare(text)));
  return stmt;
}
