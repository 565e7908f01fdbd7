// RFC 8785 canonical JSON for large models: the same bytes as evidence/canonical-json.ts (a test
// checks it), fast on tens of megabytes. JCS is ECMAScript JSON.stringify with keys sorted by UTF-16
// code units, so the native serializer writes each object as a copy with keys inserted in that
// order; objects with integer-like keys (which V8 always lists first) take the library path.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { canonicalJson } from '../evidence/canonical-json.ts';
import { cmpError } from './errors.ts';

const SURROGATE = /[\ud800-\udfff]/;
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

class NeedsLibrary extends Error {}

/** Sorted key lists seen so far, by first key: each object shape is sorted once. */
const shapes = new Map<string, (readonly string[])[]>();

function sameKeySet(sorted: readonly string[], obj: object, count: number): boolean {
  if (sorted.length !== count) return false;
  for (const k of sorted) if (!Object.hasOwn(obj, k)) return false;
  return true;
}

function sortedKeys(obj: object): readonly string[] {
  const keys = Object.keys(obj);
  const first = keys[0] ?? '';
  const known = shapes.get(first);
  if (known) for (const sorted of known) if (sameKeySet(sorted, obj, keys.length)) return sorted;
  if (keys.some((k) => INDEX_KEY.test(k))) throw new NeedsLibrary();
  const sorted = [...keys].sort();
  if (!known) shapes.set(first, [sorted]);
  else if (known.length < 64) known.push(sorted);
  return sorted;
}

/**
 * JSON.stringify replacer: checks strings and numbers, and hands the serializer each object as a
 * copy with sorted keys, which it then walks (and drops) in turn: never a second whole model.
 */
function sorted(_key: string, value: unknown): unknown {
  if (typeof value === 'string') {
    if (SURROGATE.test(value) && !value.isWellFormed()) throw cmpError('CMP_MODEL_INVALID', 'a string in the model has a lone surrogate');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw cmpError('CMP_MODEL_INVALID', `a number in the model is not finite (${value})`);
    return value;
  }
  // undefined: omitted from objects, null in arrays (as JSON.stringify writes them).
  if (value === null || value === undefined || typeof value === 'boolean' || Array.isArray(value)) return value;
  if (typeof value !== 'object') throw cmpError('CMP_MODEL_INVALID', `a ${typeof value} cannot be written as JSON`);
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Canonical JSON text (RFC 8785) of a plain JSON value. */
export function canonicalModelJson(value: unknown): string {
  try {
    if (value === undefined) throw cmpError('CMP_MODEL_INVALID', 'a undefined cannot be written as JSON');
    return JSON.stringify(value, sorted);
  } catch (e) {
    if (e instanceof NeedsLibrary) return canonicalJson(value);
    throw e;
  }
}

/**
 * Writes canonicalModelJson(value) and a newline to `file` without building the whole text:
 * top-level arrays longer than `bigArray` are written element by element in ~1 MB pieces (a
 * 1,000-host model is ~90 MB of text, and a UTF-8 copy of it besides). Written under a temporary
 * name and renamed, so a failed write never leaves half a model behind.
 */
export function writeCanonicalJsonFile(file: string, value: Record<string, unknown>, bigArray = 256): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let parts: string[] = [];
    let size = 0;
    const flush = (): void => {
      writeSync(fd, parts.join(''));
      parts = [];
      size = 0;
    };
    const put = (s: string): void => {
      parts.push(s);
      size += s.length;
      if (size >= 1 << 20) flush();
    };
    put('{');
    let first = true;
    for (const k of Object.keys(value).sort()) {
      const v = value[k];
      if (v === undefined) continue;
      put(`${first ? '' : ','}${JSON.stringify(k)}:`);
      first = false;
      if (Array.isArray(v) && v.length > bigArray) {
        put('[');
        v.forEach((e, i) => put(`${i === 0 ? '' : ','}${e === undefined ? 'null' : canonicalModelJson(e)}`));
        put(']');
      } else {
        put(canonicalModelJson(v));
      }
    }
    put('}\n');
    flush();
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
