// RPM package identifiers: NEVRA strings (`openssl-libs-1:3.0.7-27.el9.x86_64`, yum's
// `1:openssl-…`), source RPM file names, and the `[epoch:]version-release` form reports use.

export interface Nevra {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

/** `[epoch:]version-release`, epoch omitted when 0: how rpm versions appear in reports. */
export function evrString(epoch: number, version: string, release: string): string {
  const vr = release === '' ? version : `${version}-${release}`;
  return epoch > 0 ? `${epoch}:${vr}` : vr;
}

const ARCH_RE = /^[A-Za-z0-9_]+$/;

/** name-[epoch:]version-release[.arch]; also accepts yum.log's `epoch:name-version-release.arch`. */
export function parseNevra(text: string, withArch = true): Nevra | null {
  let s = text.trim();
  let epoch = 0;
  const lead = /^(\d+):(.*)$/.exec(s);
  if (lead && !/^\d+:/.test(lead[2]!)) {
    epoch = Number(lead[1]);
    s = lead[2]!;
  }
  let arch = '';
  if (withArch) {
    const dot = s.lastIndexOf('.');
    if (dot <= 0 || !ARCH_RE.test(s.slice(dot + 1))) return null;
    arch = s.slice(dot + 1);
    s = s.slice(0, dot);
  }
  const r = s.lastIndexOf('-');
  if (r <= 0) return null;
  const release = s.slice(r + 1);
  s = s.slice(0, r);
  const v = s.lastIndexOf('-');
  if (v <= 0) return null;
  let version = s.slice(v + 1);
  const name = s.slice(0, v);
  const colon = version.indexOf(':');
  if (colon >= 0) {
    if (!/^\d+$/.test(version.slice(0, colon))) return null;
    epoch = Number(version.slice(0, colon));
    version = version.slice(colon + 1);
  }
  if (name === '' || version === '' || release === '') return null;
  return { name, epoch, version, release, arch };
}

/** `chkconfig-1.24-2.el9.src.rpm` → chkconfig, 1.24, 2.el9. */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | null {
  const m = /^(.+)\.(?:no)?src\.rpm$/.exec(file.trim());
  if (!m) return null;
  const n = parseNevra(m[1]!, false);
  return n ? { name: n.name, version: n.version, release: n.release } : null;
}
