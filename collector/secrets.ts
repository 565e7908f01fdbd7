// Bearer secrets and collector-assigned ids. Secrets are 256 random bits shown once and stored
// only as SHA-256; ids are random too, never derived from anything an agent sends.
import { createHash, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto';

export type RandomBytes = (size: number) => Uint8Array;

export const defaultRandom: RandomBytes = (size) => nodeRandomBytes(size);

export type SecretKind = 'ppe' | 'ppd' | 'ppa';

const SECRET_RE: Record<SecretKind, RegExp> = {
  ppe: /^ppe_[A-Za-z0-9_-]{43}$/,
  ppd: /^ppd_[A-Za-z0-9_-]{43}$/,
  ppa: /^ppa_[A-Za-z0-9_-]{43}$/,
};

/** A new bearer secret: prefix + 32 random bytes in base64url (43 characters). */
export function newSecret(kind: SecretKind, random: RandomBytes = defaultRandom): string {
  return `${kind}_${Buffer.from(random(32)).toString('base64url')}`;
}

/** Cheap shape check before any lookup, so junk never reaches the database. */
export function looksLikeSecret(kind: SecretKind, value: unknown): value is string {
  return typeof value === 'string' && SECRET_RE[kind].test(value);
}

/** What the state database stores instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Constant-time comparison of a presented secret with a stored hash. Lookups go by hash (an
 * index over SHA-256 of 256-bit secrets leaks nothing useful); this is the final, explicit check.
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && a.length === 32 && timingSafeEqual(a, b);
}

function randomHex(chars: number, random: RandomBytes): string {
  return Buffer.from(random(Math.ceil(chars / 2))).toString('hex').slice(0, chars);
}

export const newIds = {
  host: (random: RandomBytes = defaultRandom): string => `h_${randomHex(16, random)}`,
  enrolToken: (random: RandomBytes = defaultRandom): string => `tok_${randomHex(12, random)}`,
  apiKey: (random: RandomBytes = defaultRandom): string => `key_${randomHex(12, random)}`,
};

export const ID_RE = {
  enrolToken: /^tok_[0-9a-f]{12}$/,
  apiKey: /^key_[0-9a-f]{12}$/,
};

/** Replaces every bearer secret in free text: logs and error messages go through this. */
export function redactSecrets(text: string): string {
  return text.replace(/\bpp[eda]_[A-Za-z0-9_-]{8,}/g, (m) => `${m.slice(0, 4)}[redacted]`);
}
