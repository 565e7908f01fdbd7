// Parses `dpkg-query -W -f DPKG_QUERY_FORMAT`: one installed binary package per line with its
// source package name and version (dpkg derives both from `Source: foo (1.2)` or the binary's own).
import type { Package } from '../../evidence/types.gen.ts';
import { isArch, isPkgToken } from '../report-fields.ts';
import type { Parsed } from './types.ts';

/** dpkg-query expands the \t and \n escapes itself. All fields exist since dpkg 1.16.2/1.17.11. */
export const DPKG_QUERY_FORMAT =
  '${binary:Package}\\t${Package}\\t${Architecture}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n';

export const DPKG_QUERY_ARGS: readonly string[] = ['-W', '-f', DPKG_QUERY_FORMAT];

export interface DpkgQueryParsed extends Parsed<Package> {
  /** Packages whose files are on disk but whose installation is unfinished (unpacked, half-configured…). */
  readonly unfinished: string[];
  /** The output did not end with a newline: the last line was dropped. */
  readonly truncated: boolean;
}

/** Second letter of db:Status-Abbrev: i installed, W/t installed with triggers awaited/pending. */
const INSTALLED = new Set(['i', 'W', 't']);
/** Present on disk but unfinished: unpacked, half-configured, half-installed. */
const UNFINISHED = new Set(['U', 'F', 'H', 'u', 'f', 'h']);

export function parseDpkgQuery(text: string): DpkgQueryParsed {
  const items: Package[] = [];
  const invalid: string[] = [];
  const unfinished: string[] = [];
  const lines = text.split('\n');
  const truncated = text.length > 0 && !text.endsWith('\n');
  if (truncated) lines.pop();
  for (const line of lines) {
    if (line === '') continue;
    const f = line.split('\t');
    if (f.length !== 7) {
      invalid.push(line);
      continue;
    }
    const [, name = '', arch = '', version = '', rawSource = '', rawSourceVersion = '', abbrev = ''] = f;
    const status = abbrev.charAt(1);
    if (!isPkgToken(name) || !isArch(arch) || !isPkgToken(version) || abbrev.trim().length < 2) {
      invalid.push(line);
      continue;
    }
    if (!INSTALLED.has(status)) {
      if (UNFINISHED.has(status)) unfinished.push(name);
      continue; // not-installed and config-files entries are not on the host
    }
    const { source, sourceVersion } = sourceOf(name, version, rawSource, rawSourceVersion);
    items.push({ name, arch, version, source, source_version: sourceVersion });
  }
  return { items, invalid, unfinished, truncated };
}

/** `foo (1.2)` in the name field (older dpkg) or an empty field both resolve to something valid. */
export function sourceOf(name: string, version: string, rawSource: string, rawSourceVersion: string): { source: string; sourceVersion: string } {
  let source = rawSource.trim();
  let sourceVersion = rawSourceVersion.trim();
  const m = /^(\S+)\s+\((\S+)\)$/.exec(source);
  if (m) {
    source = m[1]!;
    sourceVersion ||= m[2]!;
  }
  if (!isPkgToken(source)) source = name;
  if (!isPkgToken(sourceVersion)) sourceVersion = version;
  return { source, sourceVersion };
}
