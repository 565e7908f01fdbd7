// The files the build produces besides pages (PDF packs, CSV exports, checksums, signatures),
// described in a small JSON file written before the Astro build so the Packs and Exports pages
// can list them with their sizes and sha256.
import { readFileSync } from 'node:fs';
import { DOWNLOADS_ENV } from './model.ts';
import type { Framework } from './model-types.ts';

export interface DownloadFile {
  /** Path relative to the site root, "/"-separated. */
  file: string;
  title: string;
  bytes: number;
  sha256: string;
  /** Path of the detached armored signature, or null when the build had no signing key. */
  signature: string | null;
}

export interface PackFile extends DownloadFile {
  framework: Framework;
}

export interface Downloads {
  packs: PackFile[];
  exports: DownloadFile[];
  /** SHA256SUMS files (and their .asc) per folder. */
  sums: { file: string; signature: string | null }[];
  signer: { fingerprint: string; publicKey: string } | null;
}

export const NO_DOWNLOADS: Downloads = { packs: [], exports: [], sums: [], signer: null };

let cache: { file: string; value: Downloads } | undefined;

export function downloads(env: Record<string, string | undefined> = process.env): Downloads {
  const file = env[DOWNLOADS_ENV];
  if (!file) return NO_DOWNLOADS;
  if (cache?.file === file) return cache.value;
  const value = JSON.parse(readFileSync(file, 'utf8')) as Downloads;
  cache = { file, value };
  return value;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
