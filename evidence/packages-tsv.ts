// hosts/<id>/packages.tsv: the current inventory, one package per line, sorted, so that
// `git log -p` on it is the package history. Agent and collector hash the same rendering.
import type { Package } from './types.gen.ts';
import { sha256Hex } from './hash.ts';

export const PACKAGES_TSV_HEADER = '#name\tarch\tversion\tsource\tsource_version';

function compareKey(a: Package, b: Package): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.arch !== b.arch) return a.arch < b.arch ? -1 : 1;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

/** Sorted by name, arch (byte order); source columns default to the binary's own name/version. */
export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(compareKey);
}

export function renderPackagesTsv(packages: readonly Package[]): string {
  const lines = [PACKAGES_TSV_HEADER];
  for (const p of sortPackages(packages)) {
    lines.push([p.name, p.arch, p.version, p.source ?? p.name, p.source_version ?? p.version].join('\t'));
  }
  return lines.join('\n') + '\n';
}

export function inventorySha256(packages: readonly Package[]): string {
  return sha256Hex(renderPackagesTsv(packages));
}

export function parsePackagesTsv(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name = '', arch = '', version = '', source = '', source_version = ''] = line.split('\t');
    out.push({ name, arch, version, source: source || name, source_version: source_version || version });
  }
  return out;
}
