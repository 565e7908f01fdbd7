// The collector's only source of time. Everything that stamps, expires, rate-limits or decides
// cadence asks a Clock (the same `() => Date` shape the evidence layer takes), so the demo can
// drive months of simulated time through the real server.
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export interface ManualClock extends Clock {
  set(time: Date | string): void;
  advance(ms: number): void;
}

/** A clock that moves only when told to: for tests and the simulated-fleet demo. */
export function manualClock(start: Date | string): ManualClock {
  let t = new Date(start).getTime();
  const clock = (() => new Date(t)) as ManualClock;
  clock.set = (time) => {
    t = new Date(time).getTime();
  };
  clock.advance = (ms) => {
    t += ms;
  };
  return clock;
}

/** The UTC day (YYYY-MM-DD) a time falls on: enrolment caps count per UTC day. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}
