// Parses Alpine's pending upgrades: `apk list -u` (name-version arch {origin} (license)
// [upgradable from: name-oldversion]) and the older `apk version -l '<'` table.
import type { PendingUpdate } from '../../evidence/types.gen.ts';
import { isArch, isPkgToken } from '../report-fields.ts';
import { fields } from './text.ts';
import type { Parsed } from './types.ts';

/** `busybox-1.36.1-r29` → busybox, 1.36.1-r29 (apk versions start with a digit and end in -rN). */
export function splitApkNameVersion(s: string): { name: string; version: string } | null {
  const m = /^(.+?)-(\d[^-]*-r\d+)$/.exec(s);
  return m ? { name: m[1]!, version: m[2]! } : null;
}

const LIST_RE = /^(\S+) (\S+) \{[^}]*\} \([^)]*\) \[upgradable from: (\S+)\]\s*$/;

export function parseApkListUpgradable(text: string): Parsed<PendingUpdate> {
  const items: PendingUpdate[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^(WARNING|fetch|OK):?/.test(line)) continue;
    const m = LIST_RE.exec(line);
    const next = m && splitApkNameVersion(m[1]!);
    const old = m && splitApkNameVersion(m[3]!);
    if (!m || !next || !old || old.name !== next.name || !isPkgToken(next.name) || !isPkgToken(next.version) || !isPkgToken(old.version) || !isArch(m[2]!)) {
      invalid.push(line);
      continue;
    }
    items.push({ name: next.name, arch: m[2]!, installed: old.version, candidate: next.version, security: false });
  }
  return { items, invalid };
}

/** `apk version -l '<'`: `name-installed  <  available`; the arch comes from the inventory. */
export function parseApkVersion(text: string, archOf: (name: string) => string): Parsed<PendingUpdate> {
  const items: PendingUpdate[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.length === 0 || f[0]!.endsWith(':') || /^(WARNING|fetch)/.test(f[0]!)) continue;
    const cur = f.length === 3 ? splitApkNameVersion(f[0]!) : null;
    if (!cur || f[1] !== '<' || !isPkgToken(cur.name) || !isPkgToken(cur.version) || !isPkgToken(f[2])) {
      invalid.push(line);
      continue;
    }
    items.push({ name: cur.name, arch: archOf(cur.name), installed: cur.version, candidate: f[2]!, security: false });
  }
  return { items, invalid };
}
