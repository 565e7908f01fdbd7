// An advisory snapshot: one RFC 8785 JSON file of OSV records sorted by id, named and verified by
// its sha256, plus a small index and a `current` pointer; the hash makes judgements reproducible.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { canonicalJson } from '../evidence/canonical-json.ts';
import { cmpError } from './errors.ts';
import type { OsvRecord } from './osv-types.ts';

export const SNAPSHOT_FORMAT = 'patchproof.osv-snapshot/v1';
export const SNAPSHOT_INDEX_FORMAT = 'patchproof.osv-snapshot-index/v1';
export const CURRENT_POINTER = 'current';

export interface SnapshotInfo {
  readonly count: number;
  /** sha256 (hex) of the snapshot file's bytes. */
  readonly hash: string;
  /** Absolute path of the snapshot file. */
  readonly path: string;
}

export interface LoadedSnapshot extends SnapshotInfo {
  readonly records: readonly OsvRecord[];
}

export interface SnapshotIndexEntry {
  readonly id: string;
  readonly modified: string;
  readonly published: string | null;
  readonly cves: readonly string[];
  readonly ecosystems: readonly string[];
}

const CVE = /^CVE-\d{4}-\d+$/;

/** CVE ids a record names, from aliases, related and upstream (newer Ubuntu records use upstream). */
export function cveIds(record: OsvRecord): string[] {
  const ids = [...(record.aliases ?? []), ...(record.related ?? []), ...(record.upstream ?? [])].filter((id) => CVE.test(id));
  return [...new Set(ids)].sort();
}

export function byId(a: OsvRecord, b: OsvRecord): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function indexEntry(record: OsvRecord): SnapshotIndexEntry {
  const ecosystems = new Set((record.affected ?? []).flatMap((a) => (a.package ? [a.package.ecosystem] : [])));
  return { id: record.id, modified: record.modified, published: record.published ?? null, cves: cveIds(record), ecosystems: [...ecosystems].sort() };
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Writes records (already validated, unique ids) as a snapshot in `dir`: the canonical file is
 * streamed record by record, so its size is not bounded by the largest string V8 can hold.
 */
export function writeSnapshot(dir: string, records: readonly OsvRecord[]): SnapshotInfo {
  mkdirSync(dir, { recursive: true });
  const sorted = [...records].sort(byId);
  const tmp = path.join(dir, `.snapshot-${process.pid}.tmp`);
  const hash = createHash('sha256');
  const fd = openSync(tmp, 'w');
  const put = (s: string): void => {
    const bytes = Buffer.from(s, 'utf8');
    hash.update(bytes);
    writeSync(fd, bytes);
  };
  try {
    // Key order "count" < "format" < "records" is RFC 8785 order, so the file is canonical as a whole.
    put(`{"count":${sorted.length},"format":${JSON.stringify(SNAPSHOT_FORMAT)},"records":[`);
    sorted.forEach((record, i) => put((i === 0 ? '' : ',') + canonicalJson(record)));
    put(']}\n');
  } finally {
    closeSync(fd);
  }
  const digest = hash.digest('hex');
  const name = `snapshot-${digest.slice(0, 12)}.json`;
  const file = path.resolve(dir, name);
  renameSync(tmp, file);
  const index = { count: sorted.length, format: SNAPSHOT_INDEX_FORMAT, records: sorted.map(indexEntry), sha256: digest, snapshot: name };
  writeAtomic(path.join(dir, name.replace(/\.json$/, '.index.json')), `${canonicalJson(index)}\n`);
  writeAtomic(path.join(dir, CURRENT_POINTER), `${canonicalJson({ count: sorted.length, sha256: digest, snapshot: name })}\n`);
  return { count: sorted.length, hash: digest, path: file };
}

function invalid(file: string, why: string): Error {
  return cmpError('CMP_SNAPSHOT_INVALID', `advisory snapshot ${file} is not usable: ${why}`, { data: { path: file } });
}

/** Resolves a snapshot directory (through its `current` pointer) or file to the file and expected hash. */
function resolveSnapshot(target: string): { file: string; expected: string | undefined } {
  if (!existsSync(target)) throw cmpError('CMP_SNAPSHOT_NOT_FOUND', `no advisory snapshot at ${target}`, { data: { path: target } });
  if (!statSync(target).isDirectory()) return { file: path.resolve(target), expected: undefined };
  const pointer = path.join(target, CURRENT_POINTER);
  if (!existsSync(pointer)) throw cmpError('CMP_SNAPSHOT_NOT_FOUND', `no ${CURRENT_POINTER} snapshot pointer in ${target}`, { data: { path: target } });
  let parsed: { snapshot?: unknown; sha256?: unknown };
  try {
    parsed = JSON.parse(readFileSync(pointer, 'utf8')) as typeof parsed;
  } catch {
    throw invalid(pointer, 'the pointer is not JSON');
  }
  if (typeof parsed.snapshot !== 'string' || !/^snapshot-[0-9a-f]{12}\.json$/.test(parsed.snapshot) || typeof parsed.sha256 !== 'string') {
    throw invalid(pointer, 'the pointer does not name a snapshot and its sha256');
  }
  const file = path.resolve(target, parsed.snapshot);
  if (!existsSync(file)) throw cmpError('CMP_SNAPSHOT_NOT_FOUND', `the current pointer names ${parsed.snapshot}, which is missing`, { data: { path: file } });
  return { file, expected: parsed.sha256 };
}

/** Splits the top-level elements of the "records" array without building one giant string. */
function recordSlices(bytes: Buffer, start: number): Array<[number, number]> {
  const slices: Array<[number, number]> = [];
  let depth = 0;
  let inString = false;
  let from = -1;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth === 0) from = i;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) slices.push([from, i + 1]);
      if (depth < 0) return slices;
    }
  }
  return slices;
}

/** Loads and verifies a snapshot: by directory (its `current` pointer) or by file. */
export function loadSnapshot(target: string): LoadedSnapshot {
  const { file, expected } = resolveSnapshot(target);
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest('hex');
  const named = /snapshot-([0-9a-f]{12})\.json$/.exec(path.basename(file));
  if ((expected !== undefined && expected !== hash) || (named !== null && !hash.startsWith(named[1]!))) {
    throw invalid(file, `its sha256 is ${hash}, not the one recorded`);
  }
  const head = `{"count":`;
  const recordsAt = bytes.indexOf('"records":[');
  if (bytes.subarray(0, head.length).toString() !== head || recordsAt < 0) throw invalid(file, `not a ${SNAPSHOT_FORMAT} file`);
  const header = JSON.parse(`${bytes.subarray(0, recordsAt).toString('utf8')}"records":[]}`) as { count: number; format: string };
  if (header.format !== SNAPSHOT_FORMAT) throw invalid(file, `format ${header.format} is not ${SNAPSHOT_FORMAT}`);
  const records = recordSlices(bytes, recordsAt + '"records":['.length).map(
    ([from, to]) => JSON.parse(bytes.subarray(from, to).toString('utf8')) as OsvRecord,
  );
  if (records.length !== header.count) throw invalid(file, `it holds ${records.length} records, its header says ${header.count}`);
  return { count: records.length, hash, path: file, records };
}
