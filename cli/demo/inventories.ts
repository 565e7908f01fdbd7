// Reads the real package inventories shipped in demo/data/inventories/ (see demo/data/SOURCE.md)
// into package lists, one per distribution: the base every simulated host of that kind starts from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Package } from '../../evidence/types.gen.ts';
import type { RepoDistro } from './package-repo.ts';

/** Alpine origins (source packages) for the 3.22 image, as documented in demo/data/SOURCE.md. */
const ALPINE_ORIGINS: Record<string, string> = {
  'alpine-baselayout-data': 'alpine-baselayout',
  'busybox-binsh': 'busybox',
  ssl_client: 'busybox',
  libapk2: 'apk-tools',
  libcrypto3: 'openssl',
  libssl3: 'openssl',
  'musl-utils': 'musl',
  'ca-certificates-bundle': 'ca-certificates',
  scanelf: 'pax-utils',
};

export function parseRpmQaTsv(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    const [nvra = '', srpm = ''] = line.split('\t');
    const m = /^(.+)-([^-]+)-([^-]+)\.(x86_64|noarch|i686|aarch64)$/.exec(nvra);
    if (!m) continue; // gpg-pubkey-* pseudo-packages have no arch and are not software
    const s = /^(.+)-([^-]+-[^-]+)\.src\.rpm$/.exec(srpm);
    const version = `${m[2]}-${m[3]}`;
    out.push({ name: m[1]!, arch: m[4]!, version, source: s?.[1] ?? m[1]!, source_version: s?.[2] ?? version });
  }
  return out;
}

/** dpkg-query TSV: name, version, arch, source, source version[, status] (Debian fixture) or
 *  binary:Package, version, source, source version (Ubuntu repo-info fixture, arch in the name). */
export function parseDpkgTsv(text: string, layout: 'debian' | 'ubuntu'): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (layout === 'debian') {
      const [name = '', version = '', arch = '', source = '', sourceVersion = '', status = 'ii'] = f;
      if (!status.startsWith('ii')) continue;
      out.push({ name, arch, version, source: source || name, source_version: sourceVersion || version });
    } else {
      const [qualified = '', version = '', source = '', sourceVersion = ''] = f;
      const [name = '', arch = 'amd64'] = qualified.split(':');
      out.push({ name, arch, version, source: source || name, source_version: sourceVersion || version });
    }
  }
  return out;
}

export function parseApkInfo(text: string): Package[] {
  const out: Package[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.+)-([^-]+-r\d+)$/.exec(line.trim());
    if (!m) continue;
    const origin = ALPINE_ORIGINS[m[1]!] ?? m[1]!;
    out.push({ name: m[1]!, arch: 'x86_64', version: m[2]!, source: origin, source_version: m[2]! });
  }
  return out;
}

export function loadBaseInventory(dataDir: string, distro: RepoDistro): Package[] {
  const read = (p: string) => readFileSync(join(dataDir, 'inventories', p), 'utf8');
  switch (distro) {
    case 'almalinux-9':
      return parseRpmQaTsv(read('almalinux-9.8-minimal/rpm-qa.tsv'));
    case 'debian-12':
      return parseDpkgTsv(read('debian-12/dpkg-query.tsv'), 'debian');
    case 'ubuntu-24.04':
      return parseDpkgTsv(read('ubuntu-24.04/dpkg-query.tsv'), 'ubuntu');
    case 'alpine-3.22':
      return parseApkInfo(read('alpine-3.22.6/apk-info-v.txt'));
  }
}

export interface OsInfo {
  id: string;
  id_like?: string[];
  version_id: string;
  version_codename?: string;
  name: string;
  pretty_name: string;
}

export const OS_INFO: Record<RepoDistro, OsInfo> = {
  'almalinux-9': { id: 'almalinux', id_like: ['rhel', 'centos', 'fedora'], version_id: '9.8', name: 'AlmaLinux', pretty_name: 'AlmaLinux 9.8' },
  'debian-12': { id: 'debian', version_id: '12', version_codename: 'bookworm', name: 'Debian GNU/Linux', pretty_name: 'Debian GNU/Linux 12 (bookworm)' },
  'ubuntu-24.04': { id: 'ubuntu', id_like: ['debian'], version_id: '24.04', version_codename: 'noble', name: 'Ubuntu', pretty_name: 'Ubuntu 24.04.3 LTS' },
  'alpine-3.22': { id: 'alpine', version_id: '3.22.6', name: 'Alpine Linux', pretty_name: 'Alpine Linux v3.22' },
};
