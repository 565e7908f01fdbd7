// Kernel facts from the inventory: installed kernels in `uname -r` form per distro family, and
// whether a reboot is due (Debian's reboot-required flag, or a newer/rebuilt kernel than the running one).
import type { KernelInfo, Package } from '../evidence/types.gen.ts';
import { cleanLabel, isPkgToken, LIMITS, PATTERNS } from './report-fields.ts';
import type { PackageManager } from './sources/types.ts';
import { compareVersions } from './version-order.ts';

export interface InstalledKernel {
  /** `uname -r` of this kernel. */
  readonly release: string;
  readonly pkg: string;
  readonly version: string;
}

const RPM_VARIANT: Record<string, string> = { 'kernel': '', 'kernel-core': '', 'kernel-uek': '', 'kernel-uek-core': '', 'kernel-64k-core': '+64k', 'kernel-debug-core': '+debug', 'kernel-rt-core': '+rt' };
const SUSE_FLAVORS = /^kernel-(default|azure|preempt|64kb|kvmsmall|vanilla|pae|zfcpdump)$/;
const ALPINE_FLAVORS = /^linux-(lts|virt|edge|stable|rpi\d?)$/;

function noEpoch(v: string): string {
  return v.replace(/^\d+:/, '');
}

function releaseOf(p: Package, manager: PackageManager): string | null {
  if (manager === 'dpkg') {
    const m = /^linux-image-(?:unsigned-)?(\d[A-Za-z0-9.+~-]*?)(-unsigned)?$/.exec(p.name);
    return m && !/-dbg(sym)?$/.test(m[1]!) ? m[1]! : null;
  }
  if (manager === 'apk') {
    const m = ALPINE_FLAVORS.exec(p.name);
    const v = /^(.+)-r(\d+)$/.exec(p.version);
    return m && v ? `${v[1]}-${v[2]}-${m[1]}` : null;
  }
  const vr = noEpoch(p.version);
  if (p.name in RPM_VARIANT) return `${vr}.${p.arch}${RPM_VARIANT[p.name]}`;
  const suse = SUSE_FLAVORS.exec(p.name);
  if (suse) return `${vr.replace(/\.\d+$/, '')}-${suse[1]}`;
  return null;
}

export function installedKernels(packages: readonly Package[], manager: PackageManager): InstalledKernel[] {
  const byRelease = new Map<string, InstalledKernel>();
  for (const p of packages) {
    const release = releaseOf(p, manager);
    if (release !== null && PATTERNS.kernelRelease.test(release) && !byRelease.has(release)) byRelease.set(release, { release, pkg: p.name, version: p.version });
  }
  return sortKernels([...byRelease.values()]);
}

/** Oldest first, so the last is the newest. */
export function sortKernels(kernels: InstalledKernel[]): InstalledKernel[] {
  return kernels.filter((k) => PATTERNS.kernelRelease.test(k.release)).sort((a, b) => compareVersions(a.release, b.release));
}

export interface RebootInputs {
  readonly running: string;
  readonly kernels: readonly InstalledKernel[];
  /** Debian/Ubuntu /var/run/reboot-required and its .pkgs list. */
  readonly flag?: { readonly present: boolean; readonly packages: readonly string[] };
  /** The running kernel's package version, from /proc/version on Debian (`Debian 6.1.76-1`). */
  readonly runningBuild?: string;
}

export function kernelInfo(input: RebootInputs): KernelInfo {
  const installed = input.kernels.map((k) => k.release).slice(-LIMITS.kernels);
  const running = PATTERNS.kernelRelease.test(input.running) ? input.running : '';
  const info: KernelInfo = { running, installed, reboot_required: false, reboot_reason: null };
  if (input.flag?.present) {
    const pkgs = [...new Set(input.flag.packages.filter((p) => isPkgToken(p)))].slice(0, LIMITS.rebootPackages);
    info.reboot_required = true;
    info.reboot_reason = cleanLabel(pkgs.length > 0 ? `reboot-required flag set after updating ${pkgs.slice(0, 5).join(', ')}${pkgs.length > 5 ? ', …' : ''}` : 'reboot-required flag set');
    if (pkgs.length > 0) info.reboot_packages = pkgs;
    return info;
  }
  const newest = input.kernels[input.kernels.length - 1];
  if (!newest || running === '') return info;
  if (compareVersions(newest.release, running) > 0) {
    info.reboot_required = true;
    info.reboot_reason = cleanLabel(`running kernel ${running} is older than installed ${newest.release}`);
    if (isPkgToken(newest.pkg)) info.reboot_packages = [newest.pkg];
    return info;
  }
  const current = input.kernels.find((k) => k.release === running);
  if (current && input.runningBuild && compareVersions(noEpoch(current.version), input.runningBuild) > 0) {
    info.reboot_required = true;
    info.reboot_reason = cleanLabel(`kernel ${running} was upgraded to ${current.version} but build ${input.runningBuild} is running`);
    if (isPkgToken(current.pkg)) info.reboot_packages = [current.pkg];
  }
  return info;
}
