// Time arithmetic for the SLA engine: policy durations ("72h", "14d"), UTC dates and months.
// Everything is epoch milliseconds or ISO strings; nothing here reads the wall clock.
import { cmpError } from './errors.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const DURATION_RE = /^([0-9]+(?:\.[0-9]+)?)([hdw])$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "72h" → 72, "14d" → 336, "2w" → 336. Throws CMP_POLICY_INVALID on anything else. */
export function durationHours(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m) throw cmpError('CMP_POLICY_INVALID', `not a duration: ${JSON.stringify(text)} (write e.g. 72h, 14d or 2w)`);
  const n = Number(m[1]);
  return m[2] === 'h' ? n : m[2] === 'd' ? n * 24 : n * 24 * 7;
}

/** Midnight UTC of a YYYY-MM-DD date, in ms; NaN when the text is not a real date. */
export function dateMs(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return isoDate(ms) === date ? ms : Number.NaN;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO timestamp without milliseconds when they are zero, so model text stays stable and short. */
export function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

export function isoTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}

/** Parses an ISO timestamp or a date (midnight UTC); NaN when unparseable. */
export function timeMs(text: string): number {
  return DATE_RE.test(text) ? dateMs(text) : Date.parse(text);
}

export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** First instant of the month after the one containing `ms`. */
export function nextMonthMs(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function monthStartMs(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Rounds to one decimal, the fixed precision of every duration and percentage in the model. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface Period {
  /** First day, inclusive (YYYY-MM-DD). */
  readonly start: string;
  /** Last day, inclusive (YYYY-MM-DD). */
  readonly end: string;
}

export interface PeriodBounds {
  readonly startMs: number;
  /** The instant after the last day: the model's "now". */
  readonly asOfMs: number;
}

export function periodBounds(period: Period): PeriodBounds {
  const startMs = dateMs(period.start);
  const endMs = dateMs(period.end);
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || endMs < startMs) {
    throw cmpError('CMP_PERIOD_INVALID', `not a valid period: ${period.start}..${period.end}`, { data: { ...period } });
  }
  return { startMs, asOfMs: endMs + DAY_MS };
}

/** "2025-01-01..2025-06-30" → {start, end}; validated. */
export function parsePeriod(text: string): Period {
  const [start = '', end = '', ...rest] = text.split('..');
  const period = { start, end };
  if (rest.length > 0) throw cmpError('CMP_PERIOD_INVALID', `not a valid period: ${text}`);
  periodBounds(period);
  return period;
}

/** The months (YYYY-MM) a period touches, in order. */
export function periodMonths(bounds: PeriodBounds): string[] {
  const out: string[] = [];
  for (let m = monthStartMs(bounds.startMs); m < bounds.asOfMs; m = nextMonthMs(m)) out.push(monthKey(m));
  return out;
}
