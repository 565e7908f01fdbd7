// Where the shared real-data fixtures live (../shared/fixtures next to the project) and small
// readers for their TSV formats, shared by the compliance tests.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const FIXTURES = process.env.PATCHPROOF_FIXTURES
  ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

/** Rows of a TSV file with a header line; the header is dropped, empty lines too. */
export function readTsv(...parts: string[]): string[][] {
  const lines = readFileSync(fixturePath(...parts), 'utf8').split('\n');
  return lines.slice(1).filter((l) => l !== '').map((l) => l.split('\t'));
}
