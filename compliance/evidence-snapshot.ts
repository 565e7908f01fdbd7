// The judgement layer's view of an evidence repository: plain data, already read and parsed.
// evaluate() is a pure function of this; compliance/load-evidence.ts builds it from a real repo.
import type { AuditEntry, ExceptionRecord, HostMeta, HostRecord, KeysFile, Package } from '../evidence/types.gen.ts';
import type { ReportFacts } from './report-facts.ts';

/** A repository file the model may cite: its path, a commit containing it, and its sha256. */
export interface FileRef {
  readonly path: string;
  /** The commit that added the file when known, else the judged commit; null for in-memory evidence. */
  readonly commit: string | null;
  readonly sha256: string;
}

export interface SnapshotReport extends FileRef {
  /**
   * What is judged of the parsed, schema-valid envelope (a full ReportEnvelope will do; the loader
   * keeps only these fields). `sha256` is of the exact envelope bytes (the chain's `previous`).
   */
  readonly envelope: ReportFacts;
}

/** One version of hosts/<id>/packages.tsv, looked up by the sha256 a report's inventory names. */
export interface SnapshotInventory {
  readonly sha256: string;
  readonly commit: string | null;
  readonly packages: readonly Package[];
}

export interface SnapshotHost {
  readonly host: HostRecord;
  readonly host_file: FileRef;
  readonly meta: HostMeta | null;
  readonly meta_file: FileRef | null;
  /** Every report of the host, in seq order (including any after the period: the engine cuts). */
  readonly reports: readonly SnapshotReport[];
  /** Every packages.tsv version the reports name (order does not matter). */
  readonly inventories: readonly SnapshotInventory[];
}

export interface FileHistoryEntry {
  readonly commit: string;
  readonly time: string;
  readonly author: string;
  readonly message: string;
}

export interface SnapshotException extends FileRef {
  readonly record: ExceptionRecord;
  /** Commits that changed the file, oldest first. */
  readonly history: readonly FileHistoryEntry[];
}

export interface EvidenceSnapshot {
  /** The evidence repository commit judged; null for in-memory evidence. */
  readonly repo_commit: string | null;
  /** The collector config's `simulated` flag (demo fleets). */
  readonly simulated: boolean;
  readonly hosts: readonly SnapshotHost[];
  readonly exceptions: readonly SnapshotException[];
  readonly keys: KeysFile['keys'];
  readonly audit: readonly AuditEntry[];
}
