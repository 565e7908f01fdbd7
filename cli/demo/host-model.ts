// One simulated host's package history, computed once and then read at any virtual instant:
// the base inventory, the upgrade transactions of its patch days (each applying what the
// simulated repository had published by then), kernels and reboots. Pure: no I/O, no clock.
import type { HistoryEvent, Package, PendingUpdate } from '../../evidence/types.gen.ts';
import { compareVersions, type VersionEcosystem } from '../../compliance/version.ts';
import { newerAvailable, type RepoFile, type RepoPackage, type RepoVersion } from './package-repo.ts';
import type { HostPlan } from './scenario.ts';
import { dayToDate } from './window.ts';

export interface Change {
  name: string;
  arch: string;
  action: 'install' | 'upgrade' | 'remove';
  from: string | null;
  to: string | null;
}

export interface Transaction {
  at: Date;
  changes: Change[];
  /** The host rebooted (into its newest kernel) right after this transaction. */
  rebootAt: Date | null;
}

interface Installed {
  pkg: Package;
  repo?: RepoPackage;
}

export interface HostModel {
  plan: HostPlan;
  ecosystem: VersionEcosystem;
  /** Packages at the start, one entry per installed (name, version). */
  initial: Package[];
  transactions: Transaction[];
  initialBoot: Date;
  kernelRelease: (version: string) => string;
}

/** Install-only packages keep this many versions, as dnf's installonly_limit default. */
const INSTALLONLY_LIMIT = 3;

const stripEpoch = (v: string): string => v.replace(/^\d+:/, '');

function rpmKernelRelease(version: string): string {
  return `${stripEpoch(version)}.x86_64`;
}

const FIXED_KERNELS: Record<string, string> = {
  'debian-12': '6.1.0-40-amd64',
  'ubuntu-24.04': '6.8.0-85-generic',
  'alpine-3.22': '6.12.50-0-virt',
};

function toPackage(name: string, repo: RepoPackage, v: RepoVersion): Package {
  return { name, arch: repo.arch, version: v.version, source: repo.source, source_version: v.source_version ?? v.version };
}

function startVersion(plan: HostPlan, repo: RepoPackage, ecosystem: VersionEcosystem): RepoVersion {
  const start = repo.versions.find((v) => v.start) ?? repo.versions[0]!;
  if (plan.legacyImage) return start;
  // Everyone else was patched up to the window's start.
  const before = newerAvailable(ecosystem, repo, start.version, dayToDate(-1).toISOString().slice(0, 10));
  return before[before.length - 1] ?? start;
}

function sortKey(a: Package, b: Package): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

/**
 * Builds the host's history: `base` is the distribution inventory (name → package); packages the
 * repository marks `add` are installed too. Patch days apply every published, un-held update.
 */
export function buildHostModel(plan: HostPlan, repo: RepoFile, base: readonly Package[], hostIndex: number): HostModel {
  const eco = repo.ecosystem;
  const installed = new Map<string, Installed[]>();
  for (const p of base) installed.set(p.name, [{ pkg: { ...p } }]);
  for (const [name, rp] of Object.entries(repo.packages)) {
    if (!rp.add && !installed.has(name)) continue;
    installed.set(name, [{ pkg: toPackage(name, rp, startVersion(plan, rp, eco)), repo: rp }]);
  }
  const initial = [...installed.values()].flat().map((i) => ({ ...i.pkg })).sort(sortKey);
  const holds = new Set(plan.holds ?? []);
  const transactions: Transaction[] = [];
  const minute = (hostIndex * 7) % 50;
  for (const day of plan.patchDays) {
    if (day < (plan.enrolDay ?? -1) || (plan.lastDay !== undefined && day > plan.lastDay)) continue;
    const at = dayToDate(day, plan.patchHour + minute / 60);
    const date = at.toISOString().slice(0, 10);
    const changes: Change[] = [];
    let kernelChanged = false;
    for (const [name, list] of [...installed.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const rp = repo.packages[name];
      if (!rp || holds.has(rp.source)) continue;
      const newest = list.reduce((a, b) => (compareVersions(eco, a.pkg.version, b.pkg.version) >= 0 ? a : b));
      const newer = newerAvailable(eco, rp, newest.pkg.version, date);
      const target = newer[newer.length - 1];
      if (!target) continue;
      const pkg = toPackage(name, rp, target);
      if (rp.installonly) {
        list.push({ pkg, repo: rp });
        changes.push({ name, arch: rp.arch, action: 'install', from: null, to: target.version });
        kernelChanged = true;
        list.sort((a, b) => compareVersions(eco, a.pkg.version, b.pkg.version));
        while (list.length > INSTALLONLY_LIMIT) {
          const old = list.shift()!;
          changes.push({ name, arch: rp.arch, action: 'remove', from: old.pkg.version, to: null });
        }
      } else {
        changes.push({ name, arch: rp.arch, action: 'upgrade', from: newest.pkg.version, to: target.version });
        installed.set(name, [{ pkg, repo: rp }]);
      }
    }
    if (changes.length === 0) continue;
    const reboots = kernelChanged && (plan.rebootUntilDay === undefined || day < plan.rebootUntilDay);
    transactions.push({ at, changes, rebootAt: reboots ? new Date(at.getTime() + 12 * 60_000) : null });
  }
  return {
    plan,
    ecosystem: eco,
    initial,
    transactions,
    initialBoot: dayToDate(-3 - (hostIndex % 20), 4),
    kernelRelease: eco === 'rpm' ? rpmKernelRelease : () => FIXED_KERNELS[repo.distro] ?? '6.1.0-40-amd64',
  };
}

export interface HostSnapshot {
  packages: Package[];
  /** Installed kernel releases (uname -r form), oldest first. */
  kernels: string[];
  running: string;
  bootTime: Date;
}

function applyChange(state: Map<string, Package[]>, c: Change, model: HostModel, pkgOf: (name: string, v: string) => Package): void {
  const list = state.get(c.name) ?? [];
  if (c.action === 'remove') state.set(c.name, list.filter((p) => p.version !== c.from));
  else if (c.action === 'install') state.set(c.name, [...list, pkgOf(c.name, c.to!)].sort((a, b) => compareVersions(model.ecosystem, a.version, b.version)));
  else state.set(c.name, [pkgOf(c.name, c.to!)]);
}

/** The host as `collect()` would find it at instant `t`. */
export function snapshotAt(model: HostModel, repo: RepoFile, t: Date): HostSnapshot {
  const state = new Map<string, Package[]>();
  for (const p of model.initial) state.set(p.name, [...(state.get(p.name) ?? []), p]);
  const pkgOf = (name: string, version: string): Package => {
    const rp = repo.packages[name]!;
    const v = rp.versions.find((x) => x.version === version)!;
    return toPackage(name, rp, v);
  };
  let bootTime = model.initialBoot;
  for (const tx of model.transactions) {
    if (tx.at > t) break;
    for (const c of tx.changes) applyChange(state, c, model, pkgOf);
    if (tx.rebootAt && tx.rebootAt <= t) bootTime = tx.rebootAt;
  }
  const packages = [...state.values()].flat().sort(sortKey);
  const kernelPkgs = (state.get('kernel-core') ?? []).map((p) => model.kernelRelease(p.version));
  // The running kernel: the newest one installed at the last boot.
  let running: string;
  if (model.ecosystem === 'rpm') {
    const atBoot = new Map<string, Package[]>();
    for (const p of model.initial) atBoot.set(p.name, [...(atBoot.get(p.name) ?? []), p]);
    for (const tx of model.transactions) {
      if (tx.at > bootTime) break;
      for (const c of tx.changes) applyChange(atBoot, c, model, pkgOf);
    }
    const cores = atBoot.get('kernel-core') ?? [];
    running = model.kernelRelease(cores[cores.length - 1]?.version ?? '');
  } else {
    running = model.kernelRelease('');
  }
  return { packages, kernels: kernelPkgs, running, bootTime };
}

const SEVERITY_ORDER = ['Low', 'Moderate', 'Important', 'Critical'];

/** Updates the package manager would offer at `t`: newer published versions of installed packages. */
export function pendingAt(model: HostModel, repo: RepoFile, snapshot: HostSnapshot, t: Date): PendingUpdate[] {
  const date = t.toISOString().slice(0, 10);
  const out: PendingUpdate[] = [];
  const newestByName = new Map<string, Package>();
  for (const p of snapshot.packages) {
    const cur = newestByName.get(p.name);
    if (!cur || compareVersions(model.ecosystem, p.version, cur.version) > 0) newestByName.set(p.name, p);
  }
  for (const [name, p] of newestByName) {
    const rp = repo.packages[name];
    if (!rp) continue;
    const newer = newerAvailable(model.ecosystem, rp, p.version, date);
    const candidate = newer[newer.length - 1];
    if (!candidate) continue;
    const advisories = [...new Set(newer.flatMap((v) => v.advisories))].sort();
    const security = advisories.length > 0;
    const severities = newer.map((v) => v.severity).filter((s): s is string => s !== undefined);
    const severity = severities.sort((a, b) => SEVERITY_ORDER.indexOf(b) - SEVERITY_ORDER.indexOf(a))[0];
    const entry: PendingUpdate = { name, arch: rp.arch, installed: p.version, candidate: candidate.version, security };
    if (repo.distro === 'almalinux-9') {
      if (security) entry.advisories = advisories.filter((a) => a.startsWith('ALSA-') || a.startsWith('ALBA-'));
      if (severity) entry.severity = severity;
      entry.issued = `${candidate.from}T00:00:00Z`;
      entry.origin = 'baseos';
    } else if (repo.distro === 'debian-12') {
      entry.origin = security ? 'Debian-Security:12/oldstable-security' : 'Debian:12/oldstable';
    } else if (repo.distro === 'ubuntu-24.04') {
      entry.origin = security ? 'Ubuntu:24.04/noble-security' : 'Ubuntu:24.04/noble-updates';
    } else {
      entry.security = false; // apk has no notion of security updates
      entry.origin = 'alpine/v3.22/main';
    }
    out.push(entry);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const COMMANDS: Record<string, string> = {
  'almalinux-9': 'dnf -y upgrade',
  'debian-12': 'apt-get -y upgrade',
  'ubuntu-24.04': 'apt-get -y upgrade',
  'alpine-3.22': 'apk upgrade',
};

/** The package manager's log between `since` (exclusive) and `t` (inclusive); apk keeps none. */
export function historyBetween(model: HostModel, repo: RepoFile, since: Date | undefined, t: Date): HistoryEvent[] {
  if (repo.distro === 'alpine-3.22') return [];
  const out: HistoryEvent[] = [];
  for (const tx of model.transactions) {
    if (tx.at > t) break;
    if (since && tx.at <= since) continue;
    for (const c of tx.changes) {
      out.push({
        time: tx.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        action: c.action,
        name: c.name,
        arch: c.arch,
        from: c.from,
        to: c.to,
        by: 'root',
        command: COMMANDS[repo.distro]!,
      });
    }
  }
  return out;
}
