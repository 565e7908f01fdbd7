// Parses libzypp's /var/log/zypp/history: `time|install|name|edition|arch|user@host|repo|…` and
// `time|remove |…` rows; `time|command|user@host|'zypper' 'up'|` rows say who started what.
import type { HistoryEvent } from '../../evidence/types.gen.ts';
import { cleanLabel, cleanLongText, isArch, isoSeconds, isPkgToken } from '../report-fields.ts';
import { compareVersions } from '../version-order.ts';
import { type LocalTime, parseWall } from './local-time.ts';
import type { Parsed } from './types.ts';

/** A command row applies to the package rows that follow it within this window. */
const COMMAND_WINDOW_MS = 6 * 60 * 60 * 1000;

export function parseZyppHistory(text: string, localTime: LocalTime, since?: Date): Parsed<HistoryEvent> {
  const items: HistoryEvent[] = [];
  const invalid: string[] = [];
  const last = new Map<string, string>(); // name.arch → last installed edition (to tell upgrades from installs)
  let command: { at: number; by: string; cmd: string } | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split('|');
    const wall = parseWall(f[0] ?? '');
    const when = wall && localTime(wall);
    const action = (f[1] ?? '').trim();
    if (!when || action === '') {
      invalid.push(line);
      continue;
    }
    if (action === 'command') {
      command = { at: when.getTime(), by: cleanLabel((f[2] ?? '').trim()), cmd: cleanLongText((f[3] ?? '').replace(/'/g, '')) };
      continue;
    }
    if (action !== 'install' && action !== 'remove') continue; // radd, rremove, patch, …
    const [, , name = '', edition = '', arch = ''] = f;
    if (!isPkgToken(name) || !isPkgToken(edition) || !isArch(arch)) {
      invalid.push(line);
      continue;
    }
    const key = `${name}.${arch}`;
    const previous = last.get(key);
    let ev: HistoryEvent;
    if (action === 'remove') {
      last.delete(key);
      ev = { time: isoSeconds(when), action: 'remove', name, arch, from: edition, to: null };
    } else {
      last.set(key, edition);
      const c = previous === undefined ? null : compareVersions(previous, edition);
      const kind: HistoryEvent['action'] = c === null ? 'install' : c < 0 ? 'upgrade' : c > 0 ? 'downgrade' : 'reinstall';
      ev = { time: isoSeconds(when), action: kind, name, arch, from: previous ?? null, to: edition };
    }
    if (command && when.getTime() - command.at >= 0 && when.getTime() - command.at <= COMMAND_WINDOW_MS) {
      if (command.by !== '') ev.by = command.by;
      if (command.cmd !== '') ev.command = command.cmd;
    }
    if (!since || when.getTime() > since.getTime()) items.push(ev);
  }
  return { items, invalid };
}
