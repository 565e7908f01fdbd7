// The demo's fixed simulated period: two calendar quarters ending at the demo's "today", so the
// same data is produced on every run and the advisories' real publication dates fall inside it.
export const DEMO_WINDOW_START = '2026-04-01T00:00:00.000Z';
/** The demo's "today": the instant after the last simulated day (the site's as-of). */
export const DEMO_WINDOW_END = '2026-10-01T00:00:00.000Z';
export const DAY_MS = 86_400_000;
export const DEMO_DAYS = Math.round((Date.parse(DEMO_WINDOW_END) - Date.parse(DEMO_WINDOW_START)) / DAY_MS);

/** The audit periods the demo builds: the last two quarters before "today". */
export const DEMO_PERIODS: readonly { name: string; start: string; end: string }[] = [
  { name: '2026-Q2', start: '2026-04-01', end: '2026-06-30' },
  { name: '2026-Q3', start: '2026-07-01', end: '2026-09-30' },
];

/** Day number (0 = DEMO_WINDOW_START) → instant, plus an optional time of day in hours. */
export function dayToDate(day: number, hours = 0): Date {
  return new Date(Date.parse(DEMO_WINDOW_START) + day * DAY_MS + Math.round(hours * 3_600_000));
}

/** A calendar date (YYYY-MM-DD) → day number within the window (may be negative). */
export function dateToDay(date: string): number {
  return Math.floor((Date.parse(`${date.slice(0, 10)}T00:00:00Z`) - Date.parse(DEMO_WINDOW_START)) / DAY_MS);
}
