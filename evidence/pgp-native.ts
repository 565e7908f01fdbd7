// Native helpers for the OpenPGP adapter (sign.ts). openpgp builds and parses every packet; only
// the Ed25519 operation over the v4 signature digest runs in node:crypto, avoiding a WebCrypto key
// import and two thread-pool round trips per signature. Signatures stay byte-identical to
// openpgp.sign() (Ed25519 is deterministic; sign.test.ts asserts it). No openpgp import here.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** OpenPGP public-key algorithm id of legacy EdDSA (RFC 4880bis, "EdDSALegacy"). */
export const EDDSA_LEGACY = 22;

/** Hash algorithms accepted in signatures (OpenPGP ids); SHA-1 and weaker are refused. */
export const HASHES: Record<number, string> = { 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
const B64URL = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** The digest a v4 binary-document signature covers: data ‖ hashed part ‖ 0x04 0xFF ‖ length. */
export function v4Digest(hashAlgorithm: number, data: Uint8Array, signatureData: Uint8Array): Buffer {
  const name = HASHES[hashAlgorithm];
  if (!name) throw new Error(`hash algorithm ${hashAlgorithm} is not accepted`);
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(signatureData.length, 2);
  return createHash(name).update(data).update(signatureData).update(trailer).digest();
}

/** A node:crypto key for an openpgp legacy-EdDSA key packet (null for any other algorithm). */
export function nativeEdKey(packet: unknown, kind: 'public' | 'private'): KeyObject | null {
  const p = packet as { algorithm: number; publicParams: { Q?: Uint8Array }; privateParams?: { seed?: Uint8Array } };
  if (p.algorithm !== EDDSA_LEGACY || !p.publicParams.Q || p.publicParams.Q.length !== 33 || p.publicParams.Q[0] !== 0x40) return null;
  const x = B64URL(p.publicParams.Q.subarray(1));
  if (kind === 'public') return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const seed = p.privateParams?.seed;
  return seed ? createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x, d: B64URL(seed) }, format: 'jwk' }) : null;
}

export function leftPad(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b;
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

/**
 * The body of an armored signature block (RFC 4880 §6.2) as bytes. Faster than openpgp's
 * streaming unarmor; the CRC24 line is skipped (the signature itself is what is verified).
 */
export function dearmorSignature(text: string): Uint8Array {
  const begin = text.indexOf('-----BEGIN PGP SIGNATURE-----');
  const end = text.indexOf('-----END PGP SIGNATURE-----');
  if (begin < 0 || end < begin) throw new Error('not an armored PGP signature');
  const lines = text.slice(begin, end).split(/\r?\n/).slice(1);
  const blank = lines.findIndex((l) => l.trim() === '');
  const body = lines.slice(blank + 1).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('='));
  const b64 = body.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('bad base64 in signature armor');
  return Buffer.from(b64, 'base64');
}
