// Imports OSV advisories from a folder of JSON files or an OSV all.zip export: invalid records
// are reported and skipped, withdrawn ones dropped, the rest written as a hashed snapshot.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { cmpError } from './errors.ts';
import { validateOsv } from './osv-schema.ts';
import { writeSnapshot } from './osv-snapshot.ts';
import type { OsvRecord } from './osv-types.ts';

export interface ImportProgress {
  readonly phase: 'read' | 'validate' | 'write';
  readonly done: number;
  readonly total: number;
}

export interface ImportOptions {
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface SkippedRecord {
  /** File path inside the folder or zip. */
  readonly file: string;
  readonly id?: string;
  readonly reason: string;
}

export interface ImportResult {
  /** Records written to the snapshot. */
  readonly count: number;
  readonly skipped: readonly SkippedRecord[];
  /** Ids of withdrawn records, which are left out of the snapshot. */
  readonly withdrawn: readonly string[];
  /** sha256 of the snapshot file. */
  readonly hash: string;
  /** Path of the snapshot file. */
  readonly path: string;
}

interface SourceFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const PROGRESS_EVERY = 500;

function listJsonFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listJsonFiles(root, rel));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(rel);
  }
  return out;
}

function byName(a: SourceFile, b: SourceFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Reads every .json file of a folder (recursively), a zip export, or a single JSON file. */
export function readAdvisorySource(source: string): SourceFile[] {
  if (!existsSync(source)) throw cmpError('CMP_ADVISORY_SOURCE', `advisory source ${source} does not exist`, { data: { path: source } });
  if (statSync(source).isDirectory()) {
    return listJsonFiles(source).map((name) => ({ name, bytes: readFileSync(path.join(source, name)) })).sort(byName);
  }
  const bytes = readFileSync(source);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip) return [{ name: path.basename(source), bytes }];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.endsWith('.json') });
  } catch (cause) {
    throw cmpError('CMP_ADVISORY_SOURCE', `cannot read zip ${source}: ${(cause as Error).message}`, { data: { path: source }, cause });
  }
  return Object.entries(entries).map(([name, data]) => ({ name, bytes: data })).sort(byName);
}

type Parsed = { ok: true; record: OsvRecord } | { ok: false; skip: SkippedRecord };

function parseOne(file: SourceFile, decoder: TextDecoder): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(file.bytes));
  } catch (cause) {
    return { ok: false, skip: { file: file.name, reason: `not JSON: ${(cause as Error).message}` } };
  }
  const id = typeof (value as { id?: unknown } | null)?.id === 'string' ? (value as { id: string }).id : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, skip: { file: file.name, reason: 'not a JSON object' } };
  }
  const checked = validateOsv(value);
  if (!checked.ok) return { ok: false, skip: { file: file.name, ...(id === undefined ? {} : { id }), reason: checked.reason } };
  return { ok: true, record: checked.record };
}

/**
 * Validates and de-duplicates records: for a repeated id the later `modified` wins (ties: the
 * later file name), and the other copy is reported as skipped.
 */
export function selectRecords(files: readonly SourceFile[], onProgress?: (p: ImportProgress) => void): {
  records: OsvRecord[];
  skipped: SkippedRecord[];
  withdrawn: string[];
} {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const byIdMap = new Map<string, { record: OsvRecord; file: string }>();
  const skipped: SkippedRecord[] = [];
  files.forEach((file, i) => {
    const parsed = parseOne(file, decoder);
    if (!parsed.ok) skipped.push(parsed.skip);
    else {
      const previous = byIdMap.get(parsed.record.id);
      const newer = previous === undefined || Date.parse(parsed.record.modified) >= Date.parse(previous.record.modified);
      if (previous !== undefined) {
        const loser = newer ? previous.file : file.name;
        const winner = newer ? file.name : previous.file;
        skipped.push({ file: loser, id: parsed.record.id, reason: `duplicate id; ${winner} is kept (later modified)` });
      }
      if (newer) byIdMap.set(parsed.record.id, { record: parsed.record, file: file.name });
    }
    if ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === files.length) onProgress?.({ phase: 'validate', done: i + 1, total: files.length });
  });
  const records: OsvRecord[] = [];
  const withdrawn: string[] = [];
  for (const { record } of byIdMap.values()) {
    if (record.withdrawn !== undefined) withdrawn.push(record.id);
    else records.push(record);
  }
  return { records, skipped, withdrawn: withdrawn.sort() };
}

/** Imports `source` (folder, all.zip or one JSON file) into a snapshot in `snapshotDir`. */
export async function importAdvisories(source: string, snapshotDir: string, options: ImportOptions = {}): Promise<ImportResult> {
  const files = readAdvisorySource(source);
  options.onProgress?.({ phase: 'read', done: files.length, total: files.length });
  const { records, skipped, withdrawn } = selectRecords(files, options.onProgress);
  const info = writeSnapshot(snapshotDir, records);
  options.onProgress?.({ phase: 'write', done: info.count, total: info.count });
  return { count: info.count, skipped, withdrawn, hash: info.hash, path: info.path };
}
