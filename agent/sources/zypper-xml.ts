// zypper's --xmlout is flat and regular (<update …> with a few child elements), so a tiny tag
// scanner reads it: list-updates gives package updates, list-patches the needed patches.
import { isArch, isPkgToken, PATTERNS } from '../report-fields.ts';
import type { Parsed } from './types.ts';

export interface XmlTag {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly closing: boolean;
  readonly selfClosing: boolean;
}

const TAG_RE = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR_RE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function decodeEntities(s: string): string {
  return s.replace(/&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));/g, (_, dec, hex, named) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[named as string]!;
  });
}

/** Start, end and empty-element tags in document order; text, comments and declarations are skipped. */
export function scanTags(xml: string): XmlTag[] {
  const out: XmlTag[] = [];
  for (const m of xml.matchAll(TAG_RE)) {
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(ATTR_RE)) attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '');
    out.push({ name: m[2]!, attrs, closing: m[1] === '/', selfClosing: m[4] === '/' });
  }
  return out;
}

/** Each <update> with the attributes of its children (source, issue-date, issue…). */
function updates(xml: string): Array<{ attrs: Record<string, string>; children: XmlTag[] }> {
  const out: Array<{ attrs: Record<string, string>; children: XmlTag[] }> = [];
  let current: { attrs: Record<string, string>; children: XmlTag[] } | null = null;
  for (const tag of scanTags(xml)) {
    if (tag.name === 'update' && !tag.closing) {
      current = { attrs: { ...tag.attrs }, children: [] };
      out.push(current);
      if (tag.selfClosing) current = null;
    } else if (tag.name === 'update' && tag.closing) current = null;
    else if (current && !tag.closing) current.children.push(tag);
  }
  return out;
}

export interface ZypperUpdate {
  readonly name: string;
  readonly arch: string;
  readonly candidate: string;
  readonly installed: string | null;
  readonly repo?: string;
}

/** `zypper --xmlout list-updates`: <update kind="package" name edition edition-old arch><source alias/>. */
export function parseZypperUpdates(xml: string): Parsed<ZypperUpdate> {
  const items: ZypperUpdate[] = [];
  const invalid: string[] = [];
  for (const u of updates(xml)) {
    const a = u.attrs;
    if ((a.kind ?? 'package') !== 'package') continue;
    const installed = a['edition-old'] ?? null;
    if (!isPkgToken(a.name) || !isPkgToken(a.edition) || !isArch(a.arch ?? '') || (installed !== null && !isPkgToken(installed))) {
      invalid.push(`<update name="${a.name ?? ''}" edition="${a.edition ?? ''}">`);
      continue;
    }
    const repo = u.children.find((c) => c.name === 'source')?.attrs.alias;
    items.push({ name: a.name, arch: a.arch ?? '', candidate: a.edition, installed, ...(repo ? { repo } : {}) });
  }
  return { items, invalid };
}

export interface ZypperPatch {
  readonly name: string;
  readonly category: string;
  readonly severity?: string;
  readonly status: string;
  readonly issued?: Date;
  readonly cves: string[];
}

/** `zypper --xmlout list-patches`: <update kind="patch" name category severity status><issue-date time/><issue type id/>. */
export function parseZypperPatches(xml: string): Parsed<ZypperPatch> {
  const items: ZypperPatch[] = [];
  const invalid: string[] = [];
  for (const u of updates(xml)) {
    const a = u.attrs;
    if (a.kind !== 'patch') continue;
    if (!a.name || !PATTERNS.advisory.test(a.name)) {
      invalid.push(`<update kind="patch" name="${a.name ?? ''}">`);
      continue;
    }
    const time = Number(u.children.find((c) => c.name === 'issue-date')?.attrs.time);
    const cves = u.children.filter((c) => c.name === 'issue' && c.attrs.type === 'cve' && PATTERNS.advisory.test(c.attrs.id ?? '')).map((c) => c.attrs.id!);
    const severity = a.severity && a.severity !== 'unspecified' && PATTERNS.severity.test(a.severity) ? a.severity : undefined;
    items.push({
      name: a.name,
      category: (a.category ?? 'unknown').toLowerCase(),
      status: a.status ?? 'needed',
      cves,
      ...(severity ? { severity } : {}),
      ...(Number.isFinite(time) && time > 0 ? { issued: new Date(time * 1000) } : {}),
    });
  }
  return { items, invalid };
}

/**
 * `zypper info -t patch NAME…` (text): the Conflicts block of each patch lists the package
 * versions it fixes (`openssl-3.x86_64 < 3.1.4-150600.5.7.1`). Returns patch name → name.arch list.
 */
export function parseZypperPatchInfo(text: string): Map<string, Array<{ name: string; arch: string }>> {
  const out = new Map<string, Array<{ name: string; arch: string }>>();
  let patch: string | null = null;
  let inConflicts = false;
  for (const line of text.split('\n')) {
    const kv = /^([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(line);
    if (kv) {
      inConflicts = kv[1] === 'Conflicts';
      if (kv[1] === 'Name') {
        patch = kv[2]!.trim();
        out.set(patch, []);
      }
      continue;
    }
    if (!inConflicts || patch === null) continue;
    if (line.includes('srcpackage:')) continue;
    const m = /^\s+([^\s<>=]+?)(?:\.(x86_64|noarch|aarch64|i[3-6]86|ppc64le|ppc64|s390x|armv[67]hl|riscv64))?\s*(?:<|<=|=)\s*\S+\s*$/.exec(line);
    if (m) out.get(patch)!.push({ name: m[1]!, arch: m[2] ?? '' });
  }
  return out;
}
