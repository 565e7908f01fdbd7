// Maintainer script, not part of `patchproof demo`: derives demo/data/ from the shared fixtures
// (real inventories and real OSV advisories), so the shipped demo data can be regenerated and
// reviewed. Usage: node cli/demo/select-data.ts --fixtures ../shared/fixtures [--out demo/data]
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compareVersions, type VersionEcosystem } from '../../compliance/version.ts';
import { DEMO_WINDOW_START } from './window.ts';
import type { RepoFile, RepoPackage, RepoVersion } from './package-repo.ts';

/** AlmaLinux advisories the scenario uses: each is shipped verbatim and becomes one repository update. */
export const ALMA_ADVISORIES = [
  'ALSA-2026:6462', 'ALSA-2026:13381', 'ALSA-2026:19219', 'ALSA-2026:47756', // openssh
  'ALSA-2026:7668', 'ALSA-2026:54662', // nghttp2
  'ALSA-2026:8510', 'ALSA-2026:52674', // libarchive
  'ALSA-2026:12310', 'ALSA-2026:19220', // sudo
  'ALSA-2026:12441', 'ALSA-2026:19346', // libcap
  'ALSA-2026:13677', 'ALSA-2026:19213', // systemd
  'ALSA-2026:15971', 'ALSA-2026:19361', 'ALSA-2026:42089', 'ALSA-2026:55440', // glib2
  'ALSA-2026:18599', 'ALSA-2026:49667', // p11-kit
  'ALSA-2026:19218', 'ALSA-2026:22312', 'ALSA-2026:25239', // openssl
  'ALSA-2026:19357', // krb5
  'ALSA-2026:33226', // glibc
  'ALSA-2026:20612', // gnutls
  'ALSA-2026:28253', // libtasn1
  'ALSA-2026:28254', 'ALSA-2026:39317', // libxml2
  'ALSA-2026:50147', // libgcrypt
  'ALSA-2026:55439', // curl
  'ALSA-2026:8921', 'ALSA-2026:19225', 'ALSA-2026:27789', 'ALSA-2026:43307', 'ALSA-2026:54443', // kernel
] as const;

/** Binary RPMs added to the minimal image so the simulated hosts look like servers. */
const ALMA_SERVER_ADDITIONS: Record<string, { source: string; installonly?: boolean }> = {
  kernel: { source: 'kernel', installonly: true },
  'kernel-core': { source: 'kernel', installonly: true },
  'kernel-modules': { source: 'kernel', installonly: true },
  'kernel-modules-core': { source: 'kernel', installonly: true },
  'kernel-tools': { source: 'kernel' },
  'kernel-tools-libs': { source: 'kernel' },
  openssh: { source: 'openssh' },
  'openssh-clients': { source: 'openssh' },
  'openssh-server': { source: 'openssh' },
  sudo: { source: 'sudo' },
  openssl: { source: 'openssl' },
};

/** Ubuntu records used verbatim (real dates: they predate the window, so they show as old debt). */
export const UBUNTU_RECORDS = ['UBUNTU-CVE-2024-6387', 'USN-6859-1', 'UBUNTU-CVE-2025-32463'] as const;

/**
 * Debian: real (installed → bookworm-security) version pairs from the fixture host; the advisories
 * that announce them are synthetic (PPDEMO-…), dated inside the window. Debian names source packages.
 */
const DEBIAN_DEMO_ADVISORIES: readonly { source: string; published: string; cvss: string; label: string }[] = [
  { source: 'openssl', published: '2026-04-14', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H', label: 'critical' },
  { source: 'expat', published: '2026-04-28', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', label: 'medium' },
  { source: 'krb5', published: '2026-05-12', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', label: 'high' },
  { source: 'libpng1.6', published: '2026-05-26', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', label: 'medium' },
  { source: 'python3.11', published: '2026-06-09', cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N', label: 'medium' },
  { source: 'postgresql-15', published: '2026-06-16', cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', label: 'high' },
  { source: 'gnutls28', published: '2026-07-07', cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', label: 'medium' },
  { source: 'nghttp2', published: '2026-07-21', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', label: 'high' },
  { source: 'xz-utils', published: '2026-08-04', cvss: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:L/A:N', label: 'low' },
  { source: 'perl', published: '2026-08-18', cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L', label: 'medium' },
];

/**
 * Alpine: the fixture's 3.22.6 versions are the fixed ones; the starting versions are those the
 * Alpine 3.22.0 release shipped (from general knowledge, not from a fixture — see SOURCE.md).
 */
const ALPINE_DEMO_ADVISORIES: readonly { origin: string; binaries: string[]; start: string; published: string; cvss: string; label: string }[] = [
  { origin: 'openssl', binaries: ['libcrypto3', 'libssl3'], start: '3.5.0-r0', published: '2026-07-08', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', label: 'high' },
  { origin: 'busybox', binaries: ['busybox', 'busybox-binsh', 'ssl_client'], start: '1.37.0-r18', published: '2026-06-03', cvss: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:L', label: 'medium' },
  { origin: 'zlib', binaries: ['zlib'], start: '1.3.1-r2', published: '2026-07-15', cvss: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', label: 'medium' },
];

const UBUNTU_LICENSE = `The Ubuntu OSV records in this folder are Canonical's Ubuntu security data, from
https://github.com/canonical/ubuntu-security-notices (osv/cve/, osv/usn/), unmodified.
Copyright Canonical Ltd. Licensed under the Creative Commons Attribution-ShareAlike 4.0
International licence (CC BY-SA 4.0): https://creativecommons.org/licenses/by-sa/4.0/
`;

interface Osv {
  id: string;
  published: string;
  summary?: string;
  affected: { package: { ecosystem: string; name: string }; ranges?: { events: Record<string, string>[] }[] }[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const day = (iso: string): string => iso.slice(0, 10);

function fixedOf(a: Osv['affected'][number]): string | undefined {
  for (const r of a.ranges ?? []) for (const e of r.events) if (e.fixed !== undefined) return e.fixed;
  return undefined;
}

function sortedUnique(eco: VersionEcosystem, rows: RepoVersion[]): RepoVersion[] {
  rows.sort((a, b) => compareVersions(eco, a.version, b.version) || (a.from < b.from ? -1 : 1));
  const out: RepoVersion[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && compareVersions(eco, last.version, r.version) === 0) continue;
    // A newer version published earlier than an older one would make the timeline go backwards.
    if (last && r.from < last.from) r.from = last.from;
    out.push(r);
  }
  return out;
}

function almaRepo(fixtures: string, out: string): RepoFile {
  const advDir = join(fixtures, 'osv/almalinux9/advisories');
  const index = readFileSync(join(fixtures, 'osv/almalinux9/index.tsv'), 'utf8').trim().split('\n').slice(1);
  const all = index.map((l) => l.split('\t')[0]!).map((id) => readJson<Osv>(join(advDir, `${id}.json`)));
  const selected = new Set<string>(ALMA_ADVISORIES);
  const inv = new Map<string, { version: string; arch: string; source: string }>();
  for (const line of readFileSync(join(fixtures, 'inventories/almalinux-9.8-minimal/rpm-qa.tsv'), 'utf8').trim().split('\n')) {
    const [nvra = '', srpm = ''] = line.split('\t');
    const m = /^(.+)-([^-]+)-([^-]+)\.(x86_64|noarch)$/.exec(nvra);
    if (!m) continue;
    inv.set(m[1]!, { version: `${m[2]}-${m[3]}`, arch: m[4]!, source: /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(srpm)?.[1] ?? m[1]! });
  }
  const names = new Set<string>([...inv.keys(), ...Object.keys(ALMA_SERVER_ADDITIONS)]);
  const packages: Record<string, RepoPackage> = {};
  for (const name of [...names].sort()) {
    const before: RepoVersion[] = [];
    const during: RepoVersion[] = [];
    let epoch = '';
    for (const adv of all) {
      for (const a of adv.affected) {
        if (a.package.ecosystem !== 'AlmaLinux:9' || a.package.name !== name) continue;
        const fixed = fixedOf(a);
        if (fixed === undefined) continue;
        if (/^\d+:/.test(fixed)) epoch = fixed.slice(0, fixed.indexOf(':') + 1);
        const severity = /^(Critical|Important|Moderate|Low):/.exec(adv.summary ?? '')?.[1];
        const row: RepoVersion = { version: fixed, from: day(adv.published), advisories: [adv.id], ...(severity ? { severity } : {}) };
        if (adv.published < DEMO_WINDOW_START) before.push(row);
        else if (selected.has(adv.id)) during.push(row);
      }
    }
    if (during.length === 0) continue;
    const start = sortedUnique('rpm', before).pop();
    if (!start) continue; // no earlier real version to start from: the package stays as the image has it
    const rows = sortedUnique('rpm', [{ ...start, start: true }, ...during]);
    const image = inv.get(name);
    if (image && !/^\d+:/.test(image.version) && epoch) image.version = epoch + image.version;
    if (image && compareVersions('rpm', image.version, rows[rows.length - 1]!.version) > 0) {
      rows.push({ version: image.version, from: '2026-09-02', advisories: [] }); // the image's build, a non-security update
    }
    const add = ALMA_SERVER_ADDITIONS[name];
    packages[name] = {
      arch: image?.arch ?? 'x86_64',
      source: image?.source ?? add?.source ?? name,
      ...(image ? {} : { add: true }),
      ...(add?.installonly ? { installonly: true } : {}),
      versions: rows,
    };
  }
  mkdirSync(join(out, 'advisories/almalinux9'), { recursive: true });
  for (const id of ALMA_ADVISORIES) copyFileSync(join(advDir, `${id}.json`), join(out, 'advisories/almalinux9', `${id}.json`));
  copyFileSync(join(fixtures, 'osv/almalinux9/LICENSE'), join(out, 'advisories/almalinux9/LICENSE'));
  return { distro: 'almalinux-9', ecosystem: 'rpm', packages };
}

function ubuntuRepo(fixtures: string, out: string): RepoFile {
  mkdirSync(join(out, 'advisories/ubuntu'), { recursive: true });
  for (const id of UBUNTU_RECORDS) copyFileSync(join(fixtures, 'osv/ubuntu/records', `${id}.json`), join(out, 'advisories/ubuntu', `${id}.json`));
  writeFileSync(join(out, 'advisories/ubuntu/LICENSE'), UBUNTU_LICENSE);
  // The image has neither sshd nor sudo; servers do. Start = the 24.04 release's versions, fixed = the records' fixed versions.
  const pkg = (source: string, start: string, fixed: string, from: string, advisories: string[]): RepoPackage => ({
    arch: 'amd64', source, add: true,
    versions: [{ version: start, from: '2024-04-25', advisories: [], start: true }, { version: fixed, from, advisories }],
  });
  const ssh = (n: string) => pkg('openssh', '1:9.6p1-3ubuntu13', '1:9.6p1-3ubuntu13.3', '2024-07-01', ['USN-6859-1', 'UBUNTU-CVE-2024-6387']);
  return {
    distro: 'ubuntu-24.04',
    ecosystem: 'dpkg',
    packages: {
      'openssh-client': ssh('openssh-client'),
      'openssh-server': ssh('openssh-server'),
      'openssh-sftp-server': ssh('openssh-sftp-server'),
      sudo: pkg('sudo', '1.9.15p5-3ubuntu5', '1.9.15p5-3ubuntu5.24.04.1', '2025-06-30', ['UBUNTU-CVE-2025-32463']),
    },
  };
}

function debianRepo(fixtures: string, out: string): RepoFile {
  const dir = join(fixtures, 'inventories/debian-12-local-host');
  const installed = new Map<string, { version: string; arch: string; source: string; sourceVersion: string }>();
  for (const line of readFileSync(join(dir, 'dpkg-query.tsv'), 'utf8').trim().split('\n')) {
    const [name = '', version = '', arch = '', source = '', sourceVersion = ''] = line.split('\t');
    installed.set(name, { version, arch, source: source || name, sourceVersion: sourceVersion || version });
  }
  const index = new Map<string, { version: string; source: string; sourceVersion: string }>();
  for (const line of readFileSync(join(dir, 'bookworm-security-Packages-amd64.tsv'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const [name = '', version = '', , source = '', sourceVersion = ''] = line.split('\t');
    index.set(`${name} ${version}`, { version, source: source || name, sourceVersion: sourceVersion || version });
  }
  const upgradable = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'apt-list-upgradable.txt'), 'utf8').split('\n')) {
    const m = /^([^/]+)\/\S*security\S* (\S+) /.exec(line);
    if (m) upgradable.set(m[1]!, m[2]!);
  }
  const packages: Record<string, RepoPackage> = {};
  const advisories: object[] = [];
  DEBIAN_DEMO_ADVISORIES.forEach((d, i) => {
    const id = `x_PPDEMO-DEB-2026-${String(i + 1).padStart(4, '0')}`;
    let fixedSource: string | undefined;
    let startSource: string | undefined;
    for (const [name, inst] of installed) {
      if (inst.source !== d.source) continue;
      const cand = upgradable.get(name);
      const entry = cand === undefined ? undefined : index.get(`${name} ${cand}`);
      if (!cand || !entry) continue;
      fixedSource = entry.sourceVersion;
      startSource = inst.sourceVersion;
      packages[name] = {
        arch: inst.arch, source: inst.source,
        versions: [
          { version: inst.version, source_version: inst.sourceVersion, from: '2026-01-01', advisories: [], start: true },
          { version: cand, source_version: entry.sourceVersion, from: d.published, advisories: [id] },
        ],
      };
    }
    if (!fixedSource) throw new Error(`no security upgrade for Debian source ${d.source}`);
    advisories.push({
      schema_version: '1.6.0',
      id,
      modified: `${d.published}T00:00:00Z`,
      published: `${d.published}T00:00:00Z`,
      summary: `SYNTHETIC DEMO ADVISORY (not a real Debian advisory): ${d.source} security update`,
      details: `Made up for the patchproof demo. The fixed version ${fixedSource} is real (Debian bookworm-security), and the affected version ${startSource} is the one a real Debian 12 host had installed; the advisory, its date and its severity are invented.`,
      severity: [{ type: 'CVSS_V3', score: d.cvss }],
      affected: [{
        package: { ecosystem: 'Debian:12', name: d.source },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: fixedSource }] }],
        database_specific: { synthetic: true, demo_label: d.label },
      }],
      database_specific: { synthetic: true, generator: 'patchproof cli/demo/select-data.ts' },
    });
  });
  writeAdvisories(join(out, 'advisories/demo'), advisories);
  mkdirSync(join(out, 'inventories/debian-12'), { recursive: true });
  for (const f of ['dpkg-query.tsv', 'os-release']) copyFileSync(join(dir, f), join(out, 'inventories/debian-12', f));
  return { distro: 'debian-12', ecosystem: 'dpkg', packages };
}

function alpineRepo(fixtures: string, out: string): RepoFile {
  const lines = readFileSync(join(fixtures, 'inventories/alpine-3.22.6/apk-info-v.txt'), 'utf8').trim().split('\n');
  const inv = new Map(lines.map((l) => {
    const m = /^(.+)-([^-]+-r\d+)$/.exec(l)!;
    return [m[1]!, m[2]!] as const;
  }));
  const packages: Record<string, RepoPackage> = {};
  const advisories: object[] = [];
  ALPINE_DEMO_ADVISORIES.forEach((d, i) => {
    const id = `x_PPDEMO-ALP-2026-${String(i + 1).padStart(4, '0')}`;
    const fixed = inv.get(d.binaries[0]!)!;
    for (const b of d.binaries) {
      packages[b] = {
        arch: 'x86_64', source: d.origin,
        versions: [
          { version: d.start, from: '2025-05-30', advisories: [], start: true },
          { version: inv.get(b)!, from: d.published, advisories: [id] },
        ],
      };
    }
    advisories.push({
      schema_version: '1.6.0',
      id,
      modified: `${d.published}T00:00:00Z`,
      published: `${d.published}T00:00:00Z`,
      summary: `SYNTHETIC DEMO ADVISORY (not a real Alpine advisory): ${d.origin} security update`,
      details: `Made up for the patchproof demo. The fixed version ${fixed} is the one a real alpine:3.22 image has; the affected version ${d.start} is the Alpine 3.22.0 release's; the advisory, its date and its severity are invented.`,
      severity: [{ type: 'CVSS_V3', score: d.cvss }],
      affected: [{
        package: { ecosystem: 'Alpine:v3.22', name: d.origin },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        database_specific: { synthetic: true, demo_label: d.label },
      }],
      database_specific: { synthetic: true, generator: 'patchproof cli/demo/select-data.ts' },
    });
  });
  writeAdvisories(join(out, 'advisories/demo'), advisories);
  return { distro: 'alpine-3.22', ecosystem: 'apk', packages };
}

function writeAdvisories(dir: string, records: object[]): void {
  mkdirSync(dir, { recursive: true });
  for (const r of records) writeFileSync(join(dir, `${(r as { id: string }).id}.json`), JSON.stringify(r, null, 2) + '\n');
}

function main(): void {
  const { values } = parseArgs({ options: { fixtures: { type: 'string' }, out: { type: 'string' } } });
  const fixtures = resolve(values.fixtures ?? '../shared/fixtures');
  const out = resolve(values.out ?? 'demo/data');
  for (const d of ['advisories', 'inventories', 'repos']) rmSync(join(out, d), { recursive: true, force: true });
  mkdirSync(join(out, 'repos'), { recursive: true });
  const copy = (from: string, to: string) => {
    mkdirSync(join(out, 'inventories', to, '..'), { recursive: true });
    copyFileSync(join(fixtures, 'inventories', from), join(out, 'inventories', to));
  };
  copy('almalinux-9.8-minimal/rpm-qa.tsv', 'almalinux-9.8-minimal/rpm-qa.tsv');
  copy('ubuntu-24.04/dpkg-query.tsv', 'ubuntu-24.04/dpkg-query.tsv');
  copy('alpine-3.22.6/apk-info-v.txt', 'alpine-3.22.6/apk-info-v.txt');
  const repos = [almaRepo(fixtures, out), ubuntuRepo(fixtures, out), debianRepo(fixtures, out), alpineRepo(fixtures, out)];
  for (const repo of repos) writeFileSync(join(out, 'repos', `${repo.distro}.json`), JSON.stringify(repo, null, 2) + '\n');
  process.stdout.write(`wrote ${out}\n`);
}

if (import.meta.main) main();
