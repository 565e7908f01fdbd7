// The thin adapter from a real evidence repository (evidence/reader.ts) to the EvidenceSnapshot
// the engine judges: hosts, reports, packages.tsv versions, exceptions with their history, keys
// and audit entries at one commit, each file with the commit that last changed it.
import { sha256Hex } from '../evidence/hash.ts';
import { parsePackagesTsv } from '../evidence/packages-tsv.ts';
import { openReader, type CommitInfo, type EvidenceReader, type HostEntry } from '../evidence/reader.ts';
import type { Package } from '../evidence/types.gen.ts';
import { cmpError } from './errors.ts';
import type { EvidenceSnapshot, FileRef, SnapshotException, SnapshotHost, SnapshotInventory } from './evidence-snapshot.ts';
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
   * 'exact' (default): one pass over history finds the commit that last changed each file and every
   * packages.tsv version. 'judged': cite the judged commit for every file and read package history
   * with the reader instead (no history pass).
   */
  readonly fileCommits?: 'exact' | 'judged';
  readonly onProgress?: (p: LoadProgress) => void;
  /** Called for files that cannot be used (e.g. an exception failing its schema). */
  readonly onWarning?: (message: string) => void;
}

const decoder = new TextDecoder();
const KNOWN = new Set(['commit', 'simulated', 'fileCommits', 'onProgress', 'onWarning']);

/** The commits from the root up to `head` along first parents. */
async function historyTo(reader: EvidenceReader, head: string): Promise<CommitInfo[]> {
  const log = await reader.log();
  const at = log.findIndex((c) => c.commit === head);
  if (at < 0) throw cmpError('CMP_EVIDENCE_INVALID', `commit ${head} is not on the first-parent history of the repository`, { data: { commit: head } });
  return log.slice(0, at + 1);
}

async function fileRef(reader: EvidenceReader, path: string, head: string, commits: Map<string, string>): Promise<FileRef | null> {
  const bytes = await reader.readFile(path, head);
  return bytes === null ? null : { path, commit: commits.get(path) ?? head, sha256: sha256Hex(bytes) };
}

/** Parses packages.tsv versions of one host, sharing one Package object per distinct line. */
function internedParser(): (text: string) => Package[] {
  const seen = new Map<string, Package>();
  return (text) => {
    const out: Package[] = [];
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      let p = seen.get(line);
      if (!p) seen.set(line, (p = parsePackagesTsv(line)[0] as Package));
      out.push(p);
    }
    return out;
  };
}

async function inventoriesOf(reader: EvidenceReader, id: string, wanted: Set<string>, history: HostsHistory | null): Promise<SnapshotInventory[]> {
  const parse = internedParser();
  const out: SnapshotInventory[] = [];
  const versions = history
    ? (history.inventories.get(id) ?? []).map((b) => ({ commit: b.commit, bytes: reader.odb.readTyped(b.oid, 'blob') }))
    : (await reader.packagesHistory(id)).map((v) => ({ commit: v.commit, bytes: new TextEncoder().encode(v.text) }));
  for (const v of versions) {
    const sha = sha256Hex(v.bytes);
    if (!wanted.delete(sha)) continue;
    out.push({ sha256: sha, commit: v.commit, packages: parse(decoder.decode(v.bytes)) });
  }
  return out;
}

async function loadHost(reader: EvidenceReader, entry: HostEntry, head: string, history: HostsHistory | null): Promise<SnapshotHost> {
  const id = entry.hostId;
  const commits = history?.lastChanged ?? new Map<string, string>();
  const reports = (await reader.reports(id, { commit: head })).map((r) => ({
    path: r.path, commit: commits.get(r.path) ?? head, sha256: sha256Hex(r.bytes), envelope: r.envelope,
  }));
  const inventories = await inventoriesOf(reader, id, new Set(reports.map((r) => r.envelope.inventory.sha256)), history);
  const hostFile = await fileRef(reader, `hosts/${id}/host.yaml`, head, commits);
  if (!hostFile) throw cmpError('CMP_EVIDENCE_INVALID', `hosts/${id}/host.yaml is missing`);
  return { host: entry.host, host_file: hostFile, meta: entry.meta, meta_file: entry.meta ? await fileRef(reader, `hosts/${id}/meta.yaml`, head, commits) : null, reports, inventories };
}

async function loadExceptions(reader: EvidenceReader, head: string, judged: ReadonlySet<string>, onWarning?: (m: string) => void): Promise<SnapshotException[]> {
  const out: SnapshotException[] = [];
  for (const x of await reader.exceptions(head)) {
    if (x.problem !== null) {
      onWarning?.(`${x.path} is not used: ${x.problem}`);
      continue;
    }
    const bytes = (await reader.readFile(x.path, head)) as Uint8Array;
    const history = (await reader.fileHistory(x.path))
      .filter((h) => judged.has(h.commit))
      .map((h) => ({ commit: h.commit, time: isoTime(h.time.getTime()), author: `${h.author.name} <${h.author.email}>`, message: h.message.trim().split('\n')[0] ?? '' }));
    out.push({ path: x.path, commit: history[history.length - 1]?.commit ?? head, sha256: sha256Hex(bytes), record: x.record, history });
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
    const history = await historyTo(reader, head);
    const walked = opts.fileCommits === 'judged' ? null : hostsHistory(reader, history, (p) => opts.onProgress?.({ phase: 'history', ...p }));
    const entries = await reader.listHosts(head);
    const hosts: SnapshotHost[] = [];
    for (const [i, entry] of entries.entries()) {
      hosts.push(await loadHost(reader, entry, head, walked));
      opts.onProgress?.({ phase: 'hosts', done: i + 1, total: entries.length });
    }
    const exceptions = await loadExceptions(reader, head, new Set(history.map((c) => c.commit)), opts.onWarning);
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
