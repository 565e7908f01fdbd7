// Kernels are install-only packages: several versions sit side by side and only the one running
// matters until a reboot. The engine judges the newest installed kernel (older ones are left for
// fallback boot) and, when the policy says so, requires the fixed kernel to be running.
import type { Package } from '../evidence/types.gen.ts';
import { compareVersions, type VersionEcosystem } from './version.ts';

const DEB_KERNEL = /^linux-(image|modules|modules-extra|headers|kbuild|objtool|tools)-[0-9]/;
const RPM_KERNEL = /^kernel(-rt)?(-core|-modules|-modules-core|-modules-extra|-devel|-uki-virt)?$/;
const APK_KERNEL = /^linux-(lts|virt|edge|rpi[0-9]*|stable)$/;

export function isKernelPackage(order: VersionEcosystem, name: string): boolean {
  if (order === 'rpm') return name.startsWith('kernel') && RPM_KERNEL.test(name);
  if (!name.startsWith('linux-')) return false;
  return order === 'dpkg' ? DEB_KERNEL.test(name) : APK_KERNEL.test(name);
}

function safeCompare(order: VersionEcosystem, a: string, b: string): number {
  try {
    return compareVersions(order, a, b);
  } catch {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/**
 * The inventory as the matcher should see it: every non-kernel package, and of the kernel
 * packages only the newest (dpkg: the highest source version across ABI-named binaries; rpm and
 * apk: the highest version of each name). Returns `packages` itself when nothing is dropped.
 */
export function newestKernelsOnly(order: VersionEcosystem, packages: readonly Package[]): readonly Package[] {
  const kernels: Package[] = [];
  for (const p of packages) if (isKernelPackage(order, p.name)) kernels.push(p);
  if (kernels.length <= 1) return packages;
  const keep = new Set<Package>();
  if (order === 'dpkg') {
    let best = '';
    for (const k of kernels) {
      const v = k.source_version ?? k.version;
      if (best === '' || safeCompare(order, v, best) > 0) best = v;
    }
    for (const k of kernels) if ((k.source_version ?? k.version) === best) keep.add(k);
  } else {
    const byName = new Map<string, Package>();
    for (const k of kernels) {
      const cur = byName.get(k.name);
      if (!cur || safeCompare(order, k.version, cur.version) > 0) byName.set(k.name, k);
    }
    for (const k of byName.values()) keep.add(k);
  }
  if (keep.size === kernels.length) return packages;
  const dropped = new Set(kernels.filter((k) => !keep.has(k)));
  return packages.filter((p) => !dropped.has(p));
}

function stripEpoch(v: string): string {
  const colon = v.indexOf(':');
  return colon < 0 ? v : v.slice(colon + 1);
}

/**
 * The installed package of the running kernel (`uname -r`), or null when it cannot be told:
 * dpkg linux-image-<release>; rpm kernel-core/kernel whose version.arch is the release;
 * apk linux-<flavor> whose version is <ver>-r<n> for a release <ver>-<n>-<flavor>.
 */
export function runningKernelPackage(order: VersionEcosystem, running: string, packages: readonly Package[]): Package | null {
  if (running === '') return null;
  if (order === 'dpkg') {
    const names = new Set([`linux-image-${running}`, `linux-image-${running}-unsigned`]);
    return packages.find((p) => names.has(p.name)) ?? null;
  }
  if (order === 'rpm') {
    const candidates = packages.filter((p) => p.name === 'kernel-core' || p.name === 'kernel' || p.name === 'kernel-rt-core');
    return candidates.find((p) => `${stripEpoch(p.version)}.${p.arch}` === running || stripEpoch(p.version) === running) ?? null;
  }
  const m = /^(.+)-([0-9]+)-([a-z0-9]+)$/.exec(running);
  if (!m) return null;
  return packages.find((p) => p.name === `linux-${m[3]}` && p.version === `${m[1]}-r${m[2]}`) ?? null;
}

/** Orders uname-style kernel releases (6.1.0-18-amd64) by their numeric runs, for reboot debt. */
export function compareKernelRelease(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x) && /^\d/.test(y);
    const c = nx ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** The newest kernel release the host reports as installed, or null. */
export function latestInstalledKernel(installed: readonly string[]): string | null {
  let best: string | null = null;
  for (const k of installed) if (best === null || compareKernelRelease(k, best) > 0) best = k;
  return best;
}
