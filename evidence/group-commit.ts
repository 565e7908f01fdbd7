// Group commit: many callers' files gathered within a short window become one signed commit, so
// the cost of signing, fsync and the ref update is paid once per group. Each caller resolves only
// when the ref update containing its files is durable; a failed group rejects only its own callers.
import type { GitStore, StoreFile } from './git-store.ts';
import { validateFiles } from './git-store.ts';
import type { AuditInput, AuditLog } from './audit-log.ts';
import { evdError } from './errors.ts';

export interface GroupCommitterOptions {
  windowMs?: number;
  maxFiles?: number;
  audit?: AuditLog;
  message?: (labels: string[]) => string;
}

interface Pending {
  files: readonly StoreFile[];
  label: string | undefined;
  audit: readonly AuditInput[];
  resolve: (v: { commit: string }) => void;
  reject: (e: unknown) => void;
}

export function defaultMessage(labels: string[]): string {
  const shown = labels.slice(0, 50);
  const more = labels.length > shown.length ? `\n… and ${labels.length - shown.length} more\n` : '';
  return `evidence: ${labels.length} item${labels.length === 1 ? '' : 's'}\n\n${shown.join('\n')}\n${more}`;
}

export class GroupCommitter {
  readonly #store: GitStore;
  readonly #windowMs: number;
  readonly #maxFiles: number;
  readonly #audit: AuditLog | undefined;
  readonly #message: (labels: string[]) => string;
  #pending: Pending[] = [];
  #pendingFiles = 0;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #idle: (() => void)[] = [];
  #closed = false;

  constructor(store: GitStore, opts: GroupCommitterOptions = {}) {
    this.#store = store;
    this.#windowMs = opts.windowMs ?? 200;
    this.#maxFiles = opts.maxFiles ?? 2000;
    this.#audit = opts.audit;
    this.#message = opts.message ?? defaultMessage;
  }

  /** Files (and audit entries) for the next group. Bad paths or sizes reject this caller only. */
  add(files: readonly StoreFile[], label?: string, opts: { audit?: readonly AuditInput[] } = {}): Promise<{ commit: string }> {
    if (this.#closed) return Promise.reject(evdError('EVD_IO', 'the group committer is closed'));
    try {
      validateFiles(files, this.#store.maxFileBytes);
      if (opts.audit && opts.audit.length > 0 && !this.#audit) throw evdError('EVD_IO', 'audit entries given, but this committer has no audit log');
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ files: [...files], label, audit: opts.audit ?? [], resolve, reject });
      this.#pendingFiles += files.length;
      if (this.#busy) return; // picked up as soon as the commit in flight is durable
      if (this.#pendingFiles >= this.#maxFiles) this.#kick();
      else if (!this.#timer) this.#timer = setTimeout(() => this.#kick(), this.#windowMs);
    });
  }

  /** Number of callers waiting for a commit that has not started yet. */
  get queued(): number {
    return this.#pending.length;
  }

  /**
   * Starts a commit with the queued callers (at most maxFiles files, at least one caller). While it
   * runs, new callers queue; they go out together as soon as it is durable (classic group commit).
   */
  #kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#busy) return;
    if (this.#pending.length === 0) {
      for (const wake of this.#idle.splice(0)) wake();
      return;
    }
    let n = 0;
    let files = 0;
    while (n < this.#pending.length && (n === 0 || files + this.#pending[n]!.files.length <= this.#maxFiles)) files += this.#pending[n++]!.files.length;
    const group = this.#pending.splice(0, n);
    this.#pendingFiles -= files;
    this.#busy = true;
    void this.#commitGroup(group).finally(() => {
      this.#busy = false;
      this.#kick();
    });
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    const files: StoreFile[] = group.flatMap((p) => p.files);
    const inputs = group.flatMap((p) => p.audit);
    let prepared = false;
    try {
      if (inputs.length > 0 && this.#audit) {
        files.push(...this.#audit.prepare(inputs).files);
        prepared = true;
      }
      const labels = group.map((p, i) => p.label ?? `item ${i + 1}`);
      const commit = await this.#store.commit(files, { message: this.#message(labels) });
      if (prepared) this.#audit?.commitPrepared();
      for (const p of group) p.resolve({ commit });
    } catch (err) {
      if (prepared) this.#audit?.rollbackPrepared();
      for (const p of group) p.reject(err);
    }
  }

  /** Commits whatever is queued now and waits until all of it is durable. */
  flush(): Promise<void> {
    if (!this.#busy && this.#pending.length === 0) return Promise.resolve();
    const done = new Promise<void>((wake) => this.#idle.push(wake));
    this.#kick();
    return done;
  }

  /** Flushes, then refuses further work. Does not close the store. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}
