// The agent's state directory (0700): credentials.json (0600, from enrolment; its device token
// replaced durably by a rotation), state.json (seq counter, what the collector has acknowledged,
// its pushed config) and the spool. Every write is atomic, so a kill -9 at any moment leaves
// either the old or the new file.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, ensurePrivateDir, removeTempFiles } from './atomic-file.ts';
import { Spool, type SpoolOptions } from './spool.ts';
import { agtError } from './transport-errors.ts';

export interface Credentials {
  /** Collector base URL, https:// (http:// only to loopback). */
  server: string;
  host_id: string;
  device_token: string;
  collector_id: string;
  /** PEM of the CA trusted for the collector, copied at enrolment so the file may move. */
  ca_pem?: string;
  /** Where the CA came from: information only. */
  ca_file?: string;
  /** base64 SHA-256 of the collector leaf certificate's DER SubjectPublicKeyInfo. */
  pin_sha256?: string;
  enrolled_at: string;
  /** When device_token was last replaced by a rotation. */
  token_rotated_at?: string;
}

export interface AgentState {
  /** The seq the next report gets; never reused. */
  next_seq: number;
  last_acked_seq: number;
  /** The inventory the collector holds for us (from the last acknowledged report). */
  last_acked_inventory_sha256: string | null;
  /** The collector asked for the full package list (config or collect-now full_inventory). */
  inventory_requested: boolean;
  /** pending_sha256 of the last acknowledged report: the pending list the collector holds for us. */
  last_acked_pending_sha256: string | null;
  /** The collector asked for the full pending list (config or collect-now full_pending). */
  pending_requested: boolean;
  /** collected_at of the last report written to the spool: the next report's history starts here. */
  last_collected_at: string | null;
  /** Pushed by the collector's `config`; null until then. */
  interval_s: number | null;
  jitter_s: number | null;
}

const INITIAL_STATE: AgentState = Object.freeze({
  next_seq: 1,
  last_acked_seq: 0,
  last_acked_inventory_sha256: null,
  inventory_requested: false,
  last_acked_pending_sha256: null,
  pending_requested: false,
  last_collected_at: null,
  interval_s: null,
  jitter_s: null,
});

const HOST_ID_RE = /^h_[0-9a-f]{16}$/;
const DEVICE_TOKEN_RE = /^ppd_[A-Za-z0-9_-]{40,100}$/;

export interface StateOptions {
  /** fsync every write (default true). */
  sync?: boolean;
  spool?: Omit<SpoolOptions, 'sync'>;
}

export class StateStore {
  readonly dir: string;
  readonly spool: Spool;
  readonly #sync: boolean;
  #state: AgentState;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, spool: Spool, state: AgentState, sync: boolean) {
    this.dir = dir;
    this.spool = spool;
    this.#state = state;
    this.#sync = sync;
  }

  static async open(dir: string, options: StateOptions = {}): Promise<StateStore> {
    const sync = options.sync ?? true;
    await ensurePrivateDir(dir);
    await removeTempFiles(dir);
    const spool = await Spool.open(join(dir, 'spool'), { ...options.spool, sync });
    const saved = await readJson<Partial<AgentState>>(join(dir, 'state.json'));
    const state: AgentState = { ...INITIAL_STATE, ...saved };
    // A crash between spooling and saving state.json must never hand out a seq twice.
    state.next_seq = Math.max(state.next_seq, spool.maxSeq() + 1, state.last_acked_seq + 1);
    return new StateStore(dir, spool, state, sync);
  }

  get state(): Readonly<AgentState> {
    return this.#state;
  }

  /** Applies a change and persists it; writes are serialised in call order. */
  update(patch: Partial<AgentState>): Promise<AgentState> {
    this.#state = { ...this.#state, ...patch };
    const snapshot = JSON.stringify(this.#state, null, 2) + '\n';
    const write = this.#writes.then(() => this.#writeFile('state.json', snapshot));
    this.#writes = write.catch(() => {});
    return write.then(() => this.#state);
  }

  hasCredentials(): Promise<boolean> {
    return fsp.access(join(this.dir, 'credentials.json')).then(
      () => true,
      () => false,
    );
  }

  async credentials(): Promise<Credentials> {
    const path = join(this.dir, 'credentials.json');
    const creds = await readJson<Credentials>(path);
    if (creds === null) throw agtError('AGT_NOT_ENROLLED', `no credentials in ${this.dir}`, { data: { dir: this.dir } });
    if (!HOST_ID_RE.test(String(creds.host_id)) || !DEVICE_TOKEN_RE.test(String(creds.device_token)) || typeof creds.server !== 'string') {
      throw agtError('AGT_STATE_INVALID', `credentials in ${path} are damaged`, { data: { file: path }, hint: 'Re-enrol this host.' });
    }
    const st = await fsp.stat(path);
    if ((st.mode & 0o077) !== 0) await fsp.chmod(path, 0o600);
    return creds;
  }

  saveCredentials(creds: Credentials): Promise<void> {
    return this.#writeFile('credentials.json', JSON.stringify(creds, null, 2) + '\n');
  }

  /**
   * Replaces the device token in credentials.json and returns the new credentials. Always
   * durable, whatever `sync` says (0600 temporary file, fsync, rename, fsync of the directory):
   * the collector retires the old token as soon as the new one is used, so the new one must
   * survive a crash before it is.
   */
  async replaceDeviceToken(token: string, now: Date): Promise<Credentials> {
    if (!DEVICE_TOKEN_RE.test(token)) throw agtError('AGT_PROTOCOL_ERROR', 'the new device token is malformed');
    const next: Credentials = { ...(await this.credentials()), device_token: token, token_rotated_at: now.toISOString() };
    await this.#writeFile('credentials.json', JSON.stringify(next, null, 2) + '\n', true);
    return next;
  }

  async #writeFile(name: string, text: string, sync = this.#sync): Promise<void> {
    try {
      await writeFileAtomic(join(this.dir, name), text, { mode: 0o600, sync });
    } catch (cause) {
      const errno = (cause as NodeJS.ErrnoException).code ?? null;
      throw agtError('AGT_STATE_WRITE_FAILED', `could not write ${join(this.dir, name)}: ${errno ?? (cause as Error).message}`, { cause, data: { errno } });
    }
  }

  /**
   * One agent per state directory: takes DIR/agent.lock (our pid), taking over a lock whose
   * process is gone (a kill -9 leaves one behind). Returns the release function.
   */
  async lock(pid: number = process.pid): Promise<() => Promise<void>> {
    const path = join(this.dir, 'agent.lock');
    for (let tries = 0; tries < 3; tries++) {
      try {
        await fsp.writeFile(path, `${pid}\n`, { flag: 'wx', mode: 0o600 });
        return async () => {
          const held = await fsp.readFile(path, 'utf8').catch(() => '');
          if (held.trim() === String(pid)) await fsp.rm(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const other = Number.parseInt(await fsp.readFile(path, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(other) && other !== pid && processAlive(other)) {
          throw agtError('AGT_STATE_INVALID', `another agent (pid ${other}) is using ${this.dir}`, { data: { pid: other }, hint: 'Stop the other agent first.' });
        }
        await fsp.rm(path, { force: true });
      }
    }
    throw agtError('AGT_STATE_INVALID', `could not lock ${this.dir}`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw agtError('AGT_STATE_INVALID', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw agtError('AGT_STATE_INVALID', `${path} is not JSON`, { cause, data: { file: path } });
  }
}

/** A store from a directory or an already opened store. */
export async function resolveState(state: StateStore | string, options?: StateOptions): Promise<StateStore> {
  return typeof state === 'string' ? StateStore.open(state, options) : state;
}
