// Envelope helpers: canonical bytes, the per-host chain, paths and the files one report commits.
import { describe, expect, it } from 'vitest';
import { buildEnvelope, envelopeBytes, parseEnvelope, previousHash, reportFiles, reportPath } from '../../evidence/report-envelope.ts';
import { Verifier } from '../../evidence/sign.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixedSigner, hostId, renderPackagesTsv, sampleEnvelopeInput, samplePackages } from './helpers.ts';

describe('report envelope', () => {
  it('builds, renders canonically and chains by the previous envelope bytes', async () => {
    const { key } = await fixedSigner();
    const tsv = renderPackagesTsv(samplePackages(5));
    const first = buildEnvelope(sampleEnvelopeInput({ host: hostId(1), seq: 1, receivedAt: new Date('2024-03-02T10:20:30Z'), packagesTsv: tsv, fingerprint: key.fingerprint }), null);
    expect(first.schema).toBe('patchproof.report/v1');
    expect(first.previous).toBeNull();
    const bytes = envelopeBytes(first);
    expect(new TextDecoder().decode(bytes).endsWith('}\n')).toBe(true);
    expect(parseEnvelope(bytes)).toEqual(first);
    const second = buildEnvelope(sampleEnvelopeInput({ host: hostId(1), seq: 2, receivedAt: new Date('2024-03-03T00:00:00Z'), packagesTsv: tsv, fingerprint: key.fingerprint }), bytes);
    expect(second.previous).toBe(sha256Hex(bytes));
    expect(previousHash(null)).toBeNull();
    expect(reportPath(first)).toBe(`hosts/${hostId(1)}/reports/2024/03/02/102030Z-000001.json`);
  });

  it('refuses a chain that contradicts seq, and bad fields', async () => {
    const { key } = await fixedSigner();
    const input = sampleEnvelopeInput({ host: hostId(1), seq: 2, receivedAt: new Date('2024-03-02T00:00:00Z'), packagesTsv: '', fingerprint: key.fingerprint });
    expect(() => buildEnvelope(input, null)).toThrow(/previous must be null exactly when seq is 1/);
    expect(() => buildEnvelope({ ...input, seq: 1 }, new Uint8Array(1))).toThrow();
    expect(() => buildEnvelope({ ...input, host_id: '../../etc' }, new Uint8Array(1))).toThrow();
    try {
      buildEnvelope({ ...input, hostname: 'bad host\n' }, new Uint8Array(1));
      expect.unreachable();
    } catch (e) {
      expect(isPatchproofError(e, 'EVD_SCHEMA_INVALID')).toBe(true);
    }
  });

  it('produces the envelope, its signature and the changed packages.tsv', async () => {
    const { key, signer } = await fixedSigner();
    const tsv = renderPackagesTsv(samplePackages(3));
    const env = buildEnvelope(sampleEnvelopeInput({ host: hostId(2), seq: 1, receivedAt: new Date('2024-03-02T00:00:00Z'), packagesTsv: tsv, fingerprint: key.fingerprint }), null);
    const r = await reportFiles(env, signer, { packagesTsv: tsv });
    expect(r.files.map((f) => f.path)).toEqual([r.path, `${r.path}.asc`, `hosts/${hostId(2)}/packages.tsv`]);
    const v = new Verifier([{ fingerprint: key.fingerprint, publicKeyArmored: key.publicKeyArmored, validFrom: new Date(0), validUntil: null }]);
    expect(await v.verifyDetached(r.bytes, r.files[1]!.content as string)).toMatchObject({ ok: true, created: new Date('2024-03-02T00:00:00Z') });
    expect((await reportFiles(env, signer)).files).toHaveLength(2);
    await expect(reportFiles(env, signer, { packagesTsv: tsv + 'x' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_SCHEMA_INVALID'));
  });
});
