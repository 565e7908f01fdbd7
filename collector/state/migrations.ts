// Versioned schema of the collector's state database. Append only: a released migration is never
// edited; a new version is added at the end. Secrets are stored only as SHA-256 hashes.
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'enrolment tokens, devices, api keys, per-host ingest state, audit outbox',
    sql: `
      CREATE TABLE enrol_tokens (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        cidrs TEXT NOT NULL,
        max_per_day INTEGER,
        expires_at TEXT,
        group_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT,
        uses INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE TABLE enrol_uses (
        token_id TEXT NOT NULL REFERENCES enrol_tokens(id),
        day TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (token_id, day)
      ) STRICT;
      CREATE TABLE devices (
        host_id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        hostname TEXT NOT NULL,
        group_name TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        enrolled_via TEXT NOT NULL,
        source TEXT,
        revoked_at TEXT,
        rotated_at TEXT,
        last_seen_at TEXT,
        last_source TEXT
      ) STRICT;
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'auditor')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT,
        last_used_at TEXT
      ) STRICT;
      CREATE TABLE host_state (
        host_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL DEFAULT 0,
        last_hash TEXT,
        last_report_id TEXT,
        last_path TEXT,
        last_commit TEXT,
        last_written_at TEXT,
        inventory_sha256 TEXT,
        inventory_count INTEGER,
        agent_seq INTEGER NOT NULL DEFAULT 0,
        last_report_at TEXT,
        state_sha256 TEXT,
        pending_anomalies TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE TABLE inflight (
        host_id TEXT PRIMARY KEY,
        since TEXT NOT NULL
      ) STRICT;
      CREATE TABLE seen_reports (
        host_id TEXT NOT NULL,
        report_id TEXT NOT NULL,
        agent_seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        commit_id TEXT,
        path TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (host_id, report_id)
      ) STRICT;
      CREATE INDEX seen_reports_by_host_seq ON seen_reports (host_id, agent_seq);
      CREATE TABLE audit_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'liveness report ids expire by time, not per host count',
    sql: `
      DROP INDEX seen_reports_by_host_seq;
      CREATE INDEX seen_reports_by_status_at ON seen_reports (status, at);
    `,
  },
  {
    version: 3,
    description: 'hash of the pending-updates list the collector holds per host',
    sql: `
      ALTER TABLE host_state ADD COLUMN pending_sha256 TEXT;
    `,
  },
  {
    version: 4,
    description: 'device token rotation the agent completes: requested, next token issued, old token deadline',
    sql: `
      ALTER TABLE devices ADD COLUMN next_token_hash TEXT;
      ALTER TABLE devices ADD COLUMN next_token_issued_at TEXT;
      ALTER TABLE devices ADD COLUMN token_valid_until TEXT;
      ALTER TABLE devices ADD COLUMN rotation_requested_at TEXT;
      ALTER TABLE devices ADD COLUMN rotation_requested_by TEXT;
      CREATE UNIQUE INDEX devices_by_next_token_hash ON devices (next_token_hash);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
