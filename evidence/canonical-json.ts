// Canonical JSON per RFC 8785 (JCS) via the maintained `canonicalize` package, so the bytes we
// sign are reproducible by anyone, in any language, from the parsed value.
import canonicalize from 'canonicalize';
import { evdError } from './errors.ts';

const encoder = new TextEncoder();

/** RFC 8785 text of `value`. Refuses values JSON cannot carry (undefined, NaN, cycles, functions). */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw evdError('EVD_CANONICAL_JSON', `value cannot be canonicalised: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) throw evdError('EVD_CANONICAL_JSON', 'value cannot be canonicalised (undefined)');
  return text;
}

/** Canonical bytes as committed: RFC 8785 text, UTF-8, with a trailing newline so stock tools show it well. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalJson(value) + '\n');
}
