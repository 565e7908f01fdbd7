// The thin adapter from a real evidence repository (evidence/reader.ts) to the EvidenceSnapshot
// the engine judges: hosts, reports, packages.tsv versions, exceptions with their history, keys
// and audit entries at one commit, each file with the commit that last changed it.
import { sha256Hex } from '../evidence/hash.ts';
import { openReader, type CommitInfo, type EvidenceReader, type HostEntry } from '../evidence/reader.ts';
import { cmpError } from './errors.ts';
import type { EvidenceSnapshot, FileRef, SnapshotException, SnapshotHost } from './evidence-snapshot.ts';
import { hostsHistory, type HostsHistory } from './load-evidence-history.ts';
import { isoTime } from './sla-time.ts';

export interface LoadProgress {
  readonly phase: 'history' | 'hosts' | 'exceptions';
  readonly done: number;
  readonly total: number;
}

export interface LoadOptions {
  /** Commit to judge; default HEAD. */
  readonly commit?: string;
  /** Demo fleets; default: the repository README says "Simulated data". */
  readonly simulated?: boolean;
  /**
   * 'exact' (default): cite the commit that last changed each file (for reports, the one that added
   * it). 'judged': cite the judged commit for every file. Either way evidence is read in one pass
   * over the history (every packages.tsv version a report names, exception history).
   */
  readonly fileCommits?: 'exact' | 'judged';
  readonly onProgress?: (p: LoadProgress) => void;
  /** Called for files that cannot be used (e.g. an exception failing its schema). */
  readonly onWarning?: (message: string) => void;
}

const KNOWN = new Set(['commit', 'simulated', 'fileCommits', 'onProgress', 'onWarning']);
/** The commits from the root up to `head` along first parents. */
export async function historyTo(reader: EvidenceReader, head: string): Promise<CommitInfo[]> {
  const log = await reader.log();
  const at = log.findIndex((c) => c.commit === head);
  if (at < 0) throw cmpError('CMP_EVIDENCE_INVALID', `commit ${head} is not on the first-parent history of the repository`, { data: { commit: head } });
  return log.slice(0, at + 1);
}

async function fileRef(reader: EvidenceReader, path: string, head: string, commits: Map<string, string> | null): Promise<FileRef | null> {
  const bytes = await reader.readFile(path, head);
  return bytes === null ? null : { path, commit: commits?.get(path) ?? head, sha256: sha256Hex(bytes) };
}

export async function loadHost(reader: EvidenceReader, entry: HostEntry, head: string, history: Pick<HostsHistory, 'lastChanged' | 'reports' | 'inventories'>, exact: boolean): Promise<SnapshotHost> {
  const id = entry.hostId;
  const commits = exact ? history.lastChanged : null;
  const scanned = history.reports.get(id) ?? [];
  // Exact: the scanned reports already are SnapshotReports (one more field, seq), kept as they are.
  const reports = exact ? scanned : scanned.map((r) => ({ path: r.path, commit: head, sha256: r.sha256, envelope: r.envelope }));
  const inventories = history.inventories.get(id) ?? [];
  const hostFile = await fileRef(reader, `hosts/${id}/host.yaml`, head, commits);
  if (!hostFile) throw cmpError('CMP_EVIDENCE_INVALID', `hosts/${id}/host.yaml is missing`);
  return { host: entry.host, host_file: hostFile, meta: entry.meta, meta_file: entry.meta ? await fileRef(reader, `hosts/${id}/meta.yaml`, head, commits) : null, reports, inventories };
}

export async function loadExceptions(reader: EvidenceReader, head: string, history: Pick<HostsHistory, 'exceptionCommits'>, onWarning?: (m: string) => void): Promise<SnapshotException[]> {
  const out: SnapshotException[] = [];
  for (const x of await reader.exceptions(head)) {
    if (x.problem !== null) {
      onWarning?.(`${x.path} is not used: ${x.problem}`);
      continue;
    }
    const bytes = (await reader.readFile(x.path, head)) as Uint8Array;
    const changes = (history.exceptionCommits.get(x.path) ?? []).map((h) => ({ commit: h.commit, time: isoTime(h.time.getTime()), author: `${h.author.name} <${h.author.email}>`, message: h.message.trim().split('\n')[0] ?? '' }));
    out.push({ path: x.path, commit: changes[changes.length - 1]?.commit ?? head, sha256: sha256Hex(bytes), record: x.record, history: changes });
  }
  return out;
}

/** Reads the repository at `dir` into an EvidenceSnapshot (CMP_EVIDENCE_INVALID when unusable). */
export async function loadEvidence(dir: string, opts: LoadOptions = {}): Promise<EvidenceSnapshot> {
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw cmpError('CMP_USAGE', `loadEvidence(): unknown option ${k}`);
  const reader = await openReader(dir);
  try {
    const head = opts.commit ?? (await reader.head());
    if (head === null) throw cmpError('CMP_EVIDENCE_INVALID', `${dir} has no commits`);
    const walked = hostsHistory(reader, await historyTo(reader, head), { onProgress: (p) => opts.onProgress?.({ phase: 'history', ...p }) });
    const exact = opts.fileCommits !== 'judged';
    const entries = await reader.listHosts(head);
    const hosts: SnapshotHost[] = [];
    for (const [i, entry] of entries.entries()) {
      hosts.push(await loadHost(reader, entry, head, walked, exact));
      if ((i + 1) % 100 === 0 || i + 1 === entries.length) opts.onProgress?.({ phase: 'hosts', done: i + 1, total: entries.length });
    }
    const exceptions = await loadExceptions(reader, head, walked, opts.onWarning);
    opts.onProgress?.({ phase: 'exceptions', done: exceptions.length, total: exceptions.length });
    const readme = (await reader.readText('README.md', head)) ?? '';
    return {
      repo_commit: head,
      simulated: opts.simulated ?? readme.includes('Simulated data'),
      hosts,
      exceptions,
      keys: (await reader.keys(head)).file.keys,
      audit: await reader.auditEntries(head),
    };
  } finally {
    reader.close();
  }
}
