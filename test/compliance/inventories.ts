// Readers for the fixture inventories, turning them into the matcher's HostPackage rows.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostPackage } from '../../compliance/osv-matcher.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { fixturePath } from './fixtures.ts';

/**
 * Epochs of the AlmaLinux 9.8 packages that have one. repo-info (like `rpm -qa`) omits epochs,
 * so the fixture lacks them; these are the spec-file Epochs (openssl 1, gmp 1, shadow-utils 2),
 * cross-checked in the tests against the epochs AlmaLinux's own fixed versions carry.
 */
export const ALMA_EPOCHS: Readonly<Record<string, string>> = {
  gmp: '1',
  'openssl-libs': '1',
  'openssl-fips-provider': '1',
  'shadow-utils': '2',
};

/** rpm-qa.tsv: NVRA + SOURCERPM; gpg-pubkey (no arch, no source) is not a package to judge. */
export function almaPackages(epochs: Readonly<Record<string, string>> = ALMA_EPOCHS): HostPackage[] {
  const text = readFileSync(fixturePath('inventories/almalinux-9.8-minimal/rpm-qa.tsv'), 'utf8');
  return text.split('\n').filter((l) => l !== '').flatMap((line) => {
    const [nvra, srpm] = line.split('\t');
    const m = /^(.+)-([^-]+)-([^-]+)\.(x86_64|noarch|i686|aarch64)$/.exec(nvra!);
    if (m === null) return [];
    const [, name, version, release, arch] = m;
    const epoch = epochs[name!];
    const source = /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(srpm!)?.[1];
    return [{ name: name!, arch: arch!, version: `${epoch ? `${epoch}:` : ''}${version}-${release}`, ...(source ? { source } : {}) }];
  });
}

/** dpkg-query.tsv of the Ubuntu 24.04 image: binary:Package, Version, source:Package, source:Version. */
export function ubuntuPackages(): HostPackage[] {
  const text = readFileSync(fixturePath('inventories/ubuntu-24.04/dpkg-query.tsv'), 'utf8');
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const [qualified, version, source, sourceVersion] = line.split('\t');
    const [name, arch] = qualified!.split(':');
    return { name: name!, arch: arch ?? 'all', version: version!, source: source!, source_version: sourceVersion! };
  });
}

export function readRecords(...dir: string[]): OsvRecord[] {
  const full = fixturePath(...dir);
  return readdirSync(full).sort().map((f) => JSON.parse(readFileSync(path.join(full, f), 'utf8')) as OsvRecord);
}
