// The single writer of a bare evidence repository: files in, one signed commit out. Objects go
// into one fsync'd pack per commit, then the branch moves by an atomic, fsync'd rename, so a crash
// at any point leaves a valid repository holding all or none of a commit's files.
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { evdError } from './errors.ts';
import { assertHostScopedPath, assertRepoPath } from './paths.ts';
import { commitPayload, objectId, personAt, renderCommit, renderTree, type TreeEntry } from './git-objects.ts';
import { ObjectDb } from './git-odb.ts';
import { writePack, type PackInput } from './git-pack.ts';
import { acquireLock, headRefName, writeRefDurable } from './git-fs.ts';
import type { Clock, Signer } from './sign.ts';

export type { Clock } from './sign.ts';

export interface StoreFile {
  path: string;
  content: Uint8Array | string;
}

export interface GitStoreOptions {
  signer: Signer;
  clock?: Clock;
  author?: { name: string; email: string };
  maxFileBytes?: number;
  durable?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const TMP_DIR = 'patchproof-tmp';
const encoder = new TextEncoder();

interface DirNode {
  files: Map<string, string>;
  dirs: Map<string, DirNode>;
}

export function toBytes(content: Uint8Array | string): Uint8Array {
  return typeof content === 'string' ? encoder.encode(content) : content;
}

/**
 * Checks every path and size before anything is written: EVD_PATH_INVALID / EVD_HOST_ID_INVALID
 * (a hosts/<x>/ path whose <x> is not a host id) / EVD_RECORD_TOO_LARGE / EVD_SCHEMA_INVALID.
 */
export function validateFiles(files: readonly StoreFile[], maxFileBytes = DEFAULT_MAX_FILE_BYTES): void {
  for (const f of files) {
    assertHostScopedPath(assertRepoPath(f?.path));
    const content = f.content as unknown;
    if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
      throw evdError('EVD_SCHEMA_INVALID', `content of ${f.path} must be a string or bytes`, { data: { path: f.path } });
    }
    const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    if (size > maxFileBytes) {
      throw evdError('EVD_RECORD_TOO_LARGE', `${f.path} is ${size} bytes; the limit is ${maxFileBytes}`, { data: { path: f.path, size, limit: maxFileBytes } });
    }
  }
}

export class GitStore {
  readonly dir: string;
  readonly odb: ObjectDb;
  readonly #opts: Required<Omit<GitStoreOptions, 'author'>> & { author: { name: string; email: string } };
  readonly #release: () => Promise<void>;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, odb: ObjectDb, release: () => Promise<void>, opts: GitStoreOptions) {
    this.dir = dir;
    this.odb = odb;
    this.#release = release;
    this.#opts = {
      signer: opts.signer,
      clock: opts.clock ?? (() => new Date()),
      author: opts.author ?? { name: 'patchproof collector', email: 'collector@patchproof.invalid' },
      maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      durable: opts.durable ?? true,
    };
  }

  /** Creates a bare repository whose HEAD is refs/heads/main (no commits yet), then opens it. */
  static async init(dir: string, opts: GitStoreOptions): Promise<GitStore> {
    const gitdir = resolve(dir);
    const existing = await readdir(gitdir).catch(() => [] as string[]);
    if (existing.length > 0) throw evdError('EVD_REPO_EXISTS', `${gitdir} exists and is not empty`, { data: { dir: gitdir } });
    await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
    await mkdir(join(gitdir, 'objects', 'pack'), { recursive: true });
    await mkdir(join(gitdir, 'refs', 'heads'), { recursive: true });
    return GitStore.open(gitdir, opts);
  }

  /** Opens a repository for writing and takes its single-writer lock. */
  static async open(dir: string, opts: GitStoreOptions): Promise<GitStore> {
    const gitdir = resolve(dir);
    const odb = new ObjectDb(gitdir);
    const release = await acquireLock(gitdir);
    try {
      await rm(join(gitdir, TMP_DIR), { recursive: true, force: true });
      await mkdir(join(gitdir, TMP_DIR), { recursive: true });
      await removeOrphanPacks(gitdir);
    } catch (err) {
      await release();
      throw err;
    }
    return new GitStore(gitdir, odb, release, opts);
  }

  get signer(): Signer {
    return this.#opts.signer;
  }

  get maxFileBytes(): number {
    return this.#opts.maxFileBytes;
  }

  /** Swaps the signing key (key rotation); later commits are signed with the new key. */
  setSigner(signer: Signer): void {
    this.#opts.signer = signer;
  }

  async head(): Promise<string | null> {
    return this.odb.head();
  }

  async readFile(path: string): Promise<Uint8Array | null> {
    const head = this.odb.head();
    if (!head) return null;
    const entry = this.odb.entryAt(this.odb.commit(head).tree, assertRepoPath(path));
    return entry && entry.mode !== '40000' ? this.odb.readTyped(entry.oid, 'blob') : null;
  }

  async list(dir: string): Promise<{ name: string; type: 'blob' | 'tree'; oid: string }[]> {
    const head = this.odb.head();
    if (!head) return [];
    const root = this.odb.commit(head).tree;
    const entry = dir === '' ? { mode: '40000', oid: root } : this.odb.entryAt(root, assertRepoPath(dir));
    if (!entry || entry.mode !== '40000') return [];
    return this.odb.tree(entry.oid).map((e) => ({ name: e.name, type: e.mode === '40000' ? 'tree' : 'blob', oid: e.oid }));
  }

  /** One signed commit holding `files` (later duplicates of a path win). Resolves once durable. */
  commit(files: readonly StoreFile[], opts: { message: string; date?: Date }): Promise<string> {
    if (this.#closed) return Promise.reject(evdError('EVD_IO', 'the store is closed'));
    try {
      validateFiles(files, this.#opts.maxFileBytes);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.#queue.then(() => this.#commitNow(files, opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #commitNow(files: readonly StoreFile[], opts: { message: string; date?: Date }): Promise<string> {
    const odb = this.odb;
    const parent = odb.head();
    const baseTree = parent ? odb.commit(parent).tree : null;
    const objects: PackInput[] = [];
    const root: DirNode = { files: new Map(), dirs: new Map() };
    for (const f of files) {
      const content = toBytes(f.content);
      const oid = objectId('blob', content);
      objects.push({ oid, type: 'blob', content });
      const parts = f.path.split('/');
      let node = root;
      for (let i = 0; i < parts.length - 1; i++) {
        const name = parts[i]!;
        if (node.files.has(name)) throw evdError('EVD_PATH_INVALID', `${f.path} needs ${name} to be a directory, but it is a file in this commit`, { data: { path: f.path } });
        let next = node.dirs.get(name);
        if (!next) node.dirs.set(name, (next = { files: new Map(), dirs: new Map() }));
        node = next;
      }
      const leaf = parts[parts.length - 1]!;
      if (node.dirs.has(leaf)) throw evdError('EVD_PATH_INVALID', `${f.path} is a directory in this commit`, { data: { path: f.path } });
      node.files.set(leaf, oid);
    }
    const tree = this.#buildTree(baseTree, root, objects, '');
    const date = opts.date ?? this.#opts.clock();
    const who = personAt(this.#opts.author.name, this.#opts.author.email, date);
    const message = opts.message.endsWith('\n') ? opts.message : `${opts.message}\n`;
    const unsigned = { tree, parents: parent ? [parent] : [], author: who, committer: who, message };
    const gpgsig = await this.#opts.signer.signCommit(commitPayload(unsigned), { date });
    const content = renderCommit({ ...unsigned, gpgsig });
    const oid = objectId('commit', content);
    objects.push({ oid, type: 'commit', content });
    await writePack(this.dir, join(this.dir, TMP_DIR), objects, { durable: this.#opts.durable });
    odb.rescan();
    if (odb.head() !== parent) {
      throw evdError('EVD_CONFLICT', `${headRefName(this.dir)} moved while this commit was being written; nothing was committed`, { data: { expected: parent } });
    }
    await writeRefDurable(this.dir, headRefName(this.dir), oid, this.#opts.durable);
    return oid;
  }

  /** Rewrites only the trees on the way down to changed files; untouched subtrees keep their ids. */
  #buildTree(baseOid: string | null, node: DirNode, objects: PackInput[], prefix: string): string {
    const entries = new Map<string, TreeEntry>();
    if (baseOid) for (const e of this.odb.tree(baseOid)) entries.set(e.name, e);
    for (const [name, oid] of node.files) {
      if (entries.get(name)?.mode === '40000') throw evdError('EVD_PATH_INVALID', `${prefix}${name} is a directory in the repository`, { data: { path: prefix + name } });
      entries.set(name, { mode: '100644', name, oid });
    }
    for (const [name, child] of node.dirs) {
      const existing = entries.get(name);
      if (existing && existing.mode !== '40000') throw evdError('EVD_PATH_INVALID', `${prefix}${name} is a file in the repository`, { data: { path: prefix + name } });
      entries.set(name, { mode: '40000', name, oid: this.#buildTree(existing?.oid ?? null, child, objects, `${prefix}${name}/`) });
    }
    const list = [...entries.values()];
    const content = renderTree(list);
    const oid = objectId('tree', content);
    if (oid !== baseOid) {
      objects.push({ oid, type: 'tree', content });
      this.odb.rememberTree(oid, list);
    }
    return oid;
  }

  /** Packs loose objects and merges packs with the real `git gc`; false when git is not installed. */
  gc(): Promise<boolean> {
    const run = this.#queue.then(
      () =>
        new Promise<boolean>((done, fail) => {
          execFile('git', ['--git-dir', this.dir, 'gc', '--quiet'], (err) => {
            if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return done(false);
            if (err) return fail(evdError('EVD_IO', `git gc failed: ${err.message}`, { cause: err }));
            this.odb.rescan();
            done(true);
          });
        }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for queued commits, then releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.odb.close();
    await this.#release();
  }
}

/**
 * A crash between renaming a pack and its index leaves a .pack without .idx: git ignores it and
 * nothing refers to it. Removed once it is an hour old, so a `git gc` running right now (which
 * also renames its pack before its index) is never disturbed.
 */
async function removeOrphanPacks(gitdir: string): Promise<void> {
  const dir = join(gitdir, 'objects', 'pack');
  const names = await readdir(dir).catch(() => [] as string[]);
  const idx = new Set(names.filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)));
  for (const n of names) {
    if (!n.startsWith('pack-') || !n.endsWith('.pack') || idx.has(n.slice(0, -5))) continue;
    const age = Date.now() - (await stat(join(dir, n)).then((s) => s.mtimeMs, () => Date.now()));
    if (age > 3_600_000) await unlink(join(dir, n)).catch(() => undefined);
  }
}
