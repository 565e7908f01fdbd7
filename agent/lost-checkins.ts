// Check-ins that never reached the spool (a full disk, or the spool's own bound): remembered, on
// disk when it can be written and in memory when it cannot, and carried as coded warnings on the
// next report that is spooled, so the gap shows in the evidence and not only in the local log.
import { promises as fsp } from 'node:fs';
import type { Warning } from '../evidence/types.gen.ts';
import type { AtomicWrite } from './atomic-file.ts';
import { cleanLongText, LIMITS } from './report-fields.ts';

export const LOST_CHECKIN_CODES = ['AGT_SPOOL_WRITE_FAILED', 'AGT_SPOOL_FULL'] as const;
export type LostCheckinCode = (typeof LOST_CHECKIN_CODES)[number];

export function isLostCheckinCode(code: string): code is LostCheckinCode {
  return (LOST_CHECKIN_CODES as readonly string[]).includes(code);
}

/** Every loss of one kind, folded into one record: a week of a full disk stays one warning. */
export interface LostTally {
  code: LostCheckinCode;
  count: number;
  first_at: string;
  last_at: string;
  /** Why the last one was lost (errno, or the spool's bound). */
  last_reason: string;
}

export class LostCheckins {
  readonly path: string;
  readonly #write: AtomicWrite;
  readonly #sync: boolean;
  #tallies: LostTally[];

  private constructor(path: string, write: AtomicWrite, sync: boolean, tallies: LostTally[]) {
    this.path = path;
    this.#write = write;
    this.#sync = sync;
    this.#tallies = tallies;
  }

  /** Reads what an earlier run could not report; a damaged file counts as nothing remembered. */
  static async load(path: string, options: { write: AtomicWrite; sync: boolean }): Promise<LostCheckins> {
    const text = await fsp.readFile(path, 'utf8').catch(() => null);
    let tallies: LostTally[] = [];
    if (text !== null) {
      try {
        const value = JSON.parse(text) as unknown;
        if (Array.isArray(value)) tallies = value.filter(isTally);
      } catch {
        tallies = [];
      }
    }
    return new LostCheckins(path, options.write, options.sync, tallies);
  }

  get tallies(): readonly LostTally[] {
    return this.#tallies;
  }

  /**
   * Remembers one lost check-in. Kept in memory first; then written to disk if the disk lets it.
   * Returns whether it was written (false: it survives only while this process runs).
   */
  async record(code: LostCheckinCode, at: string, reason: string): Promise<boolean> {
    const known = this.#tallies.find((t) => t.code === code);
    const next: LostTally = known
      ? { ...known, count: known.count + 1, last_at: at, last_reason: reason }
      : { code, count: 1, first_at: at, last_at: at, last_reason: reason };
    this.#tallies = [...this.#tallies.filter((t) => t.code !== code), next].sort((a, b) => (a.code < b.code ? -1 : 1));
    try {
      await this.#write(this.path, JSON.stringify(this.#tallies) + '\n', { mode: 0o600, sync: this.#sync });
      return true;
    } catch {
      return false;
    }
  }

  /** The warnings the next spooled report carries, one per kind of loss. */
  warnings(): Warning[] {
    return this.#tallies.map((t) => ({ code: t.code, message: describe(t) }));
  }

  /** Forgets everything, once a report carrying the warnings is on disk. */
  async clear(): Promise<void> {
    if (this.#tallies.length === 0) return;
    this.#tallies = [];
    await fsp.rm(this.path, { force: true }).catch(() => undefined);
  }
}

function describe(t: LostTally): string {
  const what = t.code === 'AGT_SPOOL_FULL' ? 'the spool was full' : 'the spool could not be written';
  const text = t.count === 1
    ? `the check-in at ${t.first_at} was not recorded: ${what} (${t.last_reason})`
    : `${t.count} check-ins between ${t.first_at} and ${t.last_at} were not recorded: ${what} (last: ${t.last_reason})`;
  return cleanLongText(text);
}

function isTally(v: unknown): v is LostTally {
  const t = v as LostTally;
  return typeof v === 'object' && v !== null && isLostCheckinCode(String(t.code)) && Number.isSafeInteger(t.count) && t.count > 0 &&
    typeof t.first_at === 'string' && typeof t.last_at === 'string' && typeof t.last_reason === 'string';
}

/**
 * The report's warnings with the carried ones added. They are never the ones cut: when the list
 * would pass the report's limit, collection warnings make room and the truncation entry counts them.
 */
export function withCarriedWarnings(warnings: readonly Warning[], carried: readonly Warning[]): Warning[] {
  if (carried.length === 0) return [...warnings];
  const truncation = warnings.find((w) => w.code === 'AGT_WARNINGS_TRUNCATED');
  const earlier = truncation ? Number(/^(\d+) /.exec(truncation.message)?.[1] ?? 0) : 0;
  const own = warnings.filter((w) => w.code !== 'AGT_WARNINGS_TRUNCATED' && !carried.some((c) => c.code === w.code && c.message === w.message));
  const fits = own.length + carried.length <= LIMITS.warnings && earlier === 0;
  const room = fits ? own.length : Math.max(0, LIMITS.warnings - 1 - carried.length);
  const kept = [...carried, ...own.slice(0, room)].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const dropped = earlier + own.length - Math.min(room, own.length);
  if (dropped > 0) kept.push({ code: 'AGT_WARNINGS_TRUNCATED', message: `${dropped} more warning(s) not shown` });
  return kept;
}
