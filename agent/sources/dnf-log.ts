// Parses rpm transaction logs: dnf's /var/log/dnf.rpm.log (`<ISO time> SUBDEBUG Upgrade: NEVRA`,
// paired with the matching `Upgraded:` line for the old version) and yum's /var/log/yum.log (no year).
import type { HistoryEvent } from '../../evidence/types.gen.ts';
import { isoSeconds, isPkgToken } from '../report-fields.ts';
import type { LocalTime } from './local-time.ts';
import { evrString, parseNevra } from './rpm-nevra.ts';
import type { Parsed } from './types.ts';

type Step = { kind: 'new' | 'old'; action: HistoryEvent['action'] };

/** dnf/yum verbs: the new package of an upgrade/downgrade and the old one it replaced. */
const VERBS: Record<string, Step> = {
  Installed: { kind: 'new', action: 'install' },
  Install: { kind: 'new', action: 'install' },
  Updated: { kind: 'new', action: 'upgrade' }, // yum.log names the new package
  Upgrade: { kind: 'new', action: 'upgrade' },
  Upgraded: { kind: 'old', action: 'upgrade' },
  Downgrade: { kind: 'new', action: 'downgrade' },
  Downgraded: { kind: 'old', action: 'downgrade' },
  Reinstall: { kind: 'new', action: 'reinstall' },
  Reinstalled: { kind: 'old', action: 'reinstall' },
  Obsolete: { kind: 'new', action: 'install' },
  Erase: { kind: 'new', action: 'remove' },
  Erased: { kind: 'new', action: 'remove' },
  Obsoleted: { kind: 'new', action: 'remove' },
};

interface Raw {
  readonly time: Date;
  readonly verb: string;
  readonly target: string;
  readonly line: string;
}

/** Turns verb lines into events: an `old` line fills `from` of the open upgrade/downgrade of that name.arch. */
function toEvents(raws: readonly Raw[], since: Date | undefined, invalid: string[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const open = new Map<string, HistoryEvent>();
  const orphanOld = new Map<string, string>();
  for (const r of raws) {
    const step = VERBS[r.verb];
    if (!step) continue;
    const n = parseNevra(r.target) ?? (step.action === 'remove' && isPkgToken(r.target) ? { name: r.target, epoch: 0, version: '', release: '', arch: '' } : null);
    if (!n || !isPkgToken(n.name)) {
      invalid.push(r.line);
      continue;
    }
    const version = n.version === '' ? null : evrString(n.epoch, n.version, n.release);
    const k = `${n.name}.${n.arch}`;
    if (step.kind === 'old') {
      const ev = open.get(k);
      if (ev && ev.action === step.action) {
        ev.from = version;
        open.delete(k);
      } else if (step.action !== 'reinstall') orphanOld.set(k, version ?? '');
      continue;
    }
    const ev: HistoryEvent = { time: isoSeconds(r.time), action: step.action, name: n.name };
    if (n.arch !== '') ev.arch = n.arch;
    if (step.action === 'remove') {
      ev.from = version;
      ev.to = null;
    } else {
      ev.from = step.action === 'install' ? null : orphanOld.get(k) || null;
      ev.to = version;
      if (step.action === 'reinstall') ev.from = version;
      if (step.action !== 'install' && ev.from === null) open.set(k, ev);
      orphanOld.delete(k);
    }
    if (!since || r.time.getTime() > since.getTime()) events.push(ev);
  }
  return events;
}

const DNF_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}(?::?\d{2})?)? +(\w+) +(.*)$/;

function isoInstant(local: string, zone: string | undefined, localTime: LocalTime): Date | null {
  if (zone === undefined) {
    const [d = '', t = ''] = local.split('T');
    const [y, mo, da] = d.split('-').map(Number);
    const [h, mi, s] = t.split(':').map(Number);
    return localTime({ year: y!, month: mo!, day: da!, hour: h!, minute: mi!, second: s! });
  }
  const z = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${local}${z}`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export function parseDnfRpmLog(text: string, localTime: LocalTime, since?: Date): Parsed<HistoryEvent> {
  const raws: Raw[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = DNF_RE.exec(line);
    const time = m && isoInstant(m[1]!, m[2], localTime);
    if (!m || !time) {
      invalid.push(line);
      continue;
    }
    const verb = /^(\w+): (\S+)\s*$/.exec(m[4]!);
    if (m[3] === 'SUBDEBUG' && verb) raws.push({ time, verb: verb[1]!, target: verb[2]!, line });
  }
  return { items: toEvents(raws, since, invalid), invalid };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const YUM_RE = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\w+): (\S+)\s*$/;

/** yum.log has no year: walking back from `lastWrite` (the file's mtime), a month jump forward means the previous year. */
export function parseYumLog(text: string, localTime: LocalTime, lastWrite: Date, since?: Date): Parsed<HistoryEvent> {
  const invalid: string[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const raws: Raw[] = [];
  let year = lastWrite.getUTCFullYear();
  let nextMonth = 13;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = YUM_RE.exec(lines[i]!);
    const month = m ? MONTHS.indexOf(m[1]!) + 1 : 0;
    if (!m || month === 0) {
      invalid.push(lines[i]!);
      continue;
    }
    if (nextMonth === 13 && month > lastWrite.getUTCMonth() + 1) year--;
    else if (month > nextMonth) year--;
    nextMonth = month;
    const time = localTime({ year, month, day: +m[2]!, hour: +m[3]!, minute: +m[4]!, second: +m[5]! });
    if (!time) invalid.push(lines[i]!);
    else raws.push({ time, verb: m[6]!, target: m[7]!, line: lines[i]! });
  }
  raws.reverse();
  invalid.reverse();
  return { items: toEvents(raws, since, invalid), invalid };
}
