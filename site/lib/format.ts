// Deterministic formatting for pages and packs: UTC only, no locale data, no wall clock, so the
// same model renders the same text on every machine.

const DASH = '—';

/** "2025-03-04" from a date or timestamp. */
export function fmtDate(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : DASH;
}

/** "2025-03-04 17:05 UTC" from a timestamp; dates pass through. */
export function fmtTime(value: string | null | undefined): string {
  if (!value) return DASH;
  if (value.length <= 10) return value;
  return `${value.slice(0, 10)} ${value.slice(11, 16)} UTC`;
}

/** 12345 → "12,345". */
export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined) return DASH;
  const s = String(Math.trunc(Math.abs(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

export function fmtPct(p: number | null | undefined): string {
  return p === null || p === undefined ? DASH : `${p.toFixed(1)} %`;
}

export function fmtNum(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined ? DASH : n.toFixed(digits);
}

/** SLA hours as people say them: 72 → "72 h (3 days)", 720 → "720 h (30 days)". */
export function fmtHours(h: number | null | undefined): string {
  if (h === null || h === undefined) return DASH;
  const days = h / 24;
  const d = Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${days.toFixed(1)} days`;
  return h >= 24 ? `${fmtInt(h)} h (${d})` : `${h} h`;
}

export function fmtDays(d: number | null | undefined): string {
  return d === null || d === undefined ? DASH : `${d.toFixed(1)} d`;
}

export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 12) : DASH;
}

/** Fingerprint in groups of four, as gpg prints it. */
export function fmtFingerprint(fp: string): string {
  return fp.replace(/(.{4})(?=.)/g, '$1 ');
}

export function dash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? DASH : value;
}
