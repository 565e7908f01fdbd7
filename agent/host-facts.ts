// Facts about the host itself: identity (hostname, machine-id, os-release), architecture, running
// kernel, boot time and uptime, reboot-required flag and primary addresses. Reads under `root`.
import * as nodeOs from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OsInfo } from '../evidence/types.gen.ts';
import type { AgtCode } from './errors.ts';
import { parseOsRelease } from './os-release.ts';
import { cleanLabel, isoSeconds, LIMITS, PATTERNS } from './report-fields.ts';
import type { PackageManager } from './sources/types.ts';

/** The parts of node:os the agent uses; tests inject their own. */
export interface HostProbe {
  hostname(): string;
  machine(): string;
  release(): string;
  uptime(): number;
  networkInterfaces(): NodeJS.Dict<nodeOs.NetworkInterfaceInfo[]>;
}

export const nodeProbe: HostProbe = {
  hostname: () => nodeOs.hostname(),
  machine: () => nodeOs.machine(),
  release: () => nodeOs.release(),
  uptime: () => nodeOs.uptime(),
  networkInterfaces: () => nodeOs.networkInterfaces(),
};

export interface HostFacts {
  readonly hostname: string;
  readonly machine_id?: string;
  readonly os: OsInfo;
  /** `uname -m` (x86_64, aarch64); see distroArch for the report's field. */
  readonly machine: string;
  readonly kernelRelease: string;
  /** The running kernel's Debian package version from /proc/version, when it says. */
  readonly kernelBuild?: string;
  readonly boot_time?: string;
  readonly uptime_s?: number;
  readonly addresses: string[];
  readonly rebootFlag: { present: boolean; packages: string[] };
}

export interface FactsContext {
  readonly root: string;
  readonly now: () => Date;
  warn(code: AgtCode, message: string): void;
}

/** Rewrites a hostname to the schema's DNS-ish pattern: bad characters become '-', labels ≤ 63. */
export function sanitizeHostname(raw: string): string {
  const labels = raw
    .trim()
    .split('.')
    .map((l) => l.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^-+/, '').slice(0, 63))
    .filter((l) => l !== '');
  let out = '';
  for (const l of labels) {
    const next = out === '' ? l : `${out}.${l}`;
    if (next.length > LIMITS.hostname) break;
    out = next;
  }
  return PATTERNS.hostname.test(out) ? out : 'localhost';
}

/** The report's `arch`: Debian names on dpkg hosts (amd64, arm64), `uname -m` elsewhere. */
export function distroArch(machine: string, manager: PackageManager | null): string {
  const deb: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'armhf', armv6l: 'armel', i686: 'i386', i386: 'i386', ppc64le: 'ppc64el', s390x: 's390x', riscv64: 'riscv64', mips64: 'mips64el', loongarch64: 'loong64' };
  const arch = manager === 'dpkg' ? (deb[machine] ?? machine) : machine;
  return PATTERNS.reportArch.test(arch) ? arch : 'unknown';
}

/** Non-internal, non-link-local addresses, IPv4 first, at most 32. */
export function primaryAddresses(ifaces: NodeJS.Dict<nodeOs.NetworkInterfaceInfo[]>): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      const addr = a.address.split('%')[0]!;
      if (a.internal || /^169\.254\./.test(addr) || /^fe[89ab]/i.test(addr) || !PATTERNS.address.test(addr)) continue;
      (a.family === 'IPv4' ? v4 : v6).push(addr);
    }
  }
  return [...new Set([...v4.sort(), ...v6.sort()])].slice(0, LIMITS.addresses);
}

async function readText(root: string, path: string): Promise<string | null> {
  return readFile(join(root, path), 'utf8').catch(() => null);
}

export async function readHostFacts(ctx: FactsContext, probe: HostProbe = nodeProbe): Promise<HostFacts> {
  const [osRelease, machineId, uptime, stat, procVersion, flag, flagPkgs] = await Promise.all([
    readText(ctx.root, '/etc/os-release').then((t) => t ?? readText(ctx.root, '/usr/lib/os-release')),
    readText(ctx.root, '/etc/machine-id').then((t) => t ?? readText(ctx.root, '/var/lib/dbus/machine-id')),
    readText(ctx.root, '/proc/uptime'),
    readText(ctx.root, '/proc/stat'),
    readText(ctx.root, '/proc/version'),
    readText(ctx.root, '/var/run/reboot-required').then((t) => t ?? readText(ctx.root, '/run/reboot-required')),
    readText(ctx.root, '/var/run/reboot-required.pkgs').then((t) => t ?? readText(ctx.root, '/run/reboot-required.pkgs')),
  ]);
  if (osRelease === null) ctx.warn('AGT_HOST_FACT_UNAVAILABLE', '/etc/os-release not found; os.id reported as "linux"');
  const rawHost = probe.hostname();
  const hostname = sanitizeHostname(rawHost);
  if (hostname !== rawHost) ctx.warn('AGT_HOSTNAME_SANITIZED', `hostname ${JSON.stringify(cleanLabel(rawHost, 80))} reported as ${hostname}`);
  const id = machineId?.trim();
  if (id !== undefined && !PATTERNS.machineId.test(id)) ctx.warn('AGT_HOST_FACT_UNAVAILABLE', 'machine-id is not 32 hex digits; left out');
  const up = uptime === null ? probe.uptime() : Number.parseFloat(uptime);
  const btime = /^btime (\d+)$/m.exec(stat ?? '')?.[1];
  const bootMs = btime !== undefined ? Number(btime) * 1000 : Number.isFinite(up) ? ctx.now().getTime() - up * 1000 : NaN;
  // `… #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)`: the build at the end, not the compiler's version earlier
  const build = /\bDebian (\d[^\s)]*) \(\d{4}-\d{2}-\d{2}\)\s*$/.exec(procVersion ?? '')?.[1];
  return {
    hostname,
    ...(id !== undefined && PATTERNS.machineId.test(id) ? { machine_id: id } : {}),
    os: osRelease === null ? { id: 'linux' } : parseOsRelease(osRelease),
    machine: probe.machine(),
    kernelRelease: probe.release(),
    ...(build !== undefined ? { kernelBuild: build } : {}),
    ...(Number.isFinite(bootMs) && bootMs > 0 ? { boot_time: isoSeconds(new Date(Math.floor(bootMs / 1000) * 1000)) } : {}),
    ...(Number.isFinite(up) && up >= 0 ? { uptime_s: Math.min(Math.floor(up), 3_153_600_000) } : {}),
    addresses: primaryAddresses(probe.networkInterfaces()),
    rebootFlag: { present: flag !== null, packages: (flagPkgs ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '') },
  };
}
