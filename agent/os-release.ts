// Parses os-release(5) (/etc/os-release, /usr/lib/os-release) into the report's `os` object,
// dropping any value that does not fit the schema rather than sending something the collector refuses.
import type { OsInfo } from '../evidence/types.gen.ts';
import { cleanLabel, PATTERNS } from './report-fields.ts';

/** KEY=value lines; values may be "double" (with \-escapes) or 'single' quoted. */
export function parseOsReleaseFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2]!.trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(["\\`$])/g, '$1');
    else if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    out.set(m[1]!, v);
  }
  return out;
}

export function parseOsRelease(text: string): OsInfo {
  const f = parseOsReleaseFields(text);
  const id = (f.get('ID') ?? '').toLowerCase();
  const os: OsInfo = { id: PATTERNS.osId.test(id) ? id : 'linux' };
  const like = (f.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter((s) => PATTERNS.osId.test(s)).slice(0, 8);
  if (like.length > 0) os.id_like = like as OsInfo['id_like'];
  const versionId = f.get('VERSION_ID');
  if (versionId !== undefined && PATTERNS.versionId.test(versionId)) os.version_id = versionId;
  const codename = f.get('VERSION_CODENAME') ?? f.get('UBUNTU_CODENAME');
  if (codename !== undefined && codename !== '' && PATTERNS.codename.test(codename)) os.version_codename = codename;
  const name = cleanLabel(f.get('NAME') ?? '');
  if (name !== '') os.name = name;
  const pretty = cleanLabel(f.get('PRETTY_NAME') ?? '');
  if (pretty !== '') os.pretty_name = pretty;
  const variant = f.get('VARIANT_ID');
  if (variant !== undefined && variant !== '' && PATTERNS.codename.test(variant)) os.variant_id = variant;
  return os;
}
