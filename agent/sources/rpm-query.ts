// Parses `rpm -qa --qf RPM_QUERY_FORMAT`: one installed package per line with epoch, source RPM
// and install time. gpg-pubkey entries are imported keys, not packages, and are left out.
import type { Package } from '../../evidence/types.gen.ts';
import { isArch, isoSeconds, isPkgToken } from '../report-fields.ts';
import { evrString, parseSourceRpm } from './rpm-nevra.ts';
import type { Parsed } from './types.ts';

export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{INSTALLTIME}\\n';

export const RPM_QUERY_ARGS: readonly string[] = ['-qa', '--qf', RPM_QUERY_FORMAT];

export interface RpmQueryParsed extends Parsed<Package> {
  readonly truncated: boolean;
}

export function parseRpmQuery(text: string): RpmQueryParsed {
  const items: Package[] = [];
  const invalid: string[] = [];
  const lines = text.split('\n');
  const truncated = text.length > 0 && !text.endsWith('\n');
  if (truncated) lines.pop();
  for (const line of lines) {
    if (line === '') continue;
    const f = line.split('\t');
    const [name = '', epochText = '', v = '', r = '', rawArch = '', sourceRpm = '', installTime = ''] = f;
    if (name === 'gpg-pubkey') continue;
    const epoch = epochText === '(none)' || epochText === '' ? 0 : Number(epochText);
    const arch = rawArch === '(none)' ? '' : rawArch;
    const version = evrString(epoch, v, r === '(none)' ? '' : r);
    if (f.length !== 7 || !Number.isInteger(epoch) || epoch < 0 || v === '' || !isPkgToken(name) || !isPkgToken(version) || !isArch(arch)) {
      invalid.push(line);
      continue;
    }
    const pkg: Package = { name, arch, version };
    const src = parseSourceRpm(sourceRpm);
    const sourceVersion = src && evrString(epoch, src.version, src.release);
    pkg.source = src && isPkgToken(src.name) ? src.name : name;
    pkg.source_version = sourceVersion && isPkgToken(sourceVersion) ? sourceVersion : version;
    const secs = Number(installTime);
    if (/^\d{1,12}$/.test(installTime) && secs > 0) pkg.installed_at = isoSeconds(new Date(secs * 1000));
    items.push(pkg);
  }
  return { items, invalid, truncated };
}
