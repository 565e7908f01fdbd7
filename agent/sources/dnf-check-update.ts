// Parses `dnf check-update` (dnf4, yum) and `dnf5 check-upgrade`: `name.arch  [epoch:]version-release
// repo` rows; dnf4 wraps a long name.arch onto its own line. The obsoletes section is not an update list.
import { isArch, isPkgToken } from '../report-fields.ts';
import { fields } from './text.ts';
import type { Parsed } from './types.ts';

export interface RpmUpdate {
  readonly name: string;
  readonly arch: string;
  /** `[epoch:]version-release` as dnf prints it. */
  readonly candidate: string;
  readonly repo: string;
}

const NAME_ARCH_RE = /^(.+)\.([A-Za-z0-9_]+)$/;
const EVR_RE = /^(?:\d+:)?[^\s:-]+-[^\s:-]+$/;
const REPO_RE = /^[A-Za-z0-9_.:@+-]+$/;

function row(nameArch: string, evr: string, repo: string): RpmUpdate | null {
  const m = NAME_ARCH_RE.exec(nameArch);
  if (!m || !EVR_RE.test(evr) || !REPO_RE.test(repo)) return null;
  const [, name = '', arch = ''] = m;
  if (!isPkgToken(name) || !isArch(arch) || !isPkgToken(evr)) return null;
  return { name, arch, candidate: evr, repo };
}

export function parseDnfCheckUpdate(text: string): Parsed<RpmUpdate> {
  const items: RpmUpdate[] = [];
  const invalid: string[] = [];
  let held: string | null = null;
  for (const line of text.split('\n')) {
    if (/^Obsoleting [Pp]ackages/.test(line)) break;
    const f = fields(line);
    if (held !== null && f.length === 2 && /^\s/.test(line)) {
      const r = row(held, f[0]!, f[1]!);
      if (r) items.push(r);
      else invalid.push(`${held} ${line.trim()}`);
      held = null;
      continue;
    }
    held = null;
    if (f.length === 1 && NAME_ARCH_RE.test(f[0]!) && !/^\s/.test(line) && !f[0]!.endsWith(':')) {
      held = f[0]!;
      continue;
    }
    if (f.length !== 3 || /^\s/.test(line) || f[0]!.endsWith(':') || f[1]!.endsWith(':')) continue; // headers, progress, notices
    const r = row(f[0]!, f[1]!, f[2]!);
    if (r) items.push(r);
    else invalid.push(line);
  }
  return { items, invalid };
}
