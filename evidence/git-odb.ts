// The object database of a bare repository, read side: loose objects and every pack, with a small
// cache of parsed trees. Shared by the writer (parent trees) and the reader (all queries).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { evdError } from './errors.ts';
import { objectId, parseCommit, parseTree, type GitObject, type ObjectType, type ParsedCommit, type TreeEntry } from './git-objects.ts';
import { PackReader } from './git-pack.ts';
import { headRefName, readRefSync } from './git-fs.ts';

const TREE_CACHE_LIMIT = 200_000;
const MAIN_REF = 'refs/heads/main';

function isGitDir(dir: string): boolean {
  return existsSync(join(dir, 'objects')) && existsSync(join(dir, 'HEAD'));
}

export class ObjectDb {
  readonly gitdir: string;
  #packs = new Map<string, PackReader>();
  readonly #trees = new Map<string, TreeEntry[]>();

  constructor(dir: string) {
    // A bare repository, or a working clone's .git (an auditor's `git clone` of the evidence).
    const gitdir = !isGitDir(dir) && isGitDir(join(dir, '.git')) ? join(dir, '.git') : dir;
    if (!isGitDir(gitdir)) {
      throw evdError('EVD_REPO_NOT_FOUND', `no bare git repository at ${gitdir}`, { data: { dir: gitdir } });
    }
    this.gitdir = gitdir;
    this.rescan();
  }

  /** Picks up packs written since (by us or by `git gc`) and drops removed ones. */
  rescan(): boolean {
    const dir = join(this.gitdir, 'objects', 'pack');
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.idx')).map((f) => f.slice(0, -4));
    } catch {
      names = [];
    }
    const next = new Map<string, PackReader>();
    let changed = false;
    for (const name of names) {
      const have = this.#packs.get(name);
      if (have) next.set(name, have);
      else if (existsSync(join(dir, `${name}.pack`))) {
        next.set(name, new PackReader(dir, name));
        changed = true;
      }
    }
    for (const [name, reader] of this.#packs) {
      if (!next.has(name)) {
        reader.close();
        changed = true;
      }
    }
    this.#packs = next;
    if (changed) this.#mru = [...next.values()].reverse();
    return changed;
  }

  close(): void {
    for (const p of this.#packs.values()) p.close();
    this.#packs.clear();
  }

  #readLoose(oid: string): GitObject | null {
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2))));
    } catch {
      return null;
    }
    const nul = raw.indexOf(0);
    const type = raw.toString('latin1', 0, raw.indexOf(0x20)) as ObjectType;
    return { type, content: raw.subarray(nul + 1) };
  }

  /** Packs in most-recently-hit order: objects read together were usually written together. */
  #mru: PackReader[] = [];

  #readPacked(oid: string): GitObject | null {
    if (this.#mru.length !== this.#packs.size) this.#mru = [...this.#packs.values()].reverse();
    const key = Buffer.from(oid, 'hex');
    for (let i = 0; i < this.#mru.length; i++) {
      const p = this.#mru[i]!;
      const at = p.findKey(key);
      if (at < 0) continue;
      if (i > 0) {
        this.#mru.splice(i, 1);
        this.#mru.unshift(p);
      }
      return p.readAt(at, (base) => this.read(base));
    }
    return null;
  }

  /** The object, or null when this repository does not have it. Content is checked against its id. */
  read(oid: string): GitObject | null {
    const found = this.#readPacked(oid) ?? this.#readLoose(oid) ?? (this.rescan() ? this.#readPacked(oid) : null);
    if (found && objectId(found.type, found.content) !== oid) {
      throw evdError('EVD_VERIFY_FAILED', `object ${oid} in ${this.gitdir} is corrupt (its content does not hash to its id)`, { data: { oid }, hint: 'Run `git fsck --full` on the repository.' });
    }
    return found;
  }

  readTyped(oid: string, type: ObjectType): Uint8Array {
    const obj = this.read(oid);
    if (!obj) throw evdError('EVD_NOT_FOUND', `object ${oid} is missing from ${this.gitdir}`, { data: { oid } });
    if (obj.type !== type) throw evdError('EVD_NOT_FOUND', `object ${oid} is a ${obj.type}, not a ${type}`, { data: { oid } });
    return obj.content;
  }

  tree(oid: string): TreeEntry[] {
    let entries = this.#trees.get(oid);
    if (!entries) {
      entries = parseTree(this.readTyped(oid, 'tree'));
      if (this.#trees.size >= TREE_CACHE_LIMIT) this.#trees.delete(this.#trees.keys().next().value!);
      this.#trees.set(oid, entries);
    }
    return entries;
  }

  /** Remembers a tree the writer just produced, so it is never read back from disk. */
  rememberTree(oid: string, entries: TreeEntry[]): void {
    if (this.#trees.size >= TREE_CACHE_LIMIT) this.#trees.delete(this.#trees.keys().next().value!);
    this.#trees.set(oid, entries);
  }

  commit(oid: string): ParsedCommit {
    return parseCommit(this.readTyped(oid, 'commit'));
  }

  readonly #byName = new WeakMap<TreeEntry[], Map<string, TreeEntry>>();

  /** The named entry of a tree; large trees (hosts/) get a name index on first use. */
  child(treeOid: string, name: string): TreeEntry | null {
    const entries = this.tree(treeOid);
    if (entries.length < 32) return entries.find((e) => e.name === name) ?? null;
    let index = this.#byName.get(entries);
    if (!index) this.#byName.set(entries, (index = new Map(entries.map((e) => [e.name, e]))));
    return index.get(name) ?? null;
  }

  /** The entry at `path` inside tree `treeOid`, or null. */
  entryAt(treeOid: string, path: string): TreeEntry | null {
    let tree = treeOid;
    const parts = path.split('/').filter((p) => p !== '');
    let entry: TreeEntry | null = null;
    for (let i = 0; i < parts.length; i++) {
      entry = this.child(tree, parts[i]!);
      if (!entry) return null;
      if (i < parts.length - 1) {
        if (entry.mode !== '40000') return null;
        tree = entry.oid;
      }
    }
    return entry;
  }

  /** HEAD's commit; refs/heads/main when HEAD names a branch that does not exist (a mirror made with another default branch). */
  head(): string | null {
    const ref = headRefName(this.gitdir);
    return readRefSync(this.gitdir, ref) ?? (ref === MAIN_REF ? null : readRefSync(this.gitdir, MAIN_REF));
  }
}
