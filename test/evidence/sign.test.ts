// The signing adapter: gpg-compatible keys and signatures, validity windows, key-file permissions.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Verifier, loadSigner, signerFromArmored, writePrivateKey, trustedKeysFrom } from '../../evidence/sign.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixedKey, gpgHomeWith, haveTool, removeDir, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const KEY_DATE = new Date('2024-01-01T00:00:00Z');
const data = new TextEncoder().encode('{"hello":"world"}\n');

describe('sign', () => {
  it('generates a v4 Ed25519 key and deterministic detached signatures', async () => {
    const key = await fixedKey();
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const signer = await signerFromArmored(key.privateKeyArmored);
    const date = new Date('2024-02-01T12:00:00Z');
    const a = await signer.signDetached(data, { date });
    expect(a).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(await signer.signDetached(data, { date })).toBe(a);
    expect((await signer.onSign({ payload: 'tree x\n' })).signature).toContain('PGP SIGNATURE');
  });

  it.runIf(haveTool('gpg'))('produces signatures GnuPG 2.2 verifies', async () => {
    const key = await fixedKey();
    const signer = await signerFromArmored(key.privateKeyArmored);
    const dir = tempDir();
    dirs.push(dir);
    writeFileSync(join(dir, 'f.json'), data);
    writeFileSync(join(dir, 'f.json.asc'), await signer.signDetached(data, { date: new Date('2024-02-01T00:00:00Z') }));
    const home = gpgHomeWith([key.publicKeyArmored]);
    dirs.push(join(home, '..'));
    execFileSync('gpg', ['--batch', '--verify', join(dir, 'f.json.asc'), join(dir, 'f.json')], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' });
    writeFileSync(join(dir, 'f.json'), '{"hello":"mallory"}\n');
    expect(() => execFileSync('gpg', ['--batch', '--verify', join(dir, 'f.json.asc'), join(dir, 'f.json')], { env: { ...process.env, GNUPGHOME: home }, stdio: 'ignore' })).toThrow();
  });

  it('verifies against trusted keys with validity windows and revocation', async () => {
    const key = await fixedKey();
    const other = await fixedKey('other');
    const signer = await signerFromArmored(key.privateKeyArmored);
    const inside = await signer.signDetached(data, { date: new Date('2024-02-01T00:00:00Z') });
    const after = await signer.signDetached(data, { date: new Date('2024-06-01T00:00:00Z') });
    const trusted = { fingerprint: key.fingerprint, publicKeyArmored: key.publicKeyArmored, validFrom: KEY_DATE, validUntil: new Date('2024-03-01T00:00:00Z') };
    const v = new Verifier([trusted]);
    expect(await v.verifyDetached(data, inside)).toMatchObject({ ok: true, fingerprint: key.fingerprint });
    expect(await v.verifyDetached(data, after)).toMatchObject({ ok: false, reason: 'outside-window' });
    expect(await v.verifyDetached(new TextEncoder().encode('x'), inside)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await v.verifyDetached(data, 'garbage')).toMatchObject({ ok: false, reason: 'malformed' });
    const otherSig = await (await signerFromArmored(other.privateKeyArmored)).signDetached(data, { date: new Date('2024-02-01T00:00:00Z') });
    expect(await v.verifyDetached(data, otherSig)).toMatchObject({ ok: false, reason: 'unknown-key', fingerprint: other.fingerprint });
    const revoked = new Verifier([{ ...trusted, revoked: true }]);
    expect(await revoked.verifyDetached(data, inside)).toMatchObject({ ok: false, reason: 'revoked' });
    // A key file holding a different key than its fingerprint claims is never trusted.
    const liar = new Verifier([{ ...trusted, publicKeyArmored: other.publicKeyArmored }]);
    expect(await liar.verifyDetached(data, otherSig)).toMatchObject({ ok: false, reason: 'unknown-key' });
  });

  it('builds trusted keys from keys.yaml', async () => {
    const key = await fixedKey();
    const keys = trustedKeysFrom(
      { keys: [{ fingerprint: key.fingerprint, file: `keys/${key.fingerprint}.asc`, collector_id: 'c', valid_from: KEY_DATE.toISOString(), valid_until: null }] },
      (f) => (f === `keys/${key.fingerprint}.asc` ? key.publicKeyArmored : undefined),
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]!.validUntil).toBeNull();
  });

  it('refuses a private key readable by group or others, and signatures before the key existed', async () => {
    const key = await fixedKey();
    const dir = tempDir();
    dirs.push(dir);
    const path = join(dir, 'secrets', 'k.asc');
    await writePrivateKey(path, key.privateKeyArmored);
    const signer = await loadSigner(path);
    expect(signer.fingerprint).toBe(key.fingerprint);
    await expect(writePrivateKey(path, key.privateKeyArmored)).rejects.toThrow();
    chmodSync(path, 0o640);
    await expect(loadSigner(path)).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_KEY_PERMISSIONS'));
    await expect(signerFromArmored('not a key')).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_KEY_INVALID'));
    await expect(signer.signDetached(data, { date: new Date('2023-01-01T00:00:00Z') })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_SIGN_FAILED'));
  });
});

describe('sign (native Ed25519 fast path)', () => {
  it('is byte-identical to openpgp.sign() for any data and date', async () => {
    const openpgp = await import('openpgp');
    const key = await fixedKey();
    const signer = await signerFromArmored(key.privateKeyArmored);
    const priv = await openpgp.readPrivateKey({ armoredKey: key.privateKeyArmored });
    for (const [len, date] of [[0, '2024-01-01T00:00:00Z'], [1, '2024-02-03T04:05:06.789Z'], [70_000, '2030-12-31T23:59:59Z']] as const) {
      const bytes = new Uint8Array(len).map((_, i) => (i * 31) & 255);
      const ours = await signer.signDetached(bytes, { date: new Date(date) });
      const theirs = await openpgp.sign({ message: await openpgp.createMessage({ binary: bytes }), signingKeys: priv, detached: true, date: new Date(date), config: { v6Keys: false, nonDeterministicSignaturesViaNotation: false } });
      expect(ours).toBe(theirs);
    }
  });
});
