// The history pass's state kept between evaluations, so judging a repository again reads only the
// commits added since: one file per shard of hosts. After a one-line JSON header the file holds
// length-prefixed V8-serialized pieces, one per host (so no buffer of the whole state is ever
// built), and ends with the sha256 of everything before it. The header names the format, the V8
// version and a hash of the code that computed the state. Strings are interned again as the
// pieces are read. Derived data only, never evidence: a file that is missing, damaged, written
// by another version, or from a commit not on the judged history is ignored and rewritten, and
// the model is byte-identical with or without it.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { parseReportPath } from '../evidence/paths.ts';
import type { CommitInfo, EvidenceReader } from '../evidence/reader.ts';
import type { Package } from '../evidence/types.gen.ts';
import type { BadReport, HistoryState, InventoryVersion, ScannedReport } from './load-evidence-history.ts';

/** Bumped whenever the file layout changes. */
export const HISTORY_CACHE_FORMAT = 'patchproof.history-cache/1';

/** The modules that compute the cached state: any change to them makes older files unusable. */
const STATE_MODULES = [
  './load-evidence-history.ts', './report-facts.ts', './inventory-parser.ts',
  '../evidence/report-envelope.ts', '../evidence/paths.ts', '../evidence/schemas/report-envelope.schema.json', '../evidence/schemas/common.schema.json',
];

let codeKey: string | null = null;

/** The format and a hash of the code that produced the state, so no version bump can be forgotten. */
function stateFormat(): string {
  if (codeKey === null) {
    const hash = createHash('sha256').update(HISTORY_CACHE_FORMAT);
    for (const m of STATE_MODULES) {
      hash.update(readFileSync(new URL(m, import.meta.url)));
    }
    codeKey = `${HISTORY_CACHE_FORMAT}+${hash.digest('hex').slice(0, 16)}`;
  }
  return codeKey;
}

interface Header {
  readonly format: string;
  readonly v8: string;
  readonly shard: number;
  readonly shards: number;
  readonly commit: string;
  readonly hosts: number;
}

/** One host's share of the state. */
interface HostPiece {
  readonly host: string;
  readonly reports: (ScannedReport | BadReport)[];
  readonly versions: InventoryVersion[];
  readonly named: string[];
  readonly lastReport: ScannedReport | null;
  readonly lastChanged: [string, string][];
}

export interface CacheSlot {
  readonly dir: string;
  readonly shard: number;
  readonly shards: number;
}

export type CacheRead =
  | { readonly kind: 'hit'; readonly state: HistoryState; readonly commit: string }
  /** Nothing usable; `write` says whether this run's state may replace what is there. */
  | { readonly kind: 'miss'; readonly reason: string | null; readonly write: boolean };

const HOST_PATH = /^hosts\/([^/]+)\//;

function fileOf(slot: CacheSlot): string {
  return join(slot.dir, `history-${slot.shard}-of-${slot.shards}.v8`);
}

/** Whether `ancestor` is on the first-parent history of `commit` (both in the repository). */
function isFirstParentAncestor(reader: EvidenceReader, ancestor: string, commit: string): boolean {
  for (let oid: string | null = commit; oid; ) {
    if (oid === ancestor) return true;
    try {
      oid = reader.odb.commit(oid).parents[0] ?? null;
    } catch {
      return false;
    }
  }
  return false;
}

function hostOf(path: string): string {
  return parseReportPath(path)?.hostId ?? HOST_PATH.exec(path)?.[1] ?? '';
}

/** The state split by host, in a stable order. */
function pieces(state: HistoryState): HostPiece[] {
  const byHost = new Map<string, { reports: (ScannedReport | BadReport)[]; lastChanged: [string, string][] }>();
  const of = (host: string) => {
    let p = byHost.get(host);
    if (!p) byHost.set(host, (p = { reports: [], lastChanged: [] }));
    return p;
  };
  for (const r of state.reports.values()) of(hostOf(r.path)).reports.push(r);
  for (const [path, commit] of state.lastChanged) of(hostOf(path)).lastChanged.push([path, commit]);
  for (const host of state.versions.keys()) of(host);
  return [...byHost.keys()].sort().map((host) => ({
    host,
    reports: byHost.get(host)!.reports,
    versions: state.versions.get(host) ?? [],
    named: [...(state.named.get(host) ?? [])],
    lastReport: state.lastReport.get(host) ?? null,
    lastChanged: byHost.get(host)!.lastChanged,
  }));
}

/** Replaces the slot's file with `state` (written to a temporary name, then renamed). */
export function writeHistoryCache(slot: CacheSlot, state: HistoryState): void {
  if (state.commit === null) return;
  mkdirSync(slot.dir, { recursive: true, mode: 0o700 });
  const hosts = pieces(state);
  const header: Header = { format: stateFormat(), v8: process.versions.v8, shard: slot.shard, shards: slot.shards, commit: state.commit, hosts: hosts.length };
  const file = fileOf(slot);
  const tmp = `${file}.${process.pid}.${slot.shard}.tmp`;
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w', 0o600);
  const put = (bytes: Uint8Array): void => {
    hash.update(bytes);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  };
  const piece = (value: unknown): void => {
    const body = serialize(value);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    put(length);
    put(body);
  };
  try {
    try {
      put(Buffer.from(`${JSON.stringify(header)}\n`));
      piece({ exceptionCommits: [...state.exceptionCommits] });
      for (const h of hosts) piece(h);
      const digest = hash.digest();
      for (let at = 0; at < digest.length; ) at += writeSync(fd, digest, at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Sequential reads of a file, hashing what is read. */
class Input {
  readonly #fd: number;
  readonly size: number;
  #at = 0;
  readonly hash = createHash('sha256');

  constructor(fd: number) {
    this.#fd = fd;
    this.size = fstatSync(fd).size;
  }

  get at(): number {
    return this.#at;
  }

  read(n: number, hashed = true): Buffer {
    if (n < 0 || this.#at + n > this.size) throw new Error('truncated');
    const buf = Buffer.allocUnsafe(n);
    for (let got = 0; got < n; ) {
      const r = readSync(this.#fd, buf, got, n - got, this.#at + got);
      if (r === 0) throw new Error('truncated');
      got += r;
    }
    this.#at += n;
    if (hashed) this.hash.update(buf);
    return buf;
  }

  line(max: number): Buffer {
    const head = this.read(Math.min(max, this.size), false);
    const nl = head.indexOf(0x0a);
    if (nl < 0) throw new Error('no header line');
    this.#at = nl + 1;
    this.hash.update(head.subarray(0, nl + 1));
    return head.subarray(0, nl);
  }
}

/** Shares equal strings again (V8 serialization writes each occurrence separately). */
class Interner {
  readonly #strings = new Map<string, string>();
  readonly #packages = new Set<Package>();

  s<T extends string | null | undefined>(v: T): T {
    if (typeof v !== 'string') return v;
    const have = this.#strings.get(v);
    if (have !== undefined) return have as T;
    this.#strings.set(v, v);
    return v;
  }

  packages(list: readonly Package[]): void {
    for (const p of list) {
      if (this.#packages.has(p)) continue;
      this.#packages.add(p);
      const q = p as { -readonly [K in keyof Package]: Package[K] };
      q.name = this.s(p.name);
      q.arch = this.s(p.arch);
      q.version = this.s(p.version);
      q.source = this.s(p.source);
      q.source_version = this.s(p.source_version);
    }
  }
}

function readState(input: Input, header: Header): HistoryState {
  const state: HistoryState = { commit: header.commit, lastChanged: new Map(), reports: new Map(), versions: new Map(), named: new Map(), lastReport: new Map(), exceptionCommits: new Map() };
  const piece = (): unknown => deserialize(input.read(input.read(4).readUInt32BE(0)));
  const intern = new Interner();
  const first = piece() as { exceptionCommits: [string, CommitInfo[]][] };
  for (const [path, commits] of first.exceptionCommits) state.exceptionCommits.set(path, commits);
  for (let i = 0; i < header.hosts; i++) {
    const h = piece() as HostPiece;
    for (const r of h.reports) {
      if ('envelope' in r) {
        const m = r as { -readonly [K in keyof ScannedReport]: ScannedReport[K] };
        m.commit = intern.s(r.commit);
      }
      state.reports.set(r.path, r);
    }
    for (const v of h.versions) {
      (v as { commit: string }).commit = intern.s(v.commit);
      if (v.packages) intern.packages(v.packages);
    }
    state.versions.set(h.host, h.versions);
    state.named.set(h.host, new Set(h.named));
    if (h.lastReport) state.lastReport.set(h.host, h.lastReport);
    for (const [path, commit] of h.lastChanged) state.lastChanged.set(path, intern.s(commit));
  }
  return state;
}

/** The cached state for this slot if it was taken at a commit of `commits` (the judged history). */
export function readHistoryCache(reader: EvidenceReader, slot: CacheSlot, commits: readonly CommitInfo[]): CacheRead {
  let fd: number;
  try {
    fd = openSync(fileOf(slot), 'r');
  } catch {
    return { kind: 'miss', reason: null, write: true };
  }
  try {
    const input = new Input(fd);
    let header: Header;
    try {
      header = JSON.parse(input.line(4096).toString('utf8')) as Header;
    } catch {
      return { kind: 'miss', reason: 'unreadable header', write: true };
    }
    if (header.format !== stateFormat() || header.v8 !== process.versions.v8 || header.shard !== slot.shard || header.shards !== slot.shards) {
      return { kind: 'miss', reason: 'written by another version', write: true };
    }
    if (!commits.some((c) => c.commit === header.commit)) {
      const head = commits[commits.length - 1]?.commit;
      // Taken at a later commit than the one judged now: keep it for the next run at HEAD.
      if (head && isFirstParentAncestor(reader, head, header.commit)) return { kind: 'miss', reason: null, write: false };
      return { kind: 'miss', reason: `taken at ${header.commit}, which is not on the judged history`, write: true };
    }
    let state: HistoryState;
    try {
      state = readState(input, header);
      const digest = input.hash.digest();
      if (input.size - input.at !== 32 || !input.read(32, false).equals(digest)) return { kind: 'miss', reason: 'damaged (checksum mismatch)', write: true };
    } catch {
      return { kind: 'miss', reason: 'damaged (checksum mismatch)', write: true };
    }
    return { kind: 'hit', state, commit: header.commit };
  } finally {
    closeSync(fd);
  }
}
