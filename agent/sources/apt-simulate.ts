// Parses an apt simulation (`apt-get -s dist-upgrade`): each `Inst name [old] (new origins [arch])`
// line is one pending update; a candidate from a *-security suite or a Security label is flagged.
import type { PendingUpdate } from '../../evidence/types.gen.ts';
import { cleanLabel, isArch, isPkgToken } from '../report-fields.ts';
import type { Parsed } from './types.ts';

/** Runs unprivileged: NoLocking lets a simulation read the package lists without the apt lock. */
export const APT_SIMULATE_ARGS: readonly string[] = ['-s', '-q', '-o', 'Debug::NoLocking=1', 'dist-upgrade'];

const INST_RE = /^Inst (\S+)(?: \[([^\]\s]+)\])? \((\S+)(?: (.*?))? \[([^\]\s]+)\]\)(?: \[[^\]]*\])*\s*$/;

/** `Debian-Security:12/oldstable-security`, `Ubuntu:24.04/noble-security`: label or suite says security. */
export function isSecurityOrigin(origin: string): boolean {
  const [label = '', suite = ''] = origin.trim().split('/');
  return /-security$/i.test(suite) || /security/i.test(label);
}

export function parseAptSimulate(text: string): Parsed<PendingUpdate> {
  const items: PendingUpdate[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('Inst ')) continue;
    const m = INST_RE.exec(line);
    if (!m) {
      invalid.push(line);
      continue;
    }
    const name = m[1]!.replace(/:[A-Za-z0-9_-]+$/, '');
    const installed = m[2] ?? null;
    const candidate = m[3]!;
    const origins = (m[4] ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
    const arch = m[5]!;
    if (!isPkgToken(name) || !isPkgToken(candidate) || (installed !== null && !isPkgToken(installed)) || !isArch(arch)) {
      invalid.push(line);
      continue;
    }
    const update: PendingUpdate = { name, arch, installed, candidate, security: origins.some(isSecurityOrigin) };
    const origin = cleanLabel(origins.join(', '));
    if (origin !== '') update.origin = origin;
    items.push(update);
  }
  return { items, invalid };
}
