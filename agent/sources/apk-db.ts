// Parses Alpine's package database /lib/apk/db/installed: blank-line separated stanzas of
// `P:` name, `V:` version, `A:` arch, `o:` origin (the aports source package).
import type { Package } from '../../evidence/types.gen.ts';
import { isArch, isPkgToken } from '../report-fields.ts';
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
    items.push({ name, arch, version, source: origin && isPkgToken(origin) ? origin : name, source_version: version });
  }
  return { items, invalid, truncated };
}
