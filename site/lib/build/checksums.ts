// SHA256SUMS for a folder of build artefacts (GNU coreutils format, so `sha256sum -c` checks it)
// and detached armored signatures beside each artefact and the sums file.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Signer } from '../../../evidence/sign.ts';

export type ArtifactSigner = Pick<Signer, 'fingerprint' | 'publicKeyArmored' | 'signDetached'>;

export interface Artifact {
  /** File name inside the folder. */
  name: string;
  bytes: number;
  sha256: string;
  /** Name of its .asc in the folder, or null when unsigned. */
  signature: string | null;
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Writes `data` as `name` in `dir`, and `name.asc` when there is a signer. */
export async function writeArtifact(dir: string, name: string, data: Buffer | string, signer: ArtifactSigner | null, date?: Date): Promise<Artifact> {
  writeFileSync(join(dir, name), data);
  let signature: string | null = null;
  if (signer) {
    writeFileSync(join(dir, `${name}.asc`), await signer.signDetached(typeof data === 'string' ? data : new Uint8Array(data), date ? { date } : {}));
    signature = `${name}.asc`;
  }
  return { name, bytes: Buffer.byteLength(data), sha256: sha256Hex(data), signature };
}

/** SHA256SUMS (sorted by name) and, with a signer, SHA256SUMS.asc. */
export async function writeChecksums(dir: string, artifacts: readonly Artifact[], signer: ArtifactSigner | null, date?: Date): Promise<Artifact> {
  const text = [...artifacts]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => `${a.sha256}  ${a.name}\n`)
    .join('');
  return writeArtifact(dir, 'SHA256SUMS', text, signer, date);
}
