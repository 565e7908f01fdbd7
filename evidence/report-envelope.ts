// Pure helpers for `patchproof.report/v1` envelopes: build, validate, render the exact bytes that
// are signed, chain them per host (`previous`), and lay out the files one report commits.
import type { ReportEnvelope } from './types.gen.ts';
import type { Signer } from './sign.ts';
import type { StoreFile } from './git-store.ts';
import { assertValid } from './schema.ts';
import { canonicalBytes } from './canonical-json.ts';
import { sha256Hex } from './hash.ts';
import { repoPaths } from './paths.ts';
import { evdError } from './errors.ts';

export const REPORT_SCHEMA = 'patchproof.report/v1';

export type EnvelopeInput = Omit<ReportEnvelope, 'schema' | 'previous'>;

/** sha256 (hex) of the previous envelope's exact bytes; null for a host's first report. */
export function previousHash(previousEnvelopeBytes: Uint8Array | null): string | null {
  return previousEnvelopeBytes === null ? null : sha256Hex(previousEnvelopeBytes);
}

export function validateEnvelope(value: unknown): ReportEnvelope {
  const env = assertValid<ReportEnvelope>('report', value, 'report envelope');
  if ((env.seq === 1) !== (env.previous === null)) {
    throw evdError('EVD_SCHEMA_INVALID', `report envelope: previous must be null exactly when seq is 1 (seq ${env.seq})`, { data: { schema: 'report' } });
  }
  if (env.inventory.path !== repoPaths.packagesTsv(env.host_id)) {
    throw evdError('EVD_SCHEMA_INVALID', `report envelope: inventory.path must be ${repoPaths.packagesTsv(env.host_id)}`, { data: { schema: 'report' } });
  }
  return env;
}

export function buildEnvelope(input: EnvelopeInput, previousEnvelopeBytes: Uint8Array | null): ReportEnvelope {
  const { schema: _s, previous: _p, ...rest } = input as EnvelopeInput & { schema?: unknown; previous?: unknown };
  return validateEnvelope({ schema: REPORT_SCHEMA, ...rest, previous: previousHash(previousEnvelopeBytes) });
}

/** Canonical JSON (RFC 8785) plus a newline: the bytes committed, signed and chained. */
export function envelopeBytes(envelope: ReportEnvelope): Uint8Array {
  return canonicalBytes(envelope);
}

const decoder = new TextDecoder();

export function parseEnvelope(bytes: Uint8Array | string): ReportEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : decoder.decode(bytes));
  } catch (cause) {
    throw evdError('EVD_SCHEMA_INVALID', `report envelope is not JSON: ${(cause as Error).message}`, { cause, data: { schema: 'report' } });
  }
  return validateEnvelope(value);
}

/** hosts/<id>/reports/YYYY/MM/DD/<HHMMSS>Z-<seq>.json, dated by the collector's received_at. */
export function reportPath(envelope: ReportEnvelope): string {
  return repoPaths.report(envelope.host_id, new Date(envelope.received_at), envelope.seq);
}

export interface ReportFiles {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  files: StoreFile[];
}

/**
 * The files one report commits: the envelope, its detached signature, and packages.tsv when the
 * inventory changed (pass its new text). The inventory hash in the envelope must match that text.
 */
export async function reportFiles(
  envelope: ReportEnvelope,
  signer: Pick<Signer, 'signDetached'>,
  opts: { packagesTsv?: string | null; date?: Date } = {},
): Promise<ReportFiles> {
  validateEnvelope(envelope);
  const path = reportPath(envelope);
  const bytes = envelopeBytes(envelope);
  const signature = await signer.signDetached(bytes, { date: opts.date ?? new Date(envelope.received_at) });
  const files: StoreFile[] = [
    { path, content: bytes },
    { path: repoPaths.signature(path), content: signature },
  ];
  if (opts.packagesTsv !== undefined && opts.packagesTsv !== null) {
    const actual = sha256Hex(opts.packagesTsv);
    if (actual !== envelope.inventory.sha256) {
      throw evdError('EVD_SCHEMA_INVALID', `packages.tsv hashes to ${actual}, but the envelope says ${envelope.inventory.sha256}`, {
        data: { schema: 'report', path: envelope.inventory.path },
      });
    }
    files.push({ path: envelope.inventory.path, content: opts.packagesTsv });
  }
  return { path, bytes, sha256: sha256Hex(bytes), files };
}
