// The simulated package repositories: for each package the scenario moves, every version it
// ever had and the day it became available (from a real advisory's publication, or a synthetic
// PPDEMO one). Written by select-data.ts into demo/data/repos/, read by the simulated sources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions, type VersionEcosystem } from '../../compliance/version.ts';

export interface RepoVersion {
  version: string;
  /** Source-package version when it differs from the binary's (dpkg binNMUs, epochs). */
  source_version?: string;
  /** YYYY-MM-DD: the day the version was published (the advisory's date). */
  from: string;
  advisories: string[];
  /** Vendor severity as the package manager reports it (dnf updateinfo), when it has one. */
  severity?: string;
  /** The version hosts start the window with. */
  start?: boolean;
}

export interface RepoPackage {
  arch: string;
  source: string;
  /** Not in the base inventory: added so the host looks like a server (kernel, sshd, sudo). */
  add?: boolean;
  /** Installed side by side (kernels): an upgrade adds a version instead of replacing it. */
  installonly?: boolean;
  /** Ascending by version and by date. */
  versions: RepoVersion[];
}

export type RepoDistro = 'almalinux-9' | 'ubuntu-24.04' | 'debian-12' | 'alpine-3.22';

export interface RepoFile {
  distro: RepoDistro;
  ecosystem: VersionEcosystem;
  packages: Record<string, RepoPackage>;
}

export function loadRepo(dataDir: string, distro: RepoDistro): RepoFile {
  return JSON.parse(readFileSync(join(dataDir, 'repos', `${distro}.json`), 'utf8')) as RepoFile;
}

/** Versions strictly newer than `version` that are published on or before `date`. */
export function newerAvailable(ecosystem: VersionEcosystem, pkg: RepoPackage, version: string, date: string): RepoVersion[] {
  return pkg.versions.filter((v) => v.from <= date && compareVersions(ecosystem, v.version, version) > 0);
}
