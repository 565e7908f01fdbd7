// Package logs (dpkg.log, apt history, yum.log) record wall-clock time without a zone; this turns
// such a time into an instant using the host's zone, or a fixed offset injected by tests.

export interface WallClock {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export type LocalTime = (wall: WallClock) => Date | null;

function valid(w: WallClock): boolean {
  return w.month >= 1 && w.month <= 12 && w.day >= 1 && w.day <= 31 && w.hour <= 23 && w.minute <= 59 && w.second <= 60;
}

/** The host's own zone (TZ or /etc/localtime, as Node sees it), DST included. */
export const systemLocalTime: LocalTime = (w) => {
  if (!valid(w)) return null;
  const d = new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** A fixed offset east of UTC in minutes (e.g. +120 for CEST): deterministic in tests. */
export function fixedOffset(offsetMinutes: number): LocalTime {
  return (w) => {
    if (!valid(w)) return null;
    const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - offsetMinutes * 60_000;
    return Number.isNaN(ms) ? null : new Date(ms);
  };
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T]+(\d{2}):(\d{2}):(\d{2})$/;

/** Parses 'YYYY-MM-DD HH:MM:SS' (one or more spaces, as apt's history.log writes two). */
export function parseWall(text: string): WallClock | null {
  const m = WALL_RE.exec(text.trim());
  if (!m) return null;
  return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]! };
}
