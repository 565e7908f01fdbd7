// One pass over the evidence repository's history for load-evidence.ts (reader.walkChanges: only
// changed subtrees are read, objects in the order they were written). It yields every report at the
// judged commit, parsed once, with the commit that added it; the packages.tsv versions those reports
// name; the commit that last changed every other file under hosts/; and each exception's history.
import { sha256Hex } from '../evidence/hash.ts';
import { parseReportPath } from '../evidence/paths.ts';
import type { CommitInfo, EvidenceReader } from '../evidence/reader.ts';
import { parseEnvelope } from '../evidence/report-envelope.ts';
import type { Package } from '../evidence/types.gen.ts';
import { cmpError } from './errors.ts';
import { InventoryParser } from './inventory-parser.ts';
import type { SnapshotInventory } from './evidence-snapshot.ts';
import { projectReport, type ReportFacts } from './report-facts.ts';

export interface HistoryProgress {
  readonly done: number;
  readonly total: number;
}

export interface ScannedReport {
  readonly path: string;
  readonly seq: number;
  /** The commit that added (or last changed) the envelope. */
  readonly commit: string;
  readonly sha256: string;
  /** Only what is judged of the envelope (compliance/report-facts.ts), parts shared with the report before. */
  readonly envelope: ReportFacts;
}

export interface HostsHistory {
  /** Path → the last commit (up to the judged one) that added or changed it; reports and signatures left out. */
  readonly lastChanged: Map<string, string>;
  /** Host id → its reports at the judged commit, in seq order. */
  readonly reports: Map<string, ScannedReport[]>;
  /** Host id → the packages.tsv versions its reports name, each with the first commit that wrote it. */
  readonly inventories: Map<string, SnapshotInventory[]>;
  /** Path under exceptions/ → the commits that added, changed or removed it, oldest first. */
  readonly exceptionCommits: Map<string, CommitInfo[]>;
}

const HOST_FILE = /^hosts\/(h_[0-9a-f]{16})\/([^/]+)$/;

export interface InventoryVersion {
  readonly oid: string;
  readonly sha256: string;
  readonly commit: string;
  packages: readonly Package[] | null;
}

/** A report whose envelope fails its schema: reported only if it is still there at the judged commit. */
export interface BadReport {
  readonly path: string;
  readonly error: unknown;
}

export interface HistoryOptions {
  readonly onProgress?: (p: HistoryProgress) => void;
  /** Only these hosts (a shard, for worker threads); default every host. */
  readonly hosts?: (hostId: string) => boolean;
  /** Also read exceptions/ history; default true. */
  readonly exceptions?: boolean;
}

const HOST_DIR = /^hosts\/(h_[0-9a-f]{16})$/;

/** Hosts are dealt into this many slices by id; a shard is a run of slices. */
const SLICES = 256;
/**
 * Shard 0 is read on the evaluating thread, the others in worker threads, which start later and
 * hand their result across when done (about a tenth of a shard's time): shard 0 takes this much
 * more than the others, so all finish together.
 */
const FIRST_SHARD_WEIGHT = 1.1;
const boundsByCount = new Map<number, Uint16Array>();

/** The first slice of each shard of `count`, and SLICES at the end. */
function shardBounds(count: number): Uint16Array {
  let bounds = boundsByCount.get(count);
  if (!bounds) {
    const first = Math.round((SLICES * FIRST_SHARD_WEIGHT) / (FIRST_SHARD_WEIGHT + count - 1));
    bounds = new Uint16Array(count + 1);
    for (let i = 1; i < count; i++) bounds[i] = first + Math.round(((SLICES - first) * (i - 1)) / (count - 1));
    bounds[count] = SLICES;
    boundsByCount.set(count, bounds);
  }
  return bounds;
}

/**
 * The shard (of `count`) a host belongs to. The slice is the top byte of a multiplicative hash of
 * the id's last 24 bits, so ids that count up (a fleet named in order) spread as evenly as random ones.
 */
export function shardOf(hostId: string, count: number): number {
  if (count <= 1) return 0;
  const slice = Math.imul(parseInt(hostId.slice(-6), 16), 0x9e3779b1) >>> 24;
  const bounds = shardBounds(count);
  let s = 0;
  while (slice >= (bounds[s + 1] as number)) s++;
  return s;
}

/**
 * The walk's state after some commits: everything needed to carry it on from there. Plain data
 * (Maps, Sets, arrays), so it can be kept between runs (history-cache.ts).
 */
export interface HistoryState {
  /** The last commit walked; null before the first. */
  commit: string | null;
  readonly lastChanged: Map<string, string>;
  readonly reports: Map<string, ScannedReport | BadReport>;
  readonly versions: Map<string, InventoryVersion[]>;
  /** Inventory sha256s named by any envelope read so far, per host: which versions to parse at once. */
  readonly named: Map<string, Set<string>>;
  /** Each host's latest report read so far: the next one shares the parts it repeats. */
  readonly lastReport: Map<string, ScannedReport>;
  readonly exceptionCommits: Map<string, CommitInfo[]>;
}

export function emptyHistory(): HistoryState {
  return { commit: null, lastChanged: new Map(), reports: new Map(), versions: new Map(), named: new Map(), lastReport: new Map(), exceptionCommits: new Map() };
}

/** Whether the state holds a report whose envelope fails its schema (it is thrown when judged). */
export function hasBadReports(state: HistoryState): boolean {
  for (const r of state.reports.values()) if ('error' in r) return true;
  return false;
}

/** One history pass over a repository, resumable: `advance` walks the commits after the state's. */
export class HistoryScan {
  readonly state: HistoryState;
  readonly #reader: EvidenceReader;
  readonly #parsers = new Map<string, InventoryParser>();
  readonly #strings = new Map<string, string>();

  constructor(reader: EvidenceReader, state: HistoryState = emptyHistory()) {
    this.#reader = reader;
    this.state = state;
  }

  #parserOf(host: string): InventoryParser {
    let p = this.#parsers.get(host);
    if (!p) this.#parsers.set(host, (p = new InventoryParser(this.#strings)));
    return p;
  }

  /**
   * Walks `commits` (the first-parent history up to the judged commit, oldest first) from the one
   * after the state's commit, which must be among them (null: from the start).
   */
  advance(commits: readonly CommitInfo[], opts: HistoryOptions = {}): void {
    const reader = this.#reader;
    const { lastChanged, reports, versions, named, lastReport, exceptionCommits } = this.state;
    const { onProgress, hosts } = opts;
    const at = this.state.commit === null ? 0 : commits.findIndex((c) => c.commit === this.state.commit) + 1;
    if (at === 0 && this.state.commit !== null) throw new Error(`history state at ${this.state.commit}, which is not among the commits walked`);
    const todo = commits.slice(at);
    let pending: { host: string; version: InventoryVersion; bytes: Uint8Array }[] = [];
    reader.walkChanges(todo, {
      roots: opts.exceptions === false ? ['hosts'] : ['hosts', 'exceptions'],
      skip: (name) => name.endsWith('.asc'),
      ...(at > 0 ? { from: commits[at - 1] as CommitInfo } : {}),
      // Only hosts/<id> (24 characters) is ever refused.
      ...(hosts ? { follow: (dir: string) => { const m = dir.length === 24 ? HOST_DIR.exec(dir) : null; return !m || hosts(m[1] as string); } } : {}),
      onChange: ({ path, oid, commit }) => {
        if (path.startsWith('exceptions/')) {
          const list = exceptionCommits.get(path);
          if (list) list.push(commit);
          else exceptionCommits.set(path, [commit]);
          return;
        }
        const report = parseReportPath(path);
        if (report) {
          if (oid === null) {
            reports.delete(path);
            return;
          }
          const bytes = reader.odb.readTyped(oid, 'blob');
          try {
            const full = parseEnvelope(bytes);
            const before = lastReport.get(report.hostId);
            const envelope = projectReport(full, before?.envelope ?? null, before?.sha256 ?? null);
            const scanned: ScannedReport = { path, seq: report.seq, commit: commit.commit, sha256: sha256Hex(bytes), envelope };
            reports.set(path, scanned);
            lastReport.set(report.hostId, scanned);
            const set = named.get(report.hostId);
            if (set) set.add(envelope.inventory.sha256);
            else named.set(report.hostId, new Set([envelope.inventory.sha256]));
          } catch (error) {
            reports.set(path, { path, error });
          }
          return;
        }
        if (oid === null) {
          lastChanged.delete(path);
          return;
        }
        lastChanged.set(path, commit.commit);
        const file = HOST_FILE.exec(path);
        if (file?.[2] !== 'packages.tsv') return;
        const host = file[1] as string;
        const list = versions.get(host) ?? [];
        versions.set(host, list);
        const same = list.find((v) => v.oid === oid);
        if (same) {
          list.push({ ...same, commit: commit.commit });
          return;
        }
        const bytes = reader.odb.readTyped(oid, 'blob');
        const version: InventoryVersion = { oid, sha256: sha256Hex(bytes), commit: commit.commit, packages: null };
        list.push(version);
        pending.push({ host, version, bytes });
      },
      // A commit's packages.tsv comes before its reports in tree order: decide once all are read.
      onCommit: (commit, i) => {
        for (const { host, version, bytes } of pending) {
          if (named.get(host)?.has(version.sha256)) version.packages = this.#parserOf(host).parse(bytes);
        }
        pending = [];
        this.state.commit = commit.commit;
        if ((i + 1) % 50 === 0 || i + 1 === todo.length) onProgress?.({ done: i + 1, total: todo.length });
      },
    });
    if (todo.length === 0) onProgress?.({ done: 0, total: 0 });
  }

  /** Each host's reports in seq order and the packages.tsv versions they name (CMP errors for bad reports). */
  result(): HostsHistory {
    const { lastChanged, reports, versions, exceptionCommits } = this.state;
    const byHost = new Map<string, ScannedReport[]>();
    for (const r of reports.values()) {
      if ('error' in r) {
        const { message, code } = r.error as { message?: string; code?: string };
        throw cmpError('CMP_EVIDENCE_INVALID', `${r.path}: ${message ?? String(r.error)}`, { cause: r.error, data: { path: r.path, ...(code ? { code } : {}) } });
      }
      const host = (parseReportPath(r.path) as { hostId: string }).hostId;
      const list = byHost.get(host);
      if (list) list.push(r);
      else byHost.set(host, [r]);
    }
    const inventories = new Map<string, SnapshotInventory[]>();
    for (const [host, list] of byHost) {
      list.sort((a, b) => a.seq - b.seq || (a.path < b.path ? -1 : 1));
      const wanted = new Set(list.map((r) => r.envelope.inventory.sha256));
      const out: SnapshotInventory[] = [];
      for (const v of versions.get(host) ?? []) {
        if (!wanted.delete(v.sha256)) continue;
        // Named only by a later report than the one that wrote it (or never parsed): read it now.
        const packages = v.packages ?? this.#parserOf(host).parse(this.#reader.odb.readTyped(v.oid, 'blob'));
        out.push({ sha256: v.sha256, commit: v.commit, packages });
      }
      inventories.set(host, out);
    }
    return { lastChanged, reports: byHost, inventories, exceptionCommits };
  }
}

export function hostsHistory(reader: EvidenceReader, commits: readonly CommitInfo[], opts: HistoryOptions = {}): HostsHistory {
  const scan = new HistoryScan(reader);
  scan.advance(commits, opts);
  return scan.result();
}
