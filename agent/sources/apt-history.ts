// Parses /var/log/apt/history.log into transactions (Start-Date..End-Date, Commandline,
// Requested-By) and attributes each dpkg.log event to the apt transaction whose window covers it.
import type { HistoryEvent } from '../../evidence/types.gen.ts';
import { cleanLabel, cleanLongText } from '../report-fields.ts';
import { type LocalTime, parseWall } from './local-time.ts';
import type { Parsed } from './types.ts';

export interface AptTransaction {
  readonly start: Date;
  /** Missing when apt was interrupted; the window then ends at the next transaction. */
  readonly end: Date | null;
  readonly commandline?: string;
  readonly requestedBy?: string;
}

export function parseAptHistory(text: string, localTime: LocalTime): Parsed<AptTransaction> {
  const items: AptTransaction[] = [];
  const invalid: string[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const colon = line.indexOf(': ');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
    }
    const startText = fields.get('Start-Date');
    if (startText === undefined) {
      if (stanza.trim() !== '') invalid.push(stanza.split('\n').find((l) => l.trim() !== '') ?? '');
      continue;
    }
    const startWall = parseWall(startText);
    const start = startWall && localTime(startWall);
    if (!start) {
      invalid.push(`Start-Date: ${startText}`);
      continue;
    }
    const endWall = parseWall(fields.get('End-Date') ?? '');
    const tx: { -readonly [K in keyof AptTransaction]: AptTransaction[K] } = { start, end: (endWall && localTime(endWall)) ?? null };
    const cmd = fields.get('Commandline');
    if (cmd !== undefined) tx.commandline = cmd;
    const by = fields.get('Requested-By');
    if (by !== undefined) tx.requestedBy = by;
    items.push(tx);
  }
  items.sort((a, b) => a.start.getTime() - b.start.getTime());
  return { items, invalid };
}

/** Index of the last transaction starting at or before t, or -1. */
function lastStartingBefore(txs: readonly AptTransaction[], t: number): number {
  let lo = 0;
  let hi = txs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (txs[mid]!.start.getTime() <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Adds `by` (Requested-By) and `command` (Commandline) to events inside an apt transaction window. */
export function attributeEvents(events: readonly HistoryEvent[], txs: readonly AptTransaction[]): HistoryEvent[] {
  return events.map((event) => {
    const t = Date.parse(event.time);
    const i = lastStartingBefore(txs, t);
    if (i < 0) return event;
    const tx = txs[i]!;
    const end = tx.end?.getTime() ?? txs[i + 1]?.start.getTime() ?? Number.POSITIVE_INFINITY;
    if (t > end) return event;
    const out: HistoryEvent = { ...event };
    const by = tx.requestedBy === undefined ? '' : cleanLabel(tx.requestedBy);
    if (by !== '') out.by = by;
    const command = tx.commandline === undefined ? '' : cleanLongText(tx.commandline);
    if (command !== '') out.command = command;
    return out;
  });
}
