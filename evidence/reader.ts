// The read side of the evidence repository, for the compliance layer, the collector and the site:
// current state by walking trees at one commit, and history only where history is asked for.
import { resolve } from 'node:path';
import YAML from 'yaml';
import type { AuditEntry, ExceptionRecord, HostMeta, HostRecord, KeysFile, ReportEnvelope } from './types.gen.ts';
import { ObjectDb } from './git-odb.ts';
import { diffTreeContent, parseTree, type TreeEntry } from './git-objects.ts';
import { HOST_ID_RE, assertHostId, assertRepoPath, parseReportPath, repoPaths } from './paths.ts';
import { assertValid, check } from './schema.ts';
import { parseAuditFile } from './audit-log.ts';
import { parseEnvelope } from './report-envelope.ts';
import { sha256Hex } from './hash.ts';
import { evdError } from './errors.ts';

export interface HostEntry {
  hostId: string;
  host: HostRecord;
  meta: HostMeta | null;
}
export interface ReportEntry {
  path: string;
  seq: number;
  envelope: ReportEnvelope;
  bytes: Uint8Array;
}
export interface PackagesVersion {
  commit: string;
  time: Date;
  sha256: string;
  text: string;
}
export interface FileChange {
  commit: string;
  author: { name: string; email: string };
  time: Date;
  message: string;
}
export interface CommitInfo extends FileChange {
  parents: string[];
  tree: string;
  signed: boolean;
}
/** A blob added or changed (`oid` set) or removed (`oid` null) by `commit`. */
export interface TreeChange {
  path: string;
  oid: string | null;
  commit: CommitInfo;
}
export interface WalkChangesOptions {
  /** Top-level directories to follow (e.g. ['hosts', 'exceptions']). */
  roots: readonly string[];
  /** File names to ignore (e.g. signatures). */
  skip?: (name: string) => boolean;
  /** Directories (repository paths) to descend into; default all. */
  follow?: (dir: string) => boolean;
  onChange: (change: TreeChange) => void;
  /** After each commit's changes, with its index in `commits`. */
  onCommit?: (commit: CommitInfo, index: number) => void;
  /** The commit the first of `commits` is compared with (a walk resumed from there); default the empty tree. */
  from?: CommitInfo;
}
export interface DirEntry {
  name: string;
  type: 'blob' | 'tree';
  oid: string;
}

const decoder = new TextDecoder();

function yamlOf(bytes: Uint8Array, path: string): unknown {
  try {
    return YAML.parse(decoder.decode(bytes));
  } catch (cause) {
    throw evdError('EVD_SCHEMA_INVALID', `${path} is not YAML: ${(cause as Error).message}`, { cause, data: { path } });
  }
}

export async function openReader(dir: string): Promise<EvidenceReader> {
  return new EvidenceReader(resolve(dir));
}

export class EvidenceReader {
  readonly dir: string;
  readonly odb: ObjectDb;

  constructor(dir: string) {
    this.dir = dir;
    this.odb = new ObjectDb(dir);
  }

  close(): void {
    this.odb.close();
  }

  async head(): Promise<string | null> {
    return this.odb.head();
  }

  #rootTree(commit?: string): string | null {
    const oid = commit ?? this.odb.head();
    return oid ? this.odb.commit(oid).tree : null;
  }

  #blobAt(path: string, commit?: string): { oid: string; bytes: Uint8Array } | null {
    const root = this.#rootTree(commit);
    const entry = root ? this.odb.entryAt(root, assertRepoPath(path)) : null;
    return entry && entry.mode !== '40000' ? { oid: entry.oid, bytes: this.odb.readTyped(entry.oid, 'blob') } : null;
  }

  async readFile(path: string, commit?: string): Promise<Uint8Array | null> {
    return this.#blobAt(path, commit)?.bytes ?? null;
  }

  async readText(path: string, commit?: string): Promise<string | null> {
    const bytes = await this.readFile(path, commit);
    return bytes === null ? null : decoder.decode(bytes);
  }

  listSync(dir: string, commit?: string): DirEntry[] {
    const root = this.#rootTree(commit);
    if (!root) return [];
    const entry = dir === '' ? { mode: '40000', oid: root } : this.odb.entryAt(root, assertRepoPath(dir));
    if (!entry || entry.mode !== '40000') return [];
    return this.odb.tree(entry.oid).map((e) => ({ name: e.name, type: e.mode === '40000' ? 'tree' : 'blob', oid: e.oid }));
  }

  async list(dir: string, commit?: string): Promise<DirEntry[]> {
    return this.listSync(dir, commit);
  }

  /** Every enrolled host at `commit` (default HEAD), sorted by id; meta.yaml is optional. `only` picks a subset by id. */
  async listHosts(commit?: string, only?: (hostId: string) => boolean): Promise<HostEntry[]> {
    const out: HostEntry[] = [];
    const at = commit ?? this.odb.head() ?? undefined;
    for (const e of this.listSync('hosts', at)) {
      if (e.type !== 'tree' || !HOST_ID_RE.test(e.name) || (only && !only(e.name))) continue;
      const hostFile = this.#blobAt(repoPaths.hostYaml(e.name), at);
      if (!hostFile) continue;
      const host = assertValid<HostRecord>('host', yamlOf(hostFile.bytes, repoPaths.hostYaml(e.name)), repoPaths.hostYaml(e.name));
      const metaFile = this.#blobAt(repoPaths.metaYaml(e.name), at);
      const meta = metaFile ? assertValid<HostMeta>('meta', yamlOf(metaFile.bytes, repoPaths.metaYaml(e.name)), repoPaths.metaYaml(e.name)) : null;
      out.push({ hostId: e.name, host, meta });
    }
    return out.sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
  }

  /** Paths of every report envelope of a host, by walking hosts/<id>/reports/YYYY/MM/DD. */
  reportPaths(hostId: string, commit?: string): { path: string; oid: string; seq: number }[] {
    assertHostId(hostId);
    const out: { path: string; oid: string; seq: number }[] = [];
    const walk = (dir: string, depth: number): void => {
      for (const e of this.listSync(dir, commit)) {
        const p = `${dir}/${e.name}`;
        if (depth < 3 && e.type === 'tree') walk(p, depth + 1);
        else if (depth === 3 && e.type === 'blob') {
          const parsed = parseReportPath(p);
          if (parsed) out.push({ path: p, oid: e.oid, seq: parsed.seq });
        }
      }
    };
    walk(`${repoPaths.hostDir(hostId)}/reports`, 0);
    return out.sort((a, b) => a.seq - b.seq || (a.path < b.path ? -1 : 1));
  }

  /** The host's report envelopes in seq order, parsed and validated, with their exact bytes. */
  async reports(hostId: string, opts: { commit?: string } = {}): Promise<ReportEntry[]> {
    const at = opts.commit ?? this.odb.head() ?? undefined;
    return this.reportPaths(hostId, at).map(({ path, oid, seq }) => {
      const bytes = this.odb.readTyped(oid, 'blob');
      return { path, seq, envelope: parseEnvelope(bytes), bytes };
    });
  }

  /** Commits from the root to HEAD along first parents. */
  async log(): Promise<CommitInfo[]> {
    const out: CommitInfo[] = [];
    for (let oid = this.odb.head(); oid; ) {
      const c = this.odb.commit(oid);
      out.push({
        commit: oid,
        parents: c.parents,
        tree: c.tree,
        author: { name: c.author.name, email: c.author.email },
        time: new Date(c.committer.timestamp * 1000),
        message: c.message,
        signed: c.gpgsig !== undefined,
      });
      oid = c.parents[0] ?? null;
    }
    return out.reverse();
  }

  /**
   * One pass over `commits` (oldest first, e.g. from log()), reporting every blob under `roots` that
   * each commit added, changed or removed relative to the commit before it in the list (the first
   * against an empty tree). Trees are compared by id, so unchanged subtrees are never read and the
   * cost grows with what changed, not with the size of the repository; objects are read in the order
   * they were written, which keeps reads within one pack. With `from`, the first commit is compared
   * with that commit instead, so a walk can be resumed where an earlier one stopped.
   */
  walkChanges(commits: readonly CommitInfo[], opts: WalkChangesOptions): void {
    const skip = opts.skip ?? (() => false);
    const follow = opts.follow ?? (() => true);
    // Tree objects read for the previous commit: the "before" side of the next diff is almost always here.
    let previous = new Map<string, Uint8Array>();
    let current = new Map<string, Uint8Array>();
    // A changed tree is new (read, and kept for the next commit); the one it replaced was read for
    // the commit before, at the same path.
    const raw = (oid: string): Uint8Array => {
      const content = this.odb.readTyped(oid, 'tree');
      current.set(oid, content);
      return content;
    };
    const rawBefore = (oid: string): Uint8Array => previous.get(oid) ?? current.get(oid) ?? raw(oid);
    const isTree = (mode: string): boolean => mode === '40000';
    const removed = (path: string, e: TreeEntry, commit: CommitInfo): void => {
      if (!isTree(e.mode)) {
        if (!skip(e.name)) opts.onChange({ path, oid: null, commit });
        return;
      }
      if (!follow(path)) return;
      for (const c of parseTree(rawBefore(e.oid))) removed(`${path}/${c.name}`, c, commit);
    };
    const diff = (dir: string, cur: string | null, prev: string | null, commit: CommitInfo): void => {
      if (cur === null) {
        if (prev !== null) for (const e of parseTree(rawBefore(prev))) removed(`${dir}/${e.name}`, e, commit);
        return;
      }
      // Subtrees not followed are left out by the diff, which then decodes only their names.
      const delta = diffTreeContent(prev === null ? null : rawBefore(prev), raw(cur), opts.follow ? (name) => follow(`${dir}/${name}`) : undefined);
      for (const e of delta.changed) {
        const path = `${dir}/${e.name}`;
        const old = e.old;
        if (isTree(e.mode)) {
          if (old && !isTree(old.mode)) removed(path, old, commit);
          diff(path, e.oid, old && isTree(old.mode) ? old.oid : null, commit);
        } else {
          if (old && isTree(old.mode)) removed(path, old, commit);
          if (!skip(e.name)) opts.onChange({ path, oid: e.oid, commit });
        }
      }
      for (const old of delta.removed) removed(`${dir}/${old.name}`, old, commit);
    };
    const rootsOf = (treeOid: string): Map<string, string> => {
      const out = new Map<string, string>();
      for (const e of parseTree(this.odb.readTyped(treeOid, 'tree'))) if (isTree(e.mode) && opts.roots.includes(e.name)) out.set(e.name, e.oid);
      return out;
    };
    let before = opts.from ? rootsOf(opts.from.tree) : new Map<string, string>();
    commits.forEach((commit, i) => {
      const now = rootsOf(commit.tree);
      for (const root of opts.roots) {
        const cur = now.get(root) ?? null;
        const prev = before.get(root) ?? null;
        if (cur !== prev) diff(root, cur, prev, commit);
      }
      before = now;
      previous = current;
      current = new Map();
      opts.onCommit?.(commit, i);
    });
  }

  /** Commits (oldest first) in which the blob at `path` was added, changed or removed. */
  async fileHistory(path: string): Promise<FileChange[]> {
    return (await this.#changes(path)).map(({ info }) => ({ commit: info.commit, author: info.author, time: info.time, message: info.message }));
  }

  async #changes(path: string): Promise<{ info: CommitInfo; oid: string | null }[]> {
    assertRepoPath(path);
    const out: { info: CommitInfo; oid: string | null }[] = [];
    let previous: string | null = null;
    for (const info of await this.log()) {
      const entry = this.odb.entryAt(info.tree, path);
      const oid = entry && entry.mode !== '40000' ? entry.oid : null;
      if (oid !== previous) out.push({ info, oid });
      previous = oid;
    }
    return out;
  }

  /** Each version of hosts/<id>/packages.tsv, oldest first, with the commit that wrote it. */
  async packagesHistory(hostId: string): Promise<PackagesVersion[]> {
    const out: PackagesVersion[] = [];
    for (const { info, oid } of await this.#changes(repoPaths.packagesTsv(hostId))) {
      if (oid === null) continue;
      const bytes = this.odb.readTyped(oid, 'blob');
      out.push({ commit: info.commit, time: info.time, sha256: sha256Hex(bytes), text: decoder.decode(bytes) });
    }
    return out;
  }

  /** exceptions/*.yaml; a file that fails its schema is returned with `problem` set, never dropped silently. */
  async exceptions(commit?: string): Promise<{ path: string; record: ExceptionRecord; problem: string | null }[]> {
    const at = commit ?? this.odb.head() ?? undefined;
    const out: { path: string; record: ExceptionRecord; problem: string | null }[] = [];
    for (const e of this.listSync('exceptions', at)) {
      if (e.type !== 'blob' || !e.name.endsWith('.yaml')) continue;
      const path = `exceptions/${e.name}`;
      let record: unknown;
      let problem: string | null;
      try {
        record = yamlOf(this.odb.readTyped(e.oid, 'blob'), path);
        problem = check('exception', record);
        if (problem === null && `${(record as ExceptionRecord).id}.yaml` !== e.name) problem = `id ${(record as ExceptionRecord).id} does not match the file name`;
      } catch (err) {
        record = {};
        problem = (err as Error).message;
      }
      out.push({ path, record: record as ExceptionRecord, problem });
    }
    return out;
  }

  /** Month files of the audit log at `commit`, oldest first. */
  auditFiles(commit?: string): { path: string; text: string }[] {
    const out: { path: string; text: string }[] = [];
    for (const y of this.listSync('audit', commit).filter((e) => e.type === 'tree').map((e) => e.name).sort()) {
      for (const m of this.listSync(`audit/${y}`, commit).filter((e) => e.type === 'blob' && e.name.endsWith('.jsonl')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        out.push({ path: `audit/${y}/${m.name}`, text: decoder.decode(this.odb.readTyped(m.oid, 'blob')) });
      }
    }
    return out;
  }

  async auditEntries(commit?: string): Promise<AuditEntry[]> {
    return this.auditFiles(commit ?? this.odb.head() ?? undefined).flatMap((f) => parseAuditFile(f.text));
  }

  /** keys/keys.yaml and the armored public keys it names (by fingerprint). */
  async keys(commit?: string): Promise<{ file: KeysFile; armored: Record<string, string> }> {
    const at = commit ?? this.odb.head() ?? undefined;
    const raw = this.#blobAt(repoPaths.keysYaml, at);
    const file = raw ? assertValid<KeysFile>('keys', yamlOf(raw.bytes, repoPaths.keysYaml), repoPaths.keysYaml) : { keys: [] };
    const armored: Record<string, string> = {};
    for (const k of file.keys) {
      const blob = this.#blobAt(k.file, at);
      if (blob) armored[k.fingerprint] = decoder.decode(blob.bytes);
    }
    return { file, armored };
  }
}
