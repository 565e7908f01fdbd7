// The collector's one door into the evidence repository: the group committer (files + audit
// entries in one durable, signed commit), commits of their own for human-reviewed files, reads
// at HEAD, and signing-key rotation; the last two pause writers and flush before they commit.
import type { AuditInput } from '../evidence/audit-log.ts';
import { AuditLog } from '../evidence/audit-log.ts';
import { validateFiles, type GitStore, type StoreFile } from '../evidence/git-store.ts';
import { GroupCommitter } from '../evidence/group-commit.ts';
import { loadHome, rotateKey, type LoadedHome } from '../evidence/home.ts';
import { openReader, type EvidenceReader } from '../evidence/reader.ts';
import type { Signer } from '../evidence/sign.ts';
import type { Clock } from './clock.ts';
import type { CollectorMetrics } from './metrics.ts';

export interface EvidenceSinkOptions {
  readonly home: string;
  readonly clock: Clock;
  /** Group commit window (default: the home's config commit_window_ms, else 200). */
  readonly windowMs?: number;
  readonly metrics?: CollectorMetrics;
}

interface Open {
  home: LoadedHome;
  store: GitStore;
  audit: AuditLog;
  committer: GroupCommitter;
}

export class EvidenceSink {
  readonly #opts: EvidenceSinkOptions;
  readonly #open: Open;
  readonly #reader: EvidenceReader;
  #gate: Promise<void> = Promise.resolve();
  #inflight = new Set<Promise<unknown>>();
  #closed = false;
  /** Callers resolved per commit, observed once per commit as the group size. */
  #groups = new Map<string, number>();

  private constructor(opts: EvidenceSinkOptions, open: Open, reader: EvidenceReader) {
    this.#opts = opts;
    this.#open = open;
    this.#reader = reader;
  }

  static async open(opts: EvidenceSinkOptions): Promise<EvidenceSink> {
    const open = await EvidenceSink.#openStore(opts);
    const reader = await openReader(open.store.dir);
    return new EvidenceSink(opts, open, reader);
  }

  static async #openStore(opts: EvidenceSinkOptions): Promise<Open> {
    const home = await loadHome(opts.home, { clock: opts.clock });
    const store = await home.openStore({ clock: opts.clock });
    try {
      const audit = await AuditLog.load(store, { clock: opts.clock });
      const windowMs = opts.windowMs ?? home.config.commit_window_ms ?? 200;
      return { home, store, audit, committer: new GroupCommitter(store, { windowMs, audit }) };
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get config(): LoadedHome['config'] {
    return this.#open.home.config;
  }

  get collectorId(): string {
    return this.#open.home.config.collector_id;
  }

  /** The current signing key (changes on rotation). */
  get signer(): Signer {
    return this.#open.store.signer;
  }

  get paths(): LoadedHome['paths'] {
    return this.#open.home.paths;
  }

  get reader(): EvidenceReader {
    return this.#reader;
  }

  get repoDir(): string {
    return this.#open.store.dir;
  }

  /**
   * Queues files and audit entries for the next group commit; resolves once the commit holding
   * them is durable. When `files` is a function it is called after any key rotation in
   * progress, with the signer that is current then (so envelopes name the key that signs them).
   */
  write(files: readonly StoreFile[] | ((signer: Signer) => Promise<readonly StoreFile[]>), label: string, audit: readonly AuditInput[] = []): Promise<{ commit: string }> {
    const started = performance.now();
    return this.#tracked(
      started,
      (async () => {
        await this.#gate;
        const { committer, store } = this.#open;
        const list = typeof files === 'function' ? await files(store.signer) : files;
        return committer.add(list, label, audit.length > 0 ? { audit } : undefined);
      })(),
    );
  }

  /**
   * A person's change to human-reviewed files (exceptions, host metadata): not grouped, but a
   * commit of its own whose message is `message`, which `git log <file>` shows an auditor, with
   * its audit entries in the same commit. Writes queued before it commit first, in their groups.
   */
  writeReviewed(files: readonly StoreFile[], message: string, audit: readonly AuditInput[] = []): Promise<{ commit: string }> {
    const started = performance.now();
    try {
      validateFiles(files, this.#open.store.maxFileBytes); // refused before other writes are held
    } catch (err) {
      return Promise.reject(err);
    }
    const { audit: log } = this.#open;
    return this.#tracked(started, this.#exclusive(async () => ({ commit: (await log.append(audit, files, message)).commit })));
  }

  /** Registers a write synchronously (so flush() and close() always see it) and observes its latency. */
  async #tracked(started: number, p: Promise<{ commit: string }>): Promise<{ commit: string }> {
    this.#inflight.add(p);
    try {
      const out = await p;
      this.#observe(out.commit, (performance.now() - started) / 1000);
      return out;
    } finally {
      this.#inflight.delete(p);
    }
  }

  #observe(commit: string, seconds: number): void {
    const m = this.#opts.metrics;
    if (!m) return;
    m.commitLatency.observe(seconds);
    const n = this.#groups.get(commit);
    this.#groups.set(commit, (n ?? 0) + 1);
    if (n === undefined) {
      // Every caller of one commit resumes in the same turn; count them, then observe once.
      setImmediate(() => {
        m.commitGroupSize.observe(this.#groups.get(commit) ?? 1);
        this.#groups.delete(commit);
      });
    }
  }

  readFile(path: string): Promise<Uint8Array | null> {
    return this.#open.store.readFile(path);
  }

  list(dir: string): Promise<{ name: string; type: 'blob' | 'tree'; oid: string }[]> {
    return this.#open.store.list(dir);
  }

  head(): Promise<string | null> {
    return this.#open.store.head();
  }

  /** Commits whatever is queued now and waits for it. */
  async flush(): Promise<void> {
    await this.#open.committer.flush();
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /**
   * Runs `fn` with the repository to itself: holds new writes at the gate, lets the ones already
   * past it commit (in their groups), flushes the committer, runs `fn`, then lets the held writes go.
   */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const previousGate = this.#gate;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    // Writes queued from now on wait at the gate; the ones already past it finish first.
    const ahead = [...this.#inflight];
    try {
      await previousGate;
      await Promise.allSettled(ahead);
      await this.#open.committer.flush();
      return await fn();
    } finally {
      release();
    }
  }

  /** Rotates the signing key (owner action) on the open store, which then signs with the new key. */
  rotateKey(actor: AuditInput['actor'], source: string | null = null): Promise<{ oldFingerprint: string; newFingerprint: string; commit: string }> {
    return this.#exclusive(() => {
      const { store, audit } = this.#open;
      return rotateKey(this.#opts.home, { clock: this.#opts.clock, actor, source, store, audit });
    });
  }

  /** Packs the repository with `git gc` (queued behind commits in progress); false without git. */
  gc(): Promise<boolean> {
    return this.#open.store.gc();
  }

  /** Flushes pending writes and releases the repository lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flush();
    await this.#open.committer.close();
    await this.#open.store.close();
    this.#reader.close();
  }
}
