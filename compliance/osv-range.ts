// OSV affected-range evaluation for one installed version: introduced/fixed/last_affected events
// of ECOSYSTEM ranges plus the enumerated `versions`, in the ecosystem's own version order.

import type { IndexedAffected, IndexedEvent } from './osv-index.ts';
import { compareParsed, type ParsedVersion } from './version.ts';

export interface RangeVerdict {
  readonly affected: boolean;
  /** The version that fixes the installed one, when the advisory names it. */
  readonly fixed: string | null;
  /** Affected and no fix exists (no later `fixed` and no `last_affected` bound). */
  readonly unfixed: boolean;
}

const NOT_AFFECTED: RangeVerdict = { affected: false, fixed: null, unfixed: false };

interface InRange {
  readonly affected: boolean;
  readonly fix: IndexedEvent | undefined;
  readonly unfixed: boolean;
}

/** The OSV algorithm over sorted events: the last event at or below v decides. */
function inRange(events: readonly IndexedEvent[], v: ParsedVersion): InRange {
  let affected = false;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (e.version === null || compareParsed(v, e.version) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (compareParsed(v, e.version!) >= 0) affected = false;
    } else if (compareParsed(v, e.version!) > 0) {
      affected = false;
    }
  }
  if (!affected) return { affected: false, fix: undefined, unfixed: false };
  const fix = events.find((e) => e.kind === 'fixed' && compareParsed(e.version!, v) > 0);
  const bounded = events.some((e) => e.kind === 'last_affected' && compareParsed(e.version!, v) >= 0);
  return { affected: true, fix, unfixed: fix === undefined && !bounded };
}

/** The smallest `fixed` event above v in any range (used when only `versions` matched). */
function firstFixAbove(entry: IndexedAffected, v: ParsedVersion): IndexedEvent | undefined {
  let best: IndexedEvent | undefined;
  for (const events of entry.ranges) {
    for (const e of events) {
      if (e.kind !== 'fixed' || compareParsed(e.version!, v) <= 0) continue;
      if (best === undefined || compareParsed(e.version!, best.version!) < 0) best = e;
    }
  }
  return best;
}

/**
 * Is `v` affected by this entry? Across several affecting ranges the fix is the highest of
 * their fixes (all must be fixed), and any unfixed range makes the result unfixed.
 */
export function evaluateAffected(entry: IndexedAffected, v: ParsedVersion): RangeVerdict {
  let affected = false;
  let unfixed = false;
  let fix: IndexedEvent | undefined;
  for (const events of entry.ranges) {
    const r = inRange(events, v);
    if (!r.affected) continue;
    affected = true;
    if (r.unfixed) unfixed = true;
    else if (r.fix && (fix === undefined || compareParsed(r.fix.version!, fix.version!) > 0)) fix = r.fix;
  }
  if (affected) return unfixed ? { affected, fixed: null, unfixed } : { affected, fixed: fix?.text ?? null, unfixed };
  if (entry.versions.some((listed) => compareParsed(listed, v) === 0)) {
    const above = firstFixAbove(entry, v);
    return { affected: true, fixed: above?.text ?? null, unfixed: above === undefined };
  }
  return NOT_AFFECTED;
}
