// Parses Alpine's package database /lib/apk/db/installed: blank-line separated stanzas of
// `P:` name, `V:` version, `A:` arch, `o:` origin (the aports source package), `t:` build time.
import type { Package } from '../../evidence/types.gen.ts';
import { isArch, isoSeconds, isPkgToken } from '../report-fields.ts';
import type { Parsed } from './types.ts';

export function parseApkInstalled(text: string): Parsed<Package> & { truncated: boolean } {
  const items: Package[] = [];
  const invalid: string[] = [];
  const stanzas = text.split(/\n\s*\n/);
  // apk ends every stanza, the last one included, with a blank line
  const truncated = text.trim() !== '' && !text.endsWith('\n\n');
  for (const stanza of stanzas) {
    if (stanza.trim() === '') continue;
    const f = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.length >= 2 && line[1] === ':' && !f.has(line[0]!)) f.set(line[0]!, line.slice(2));
    }
    const name = f.get('P') ?? '';
    const version = f.get('V') ?? '';
    const arch = f.get('A') ?? '';
    if (!isPkgToken(name) || !isPkgToken(version) || !isArch(arch)) {
      invalid.push(stanza.split('\n').slice(0, 3).join(' '));
      continue;
    }
    const origin = f.get('o');
    const pkg: Package = { name, arch, version, source: origin && isPkgToken(origin) ? origin : name, source_version: version };
    const built = buildTime(f.get('t'));
    if (built !== null) pkg.build_time = built;
    items.push(pkg);
  }
  return { items, invalid, truncated };
}

/** `t:` is the build's unix time in seconds; anything else (absent, zero, not digits) is left out. */
function buildTime(text: string | undefined): string | null {
  if (text === undefined || !/^\d{1,12}$/.test(text)) return null;
  const secs = Number(text);
  return secs > 0 ? isoSeconds(new Date(secs * 1000)) : null;
}
