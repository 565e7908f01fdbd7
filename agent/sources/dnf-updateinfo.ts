// Parses dnf's advisory views for pending updates: dnf4/yum `updateinfo list` (ID  Severity/Sec.  NEVRA)
// and `updateinfo info` (Update ID / Type / Updated / CVEs / Severity blocks), dnf5 `advisory … --json`.
import { PATTERNS } from '../report-fields.ts';
import { type LocalTime, parseWall } from './local-time.ts';
import { type Nevra, parseNevra } from './rpm-nevra.ts';
import { fields } from './text.ts';
import type { Parsed } from './types.ts';

/** One (advisory, package) pair from a list view. */
export interface AdvisoryRef {
  readonly id: string;
  readonly type: 'security' | 'bugfix' | 'enhancement' | 'newpackage' | 'unknown';
  readonly severity?: string;
  readonly nevra: Nevra;
}

/** Details of one advisory from an info view. */
export interface AdvisoryInfo {
  readonly id: string;
  readonly type?: string;
  readonly severity?: string;
  readonly issued?: Date;
  readonly cves: string[];
}

const TYPES = new Set(['security', 'bugfix', 'enhancement', 'newpackage']);

function typeOf(label: string): AdvisoryRef['type'] {
  const t = label.toLowerCase();
  return TYPES.has(t) ? (t as AdvisoryRef['type']) : 'unknown';
}

function severityOf(s: string | undefined): string | undefined {
  const v = (s ?? '').trim();
  return v === '' || /^(none|unknown)$/i.test(v) || !PATTERNS.severity.test(v) ? undefined : v;
}

function ref(id: string, type: AdvisoryRef['type'], severity: string | undefined, nevraText: string): AdvisoryRef | null {
  const nevra = parseNevra(nevraText);
  if (!nevra || !PATTERNS.advisory.test(id)) return null;
  return severity === undefined ? { id, type, nevra } : { id, type, severity, nevra };
}

/** dnf4/yum: `RHSA-2024:3339 Important/Sec. glibc-2.34-100.el9_4.2.x86_64`. */
export function parseUpdateinfoList(text: string): Parsed<AdvisoryRef> {
  const items: AdvisoryRef[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    const f = fields(line);
    // headers and trailers: `Last metadata expiration check: …`, yum's `Loaded plugins: …`, `updateinfo list done`
    if (f.length === 0 || f[0]!.endsWith(':') || f[1]?.endsWith(':') || /^(Last metadata|updateinfo \w+ done)/.test(line.trim())) continue;
    if (f.length !== 3) {
      invalid.push(line);
      continue;
    }
    const sec = /^(\w+)\/Sec\.$/.exec(f[1]!);
    const r = sec ? ref(f[0]!, 'security', severityOf(sec[1]), f[2]!) : ref(f[0]!, typeOf(f[1]!), undefined, f[2]!);
    if (r) items.push(r);
    else invalid.push(line);
  }
  return { items, invalid };
}

function info(id: string, type: string | undefined, severity: string | undefined, issued: Date | null, cves: string[]): AdvisoryInfo {
  const out: { -readonly [K in keyof AdvisoryInfo]: AdvisoryInfo[K] } = { id, cves: cves.filter((c) => PATTERNS.advisory.test(c)) };
  if (type) out.type = type.toLowerCase();
  const sev = severityOf(severity);
  if (sev) out.severity = sev;
  if (issued) out.issued = issued;
  return out;
}

/** dnf4 `  Update ID: X` / yum `  Update ID : X`; continuation lines have an empty key. */
export function parseUpdateinfoInfo(text: string, localTime: LocalTime): Parsed<AdvisoryInfo> {
  const items: AdvisoryInfo[] = [];
  const invalid: string[] = [];
  for (const block of text.split(/^={20,}\s*$/m)) {
    const kv = new Map<string, string[]>();
    let key = '';
    for (const line of block.split('\n')) {
      const m = /^\s*([A-Za-z][A-Za-z ]*?)?\s*: (.*)$/.exec(line);
      if (!m) continue;
      if (m[1]) key = m[1];
      if (key) kv.set(key, [...(kv.get(key) ?? []), m[2]!.trim()]);
    }
    const id = kv.get('Update ID')?.[0];
    if (id === undefined) continue;
    if (!PATTERNS.advisory.test(id)) {
      invalid.push(`Update ID: ${id}`);
      continue;
    }
    const when = kv.get('Issued')?.[0] ?? kv.get('Updated')?.[0] ?? '';
    const wall = parseWall(when);
    const cves = (kv.get('CVEs') ?? []).flatMap((l) => fields(l));
    items.push(info(id, kv.get('Type')?.[0], kv.get('Severity')?.[0], wall && localTime(wall), cves));
  }
  return { items, invalid };
}

function parseJson(text: string): unknown {
  const start = text.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
}

/** dnf5 `advisory list --updates --json`: [{name, type, severity, nevra, buildtime}]. */
export function parseDnf5AdvisoryList(text: string): Parsed<AdvisoryRef> {
  const items: AdvisoryRef[] = [];
  const invalid: string[] = [];
  const data = parseJson(text);
  if (!Array.isArray(data)) return { items, invalid: text.trim() === '' ? [] : [text.slice(0, 120)] };
  for (const row of data as Array<Record<string, unknown>>) {
    const r = ref(String(row?.name ?? ''), typeOf(String(row?.type ?? '')), severityOf(String(row?.severity ?? '')), String(row?.nevra ?? ''));
    if (r) items.push(r);
    else invalid.push(JSON.stringify(row).slice(0, 120));
  }
  return { items, invalid };
}

/** dnf5 `advisory info --updates --json`: {NAME: {Name, Type, Severity, Issued, references: [{Type, Id}]}}. */
export function parseDnf5AdvisoryInfo(text: string, localTime: LocalTime): Parsed<AdvisoryInfo> {
  const items: AdvisoryInfo[] = [];
  const invalid: string[] = [];
  const data = parseJson(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { items, invalid: text.trim() === '' ? [] : [text.slice(0, 120)] };
  for (const adv of Object.values(data as Record<string, Record<string, unknown>>)) {
    const id = String(adv?.Name ?? '');
    if (!PATTERNS.advisory.test(id)) {
      invalid.push(id.slice(0, 120));
      continue;
    }
    const refs = Array.isArray(adv.references) ? (adv.references as Array<Record<string, unknown>>) : [];
    const cves = refs.filter((r) => String(r?.Type ?? '').toLowerCase() === 'cve').map((r) => String(r.Id ?? ''));
    const wall = parseWall(String(adv.Issued ?? ''));
    items.push(info(id, String(adv.Type ?? ''), String(adv.Severity ?? ''), wall && localTime(wall), cves));
  }
  return { items, invalid };
}
