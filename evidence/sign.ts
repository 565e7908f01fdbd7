// The signing adapter, and the only module that imports openpgp: Ed25519 keys that GnuPG 2.2
// verifies (legacy EdDSA, v4 keys), detached armored signatures, and verification against trusted
// keys with validity windows so a rotated key keeps the evidence it signed valid.
import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as openpgp from 'openpgp';
import { evdError } from './errors.ts';
import type { KeysFile } from './types.gen.ts';
import { dearmorSignature, leftPad, nativeEdKey, v4Digest } from './pgp-native.ts';

export { dearmorSignature } from './pgp-native.ts';

export type Clock = () => Date;

/** v4 keys and no random salt notation: gpg 2.2 compatible, and deterministic for a fixed key and date. */
const PGP_CONFIG = { v6Keys: false, nonDeterministicSignaturesViaNotation: false } as const;
const FULL_CONFIG = { ...openpgp.config, ...PGP_CONFIG };
const BINARY = openpgp.enums.signature.binary;

export interface GeneratedKey {
  privateKeyArmored: string;
  publicKeyArmored: string;
  fingerprint: string;
  created: Date;
}

function parseUserId(userId: string): openpgp.UserID {
  const m = /^(.*?)\s*<([^>]+)>$/.exec(userId);
  return m ? { name: m[1] ?? '', email: m[2] ?? '' } : { name: userId };
}

/** OpenPGP keys carry whole seconds: truncate so the key's own time equals what readers see. */
function wholeSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export async function generateSigningKey(opts: { userId: string; date?: Date }): Promise<GeneratedKey> {
  const created = wholeSecond(opts.date ?? new Date());
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [parseUserId(opts.userId)],
    date: created,
    subkeys: [],
    format: 'object',
    config: PGP_CONFIG,
  });
  return {
    privateKeyArmored: privateKey.armor(FULL_CONFIG),
    publicKeyArmored: publicKey.armor(FULL_CONFIG),
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    created,
  };
}

export interface Signer {
  readonly fingerprint: string;
  readonly publicKeyArmored: string;
  readonly created: Date;
  signDetached(data: Uint8Array | string, opts?: { date?: Date }): Promise<string>;
  signCommit(payload: string, opts?: { date?: Date }): Promise<string>;
  /** isomorphic-git `onSign` callback shape. */
  onSign(args: { payload: string }): Promise<{ signature: string }>;
}

// The packet-level calls below are public in openpgp's JavaScript but marked private in its typings.
interface PacketInternals {
  setBytes(bytes: Uint8Array, format: openpgp.enums.literal): void;
  sign(key: unknown, data: unknown, date: Date, detached: boolean, config: unknown): Promise<void>;
  verify(key: unknown, type: openpgp.enums.signature, data: unknown, date: Date | null, detached: boolean, config: unknown): Promise<void>;
  writeHashedSubPackets(): Uint8Array;
  signatureData: Uint8Array;
  signedHashValue: Uint8Array;
  params: { r: Uint8Array; s: Uint8Array } | Promise<{ r: Uint8Array; s: Uint8Array }>;
  unhashedSubpackets: unknown[];
  unknownSubpackets: { type: number; critical: boolean }[];
  rawNotations: { name: string; critical: boolean }[];
  revocationKeyClass: number | null;
  issuerKeyVersion: number;
  version: number;
}


function literalOf(data: Uint8Array | string): openpgp.LiteralDataPacket {
  const literal = new openpgp.LiteralDataPacket();
  (literal as unknown as PacketInternals).setBytes(typeof data === 'string' ? new TextEncoder().encode(data) : data, openpgp.enums.literal.binary);
  return literal;
}

/**
 * Parses and checks the key once; each signature is then one signature packet built the way
 * openpgp.sign() builds it, without re-validating the key's self-signatures on every call.
 */
export async function signerFromArmored(privateKeyArmored: string, opts: { clock?: Clock } = {}): Promise<Signer> {
  let key: openpgp.PrivateKey;
  let signingPacket: openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket;
  let hashAlgorithm: number;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: privateKeyArmored });
    if (!key.isDecrypted()) throw new Error('the key is passphrase-protected');
    const created = key.getCreationTime();
    const signing = await key.getSigningKey(undefined, created, undefined, FULL_CONFIG);
    signingPacket = signing.keyPacket as openpgp.SecretKeyPacket;
    if (signingPacket.version !== 4) throw new Error('only v4 keys verify in GnuPG 2.2');
    const probe = await openpgp.readSignature({
      armoredSignature: await openpgp.sign({
        message: await openpgp.createMessage({ binary: new Uint8Array(1) }),
        signingKeys: key,
        detached: true,
        date: created,
        config: PGP_CONFIG,
      }),
    });
    hashAlgorithm = probe.packets[0]!.hashAlgorithm ?? openpgp.enums.hash.sha512;
  } catch (cause) {
    if ((cause as { code?: string }).code?.startsWith('EVD_')) throw cause;
    throw evdError('EVD_KEY_INVALID', `cannot use the private key: ${(cause as Error).message}`, { cause });
  }
  const clock = opts.clock ?? (() => new Date());
  const nativeKey = nativeEdKey(signingPacket, 'private');
  const keyCreated = key.getCreationTime();
  const fingerprint = key.getFingerprint().toUpperCase();
  const publicKeyArmored = key.toPublic().armor(FULL_CONFIG);

  async function signDetached(data: Uint8Array | string, o: { date?: Date } = {}): Promise<string> {
    const date = o.date ?? clock();
    if (date.getTime() < keyCreated.getTime()) {
      throw evdError('EVD_SIGN_FAILED', `signature date ${date.toISOString()} is before the key was created (${keyCreated.toISOString()})`);
    }
    try {
      const packet = new openpgp.SignaturePacket();
      packet.signatureType = BINARY;
      packet.publicKeyAlgorithm = signingPacket.algorithm;
      packet.hashAlgorithm = hashAlgorithm;
      packet.rawNotations = [];
      if (nativeKey) {
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        const p = packet as unknown as PacketInternals & openpgp.SignaturePacket;
        p.version = 4;
        p.created = wholeSecond(date);
        p.issuerKeyVersion = 4;
        p.issuerFingerprint = signingPacket.getFingerprintBytes() as Uint8Array;
        p.issuerKeyID = signingPacket.getKeyID();
        const hashed = p.writeHashedSubPackets();
        const head = new Uint8Array([4, BINARY, signingPacket.algorithm, hashAlgorithm]);
        p.signatureData = Buffer.concat([head, hashed]);
        p.unhashedSubpackets = [];
        const digest = v4Digest(hashAlgorithm, bytes, p.signatureData);
        p.signedHashValue = digest.subarray(0, 2);
        const rs = edSign(null, digest, nativeKey);
        p.params = { r: rs.subarray(0, 32), s: rs.subarray(32) };
      } else {
        await (packet as unknown as PacketInternals).sign(signingPacket, literalOf(data), date, true, FULL_CONFIG);
      }
      const list = new openpgp.PacketList();
      list.push(packet);
      return (openpgp.armor as (...a: unknown[]) => string)(openpgp.enums.armor.signature, list.write(), undefined, undefined, undefined, true, FULL_CONFIG);
    } catch (cause) {
      throw evdError('EVD_SIGN_FAILED', `signing failed: ${(cause as Error).message}`, { cause });
    }
  }

  return {
    fingerprint,
    publicKeyArmored,
    created: keyCreated,
    signDetached,
    signCommit: (payload, o) => signDetached(payload, o),
    onSign: async ({ payload }) => ({ signature: await signDetached(payload) }),
  };
}

/** Loads the private key, refusing a file that group or others can read or write. */
export async function loadSigner(privateKeyPath: string, opts: { clock?: Clock } = {}): Promise<Signer> {
  let mode: number;
  try {
    mode = (await stat(privateKeyPath)).mode;
  } catch (cause) {
    throw evdError('EVD_KEY_INVALID', `cannot read the private key ${privateKeyPath}: ${(cause as Error).message}`, { cause });
  }
  if ((mode & 0o077) !== 0) {
    throw evdError('EVD_KEY_PERMISSIONS', `${privateKeyPath} has mode ${(mode & 0o777).toString(8)}; it must not be readable by group or others`, {
      data: { path: privateKeyPath, mode: (mode & 0o777).toString(8) },
    });
  }
  return signerFromArmored(await readFile(privateKeyPath, 'utf8'), opts);
}

/** Writes an armored private key with mode 0600 in a 0700 directory; never overwrites. */
export async function writePrivateKey(path: string, privateKeyArmored: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await chmod(dirname(path), 0o700);
  let fh;
  try {
    fh = await open(path, 'wx', 0o600);
  } catch (cause) {
    throw evdError('EVD_REPO_EXISTS', `refusing to overwrite the key file ${path}`, { cause });
  }
  try {
    await fh.writeFile(privateKeyArmored);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o600);
}

// ---- verification ---------------------------------------------------------------------------

export interface TrustedKey {
  fingerprint: string;
  publicKeyArmored: string;
  validFrom: Date;
  validUntil: Date | null;
  revoked?: boolean;
}

export type SignatureCheck =
  | { ok: true; fingerprint: string; created: Date }
  | {
      ok: false;
      reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'outside-window' | 'revoked';
      fingerprint?: string;
      created?: Date;
      message: string;
    };

interface ParsedKey {
  trusted: TrustedKey;
  packet: openpgp.PublicKeyPacket;
  native: KeyObject | null;
}

/** Verifies detached signatures against a set of trusted keys; each public key is parsed once. */
export class Verifier {
  readonly #byFingerprint = new Map<string, ParsedKey>();
  readonly #byKeyId = new Map<string, ParsedKey>();
  readonly #pending: Promise<void>[] = [];

  constructor(keys: readonly TrustedKey[] = []) {
    for (const k of keys) this.add(k);
  }

  /** Adds (or replaces the window of) a trusted key; the key itself is parsed lazily, once. */
  add(key: TrustedKey): void {
    const fpr = key.fingerprint.toUpperCase();
    const existing = this.#byFingerprint.get(fpr);
    if (existing) {
      existing.trusted = { ...key, fingerprint: fpr };
      return;
    }
    this.#pending.push(
      openpgp.readKey({ armoredKey: key.publicKeyArmored }).then(
        (parsed) => {
          if (parsed.getFingerprint().toUpperCase() !== fpr) return; // file does not hold the key it claims: never trusted
          const packet = parsed.keyPacket as openpgp.PublicKeyPacket;
          const entry: ParsedKey = { trusted: { ...key, fingerprint: fpr }, packet, native: nativeEdKey(packet, 'public') };
          this.#byFingerprint.set(fpr, entry);
          this.#byKeyId.set(parsed.getKeyID().toHex().toUpperCase(), entry);
        },
        () => undefined,
      ),
    );
  }

  async ready(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
  }

  has(fingerprint: string): boolean {
    return this.#byFingerprint.has(fingerprint.toUpperCase());
  }

  fingerprints(): string[] {
    return [...this.#byFingerprint.keys()];
  }

  async verifyDetached(data: Uint8Array | string, armoredSignature: string | Uint8Array): Promise<SignatureCheck> {
    const raw = await this.verifyDetachedRaw(data, armoredSignature);
    return raw.ok ? this.checkWindow(raw.fingerprint, raw.created) : raw;
  }

  /** The cryptographic check only: a good signature by a key this verifier knows. */
  async verifyDetachedRaw(data: Uint8Array | string, armoredSignature: string | Uint8Array): Promise<SignatureCheck> {
    await this.ready();
    let packet: openpgp.SignaturePacket;
    try {
      const text = typeof armoredSignature === 'string' ? armoredSignature : new TextDecoder().decode(armoredSignature);
      const sig = await openpgp.readSignature({ binarySignature: dearmorSignature(text) });
      if (sig.packets.length !== 1) throw new Error(`expected one signature packet, found ${sig.packets.length}`);
      packet = sig.packets[0]!;
      if (packet.signatureType !== BINARY) throw new Error('not a binary-document signature');
      const internals = packet as unknown as PacketInternals;
      internals.params = await internals.params;
    } catch (cause) {
      return { ok: false, reason: 'malformed', message: `unreadable signature: ${(cause as Error).message}` };
    }
    const created = packet.created ?? new Date(0);
    const fprBytes = packet.issuerFingerprint as Uint8Array | null | undefined;
    const entry = fprBytes && fprBytes.length > 0
      ? this.#byFingerprint.get(Buffer.from(fprBytes).toString('hex').toUpperCase())
      : this.#byKeyId.get(packet.issuerKeyID.toHex().toUpperCase());
    if (!entry) {
      const who = fprBytes && fprBytes.length > 0 ? Buffer.from(fprBytes).toString('hex').toUpperCase() : packet.issuerKeyID.toHex().toUpperCase();
      return { ok: false, reason: 'unknown-key', fingerprint: who, created, message: `signed by unknown key ${who}` };
    }
    try {
      if (entry.native && packet.publicKeyAlgorithm === openpgp.enums.publicKey.eddsaLegacy) verifyNative(packet, entry, data);
      else await (packet as unknown as PacketInternals).verify(entry.packet, BINARY, literalOf(data), null, true, FULL_CONFIG);
    } catch (cause) {
      return { ok: false, reason: 'bad-signature', fingerprint: entry.trusted.fingerprint, created, message: `bad signature: ${(cause as Error).message}` };
    }
    return { ok: true, fingerprint: entry.trusted.fingerprint, created };
  }

  /** Whether a good signature's creation time falls in the key's window, and the key is not revoked. */
  checkWindow(fingerprint: string, created: Date): SignatureCheck {
    const entry = this.#byFingerprint.get(fingerprint.toUpperCase());
    if (!entry) return { ok: false, reason: 'unknown-key', fingerprint, created, message: `signed by unknown key ${fingerprint}` };
    const k = entry.trusted;
    if (k.revoked) return { ok: false, reason: 'revoked', fingerprint, created, message: `key ${fingerprint} is revoked` };
    const t = created.getTime();
    if (t < k.validFrom.getTime() || (k.validUntil !== null && t >= k.validUntil.getTime())) {
      const window = `[${k.validFrom.toISOString()}, ${k.validUntil ? k.validUntil.toISOString() : '∞'})`;
      return { ok: false, reason: 'outside-window', fingerprint, created, message: `signed at ${created.toISOString()}, outside key ${fingerprint}'s window ${window}` };
    }
    return { ok: true, fingerprint: k.fingerprint, created };
  }
}

/** The checks openpgp's SignaturePacket.verify makes for a v4 binary signature, with native Ed25519. */
function verifyNative(packet: openpgp.SignaturePacket, entry: ParsedKey, data: Uint8Array | string): void {
  const p = packet as unknown as PacketInternals & openpgp.SignaturePacket;
  if (p.version !== 4) throw new Error(`unsupported signature version ${p.version}`);
  if (!p.issuerKeyID.equals(entry.packet.getKeyID())) throw new Error('Signature was not issued by the given public key');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = v4Digest(p.hashAlgorithm ?? 0, bytes, p.signatureData);
  if (digest[0] !== p.signedHashValue[0] || digest[1] !== p.signedHashValue[1]) throw new Error('Signed digest did not match');
  const params = p.params as { r: Uint8Array; s: Uint8Array };
  const rs = Buffer.concat([leftPad(params.r, 32), leftPad(params.s, 32)]);
  if (rs.length !== 64 || !edVerify(null, digest, entry.native!, rs)) throw new Error('Signature verification failed');
  for (const { type, critical } of p.unknownSubpackets) if (critical) throw new Error(`Unknown critical signature subpacket type ${type}`);
  for (const { name, critical } of p.rawNotations) if (critical) throw new Error(`Unknown critical notation: ${name}`);
  if (p.revocationKeyClass !== null) throw new Error('revocation-key signatures are not supported');
}

/** Trusted keys from keys/keys.yaml plus the armored files it names (missing files are skipped). */
export function trustedKeysFrom(keysFile: KeysFile, armoredByFile: (file: string) => string | undefined): TrustedKey[] {
  const out: TrustedKey[] = [];
  for (const k of keysFile.keys) {
    const armored = armoredByFile(k.file);
    if (armored === undefined) continue;
    out.push({
      fingerprint: k.fingerprint,
      publicKeyArmored: armored,
      validFrom: new Date(k.valid_from),
      validUntil: k.valid_until === null ? null : new Date(k.valid_until),
      revoked: k.revoked === true,
    });
  }
  return out;
}
