// The audit log: audit/YYYY/MM.jsonl, one canonical-JSON entry per line, each line carrying the
// sha256 of the line before it and a global seq contiguous across months. Appending rewrites the
// month's blob with lines added, committed through the same store as the evidence it describes.
import type { AuditEntry } from './types.gen.ts';
import type { Clock } from './sign.ts';
import type { GitStore, StoreFile } from './git-store.ts';
import { canonicalJson } from './canonical-json.ts';
import { sha256Hex } from './hash.ts';
import { repoPaths } from './paths.ts';
import { assertValid, check } from './schema.ts';
import { evdError } from './errors.ts';

export const AUDIT_SCHEMA = 'patchproof.audit/v1';

export interface AuditInput {
  actor: AuditEntry['actor'];
  action: string;
  outcome?: 'success' | 'refused';
  target?: AuditEntry['target'];
  code?: string;
  details?: AuditEntry['details'];
  source?: string;
  time?: Date;
}

/** Where the chain ends: last seq, hash of the last line, and the newest month file's content. */
export interface AuditTail {
  seq: number;
  prev: string | null;
  path: string | null;
  content: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function emptyTail(): AuditTail {
  return { seq: 0, prev: null, path: null, content: new Uint8Array(0) };
}

export function lineHash(line: string): string {
  return sha256Hex(line);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Pure: turns inputs into chained entries and the month files to commit (whole new content).
 * An entry dated before the newest month still goes to the newest file, so files only grow at the end.
 */
export function appendEntries(tail: AuditTail, inputs: readonly AuditInput[], clock: Clock): { entries: AuditEntry[]; files: StoreFile[]; tail: AuditTail } {
  let { seq, prev, path, content } = tail;
  const entries: AuditEntry[] = [];
  const touched = new Map<string, Uint8Array>();
  for (const input of inputs) {
    const time = input.time ?? clock();
    let target = repoPaths.audit(time);
    if (path !== null && target < path) target = path;
    if (target !== path) {
      path = target;
      content = new Uint8Array(0);
    }
    const entry: AuditEntry = {
      schema: AUDIT_SCHEMA,
      seq: seq + 1,
      time: time.toISOString(),
      actor: input.actor,
      action: input.action,
      outcome: input.outcome ?? 'success',
      prev,
      ...(input.target === undefined ? {} : { target: input.target }),
      ...(input.code === undefined ? {} : { code: input.code }),
      ...(input.details === undefined ? {} : { details: input.details }),
      ...(input.source === undefined ? {} : { source: input.source }),
    };
    assertValid<AuditEntry>('audit', entry, `audit entry ${entry.action}`);
    const line = canonicalJson(entry);
    content = concat(content, encoder.encode(`${line}\n`));
    touched.set(path, content);
    seq = entry.seq;
    prev = lineHash(line);
    entries.push(entry);
  }
  const files = [...touched].map(([p, c]) => ({ path: p, content: c }));
  return { entries, files, tail: { seq, prev, path, content } };
}

export function parseAuditFile(text: string): AuditEntry[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}

export interface AuditChainProblem {
  seq: number | null;
  path: string;
  message: string;
}

/** Checks month files (any order given; sorted by path here): schema, seq contiguity, prev hashes. */
export function checkAuditChain(files: { path: string; text: string }[]): AuditChainProblem[] {
  const problems: AuditChainProblem[] = [];
  let seq = 0;
  let prev: string | null = null;
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (f.text !== '' && !f.text.endsWith('\n')) problems.push({ seq: null, path: f.path, message: 'last line is not terminated' });
    for (const line of f.text.split('\n')) {
      if (line === '') continue;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        problems.push({ seq: null, path: f.path, message: `line after seq ${seq} is not JSON` });
        prev = lineHash(line);
        seq++;
        continue;
      }
      const invalid = check('audit', entry);
      if (invalid) problems.push({ seq: entry.seq ?? null, path: f.path, message: `entry does not match its schema: ${invalid}` });
      if (entry.seq !== seq + 1) problems.push({ seq: entry.seq ?? null, path: f.path, message: `seq ${entry.seq} follows ${seq}` });
      if (entry.prev !== prev) problems.push({ seq: entry.seq ?? null, path: f.path, message: `prev does not match the hash of the line before (seq ${seq})` });
      if (canonicalJson(entry) !== line) problems.push({ seq: entry.seq ?? null, path: f.path, message: 'line is not canonical JSON' });
      seq = typeof entry.seq === 'number' ? entry.seq : seq + 1;
      prev = lineHash(line);
    }
  }
  return problems;
}

/** Reads the tail of the chain (newest month file) through the store's HEAD. */
export async function loadTail(store: Pick<GitStore, 'list' | 'readFile'>): Promise<AuditTail> {
  const years = (await store.list('audit')).filter((e) => e.type === 'tree' && /^\d{4}$/.test(e.name)).map((e) => e.name).sort();
  for (let y = years.length - 1; y >= 0; y--) {
    const months = (await store.list(`audit/${years[y]}`)).filter((e) => /^\d{2}\.jsonl$/.test(e.name)).map((e) => e.name).sort();
    const last = months[months.length - 1];
    if (!last) continue;
    const path = `audit/${years[y]}/${last}`;
    const content = (await store.readFile(path)) ?? new Uint8Array(0);
    const lines = decoder.decode(content).split('\n').filter((l) => l !== '');
    const lastLine = lines[lines.length - 1];
    if (lastLine === undefined) return { ...emptyTail(), path, content };
    const entry = JSON.parse(lastLine) as AuditEntry;
    return { seq: entry.seq, prev: lineHash(lastLine), path, content };
  }
  return emptyTail();
}

/** Stateful appender bound to a store: prepare → (commit) → commitPrepared / rollbackPrepared. */
export class AuditLog {
  readonly #store: GitStore;
  readonly #clock: Clock;
  #tail: AuditTail;
  #staged: AuditTail | null = null;

  private constructor(store: GitStore, tail: AuditTail, clock: Clock) {
    this.#store = store;
    this.#tail = tail;
    this.#clock = clock;
  }

  static async load(store: GitStore, opts: { clock?: Clock } = {}): Promise<AuditLog> {
    return new AuditLog(store, await loadTail(store), opts.clock ?? (() => new Date()));
  }

  get seq(): number {
    return this.#tail.seq;
  }

  /** Files for these entries on top of the committed chain; one prepared batch at a time. */
  prepare(inputs: readonly AuditInput[]): { entries: AuditEntry[]; files: StoreFile[] } {
    if (this.#staged) throw evdError('EVD_CONFLICT', 'an audit batch is already waiting for its commit');
    const { entries, files, tail } = appendEntries(this.#tail, inputs, this.#clock);
    this.#staged = tail;
    return { entries, files };
  }

  commitPrepared(): void {
    if (this.#staged) this.#tail = this.#staged;
    this.#staged = null;
  }

  rollbackPrepared(): void {
    this.#staged = null;
  }

  /** One commit with these entries (and any other files). */
  async append(inputs: readonly AuditInput[], files: readonly StoreFile[] = [], message?: string): Promise<{ commit: string; entries: AuditEntry[] }> {
    const prepared = this.prepare(inputs);
    try {
      const commit = await this.#store.commit([...files, ...prepared.files], {
        message: message ?? `audit: ${inputs.map((i) => i.action).join(', ')}`,
        date: inputs[inputs.length - 1]?.time,
      });
      this.commitPrepared();
      return { commit, entries: prepared.entries };
    } catch (err) {
      this.rollbackPrepared();
      throw err;
    }
  }
}
