// The last gate before a report leaves the host: every package, pending update and history event
// is checked against the schema's field rules (mirrored in report-fields.ts); misfits are dropped.
import type { HistoryEvent, Package, PendingUpdate } from '../evidence/types.gen.ts';
import { isArch, isPkgToken, LIMITS, PATTERNS } from './report-fields.ts';

const LABEL_OK = (s: string, max: number) => s.length <= max && !/[\u0000-\u001f\u007f]/.test(s);
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const ACTIONS = new Set(['install', 'upgrade', 'downgrade', 'remove', 'purge', 'reinstall']);

const optToken = (v: string | null | undefined) => v === undefined || v === null || isPkgToken(v);

export function packageFits(p: Package): boolean {
  return isPkgToken(p.name) && isArch(p.arch) && isPkgToken(p.version) && (p.source === undefined || isPkgToken(p.source)) && (p.source_version === undefined || isPkgToken(p.source_version)) && (p.installed_at === undefined || TIME_RE.test(p.installed_at)) && (p.build_time === undefined || TIME_RE.test(p.build_time));
}

export function pendingFits(u: PendingUpdate): boolean {
  return (
    isPkgToken(u.name) &&
    isArch(u.arch) &&
    optToken(u.installed) &&
    isPkgToken(u.candidate) &&
    typeof u.security === 'boolean' &&
    (u.origin === undefined || LABEL_OK(u.origin, LIMITS.label)) &&
    (u.advisories === undefined || (u.advisories.length <= LIMITS.advisories && u.advisories.every((a) => PATTERNS.advisory.test(a)))) &&
    (u.severity === undefined || PATTERNS.severity.test(u.severity)) &&
    (u.issued === undefined || TIME_RE.test(u.issued))
  );
}

export function eventFits(e: HistoryEvent): boolean {
  return (
    TIME_RE.test(e.time) &&
    ACTIONS.has(e.action) &&
    isPkgToken(e.name) &&
    (e.arch === undefined || isArch(e.arch)) &&
    optToken(e.from) &&
    optToken(e.to) &&
    (e.by === undefined || LABEL_OK(e.by, LIMITS.label)) &&
    (e.command === undefined || LABEL_OK(e.command, LIMITS.longText))
  );
}

/** Keeps the items that fit; reports how many did not. */
export function keepFitting<T>(items: readonly T[], fits: (item: T) => boolean): { kept: T[]; dropped: number } {
  const kept = items.filter(fits);
  return { kept, dropped: items.length - kept.length };
}
