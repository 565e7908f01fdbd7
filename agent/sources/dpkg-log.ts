// Parses /var/log/dpkg.log: the install/upgrade/remove/purge action lines give exact times (local
// wall clock) and from/to versions; status, configure and trigger lines are bookkeeping and skipped.
import type { HistoryEvent } from '../../evidence/types.gen.ts';
import { isArch, isoSeconds, isPkgToken } from '../report-fields.ts';
import { compareVersions } from '../version-order.ts';
import { type LocalTime, parseWall } from './local-time.ts';
import type { Parsed } from './types.ts';

const LINE_RE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S+)(?: (.*))?$/;
const ACTIONS = new Set(['install', 'upgrade', 'remove', 'purge']);

function version(v: string): string | null {
  return v === '<none>' ? null : v;
}

function splitArch(pkg: string): { name: string; arch: string | undefined } {
  const colon = pkg.lastIndexOf(':');
  return colon > 0 ? { name: pkg.slice(0, colon), arch: pkg.slice(colon + 1) } : { name: pkg, arch: undefined };
}

function actionOf(action: string, from: string | null, to: string | null): HistoryEvent['action'] {
  if (action !== 'upgrade') return action as HistoryEvent['action'];
  if (from === null || to === null) return 'install';
  const c = compareVersions(from, to);
  return c === 0 ? 'reinstall' : c > 0 ? 'downgrade' : 'upgrade';
}

/** Is the line at `start` one of the four action lines? Checked without allocating: most lines are status noise. */
function isActionLine(text: string, start: number): boolean {
  const at = start + 20; // 'YYYY-MM-DD HH:MM:SS '
  return text.startsWith('install ', at) || text.startsWith('upgrade ', at) || text.startsWith('remove ', at) || text.startsWith('purge ', at);
}

/** Events strictly after `since` (all when absent), in log order. */
export function parseDpkgLog(text: string, localTime: LocalTime, since?: Date): Parsed<HistoryEvent> {
  const items: HistoryEvent[] = [];
  const invalid: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const lineStart = start;
    start = end + 1;
    if (end === lineStart) continue;
    if (!isActionLine(text, lineStart)) {
      if (text.charCodeAt(lineStart + 19) !== 32 || !LINE_RE.test(text.slice(lineStart, end))) invalid.push(text.slice(lineStart, end));
      continue;
    }
    const line = text.slice(lineStart, end);
    const m = LINE_RE.exec(line);
    if (!m || !ACTIONS.has(m[2]!)) {
      invalid.push(line);
      continue;
    }
    const parts = (m[3] ?? '').split(' ');
    const wall = parseWall(m[1]!);
    const when = wall && localTime(wall);
    const { name, arch } = splitArch(parts[0] ?? '');
    const from = version(parts[1] ?? '');
    const to = version(parts[2] ?? '');
    if (parts.length !== 3 || !when || !isPkgToken(name) || (arch !== undefined && !isArch(arch)) || (from !== null && !isPkgToken(from)) || (to !== null && !isPkgToken(to))) {
      invalid.push(line);
      continue;
    }
    if (since && when.getTime() <= since.getTime()) continue;
    const action = actionOf(m[2]!, from, to);
    const event: HistoryEvent = { time: isoSeconds(when), action, name };
    if (arch !== undefined) event.arch = arch;
    event.from = action === 'install' ? null : from;
    event.to = action === 'remove' || action === 'purge' ? null : to;
    items.push(event);
  }
  return { items, invalid };
}
