// Kernel handling per package manager: which packages are kernels, newest-only judgement of
// install-only kernels, and finding the installed package of the running kernel.
import { describe, expect, it } from 'vitest';
import { compareKernelRelease, isKernelPackage, latestInstalledKernel, newestKernelsOnly, runningKernelPackage } from '../../compliance/findings-kernel.ts';
import { pkg } from './scenario.ts';

describe('kernel packages', () => {
  it('recognises kernels per package manager', () => {
    expect(isKernelPackage('dpkg', 'linux-image-6.1.0-21-amd64')).toBe(true);
    expect(isKernelPackage('dpkg', 'linux-base')).toBe(false);
    expect(isKernelPackage('rpm', 'kernel-core')).toBe(true);
    expect(isKernelPackage('rpm', 'kernel-headers')).toBe(false);
    expect(isKernelPackage('apk', 'linux-lts')).toBe(true);
  });

  it('keeps only the newest installed kernel (dpkg by source version, rpm per name)', () => {
    const deb = [pkg('bash', '5.2'), pkg('linux-image-6.1.0-20-amd64', '6.1.80-1', 'linux'), pkg('linux-image-6.1.0-21-amd64', '6.1.90-1', 'linux')];
    expect(newestKernelsOnly('dpkg', deb).map((p) => p.name)).toEqual(['bash', 'linux-image-6.1.0-21-amd64']);
    const rpm = [pkg('kernel-core', '5.14.0-427.13.1.el9_4', 'kernel', undefined, 'x86_64'), pkg('kernel-core', '5.14.0-503.11.1.el9_5', 'kernel', undefined, 'x86_64'), pkg('kernel-headers', '5.14.0-503.11.1.el9_5')];
    expect(newestKernelsOnly('rpm', rpm).map((p) => p.version)).toEqual(['5.14.0-503.11.1.el9_5', '5.14.0-503.11.1.el9_5']);
  });

  it('finds the package of the running kernel', () => {
    const deb = [pkg('linux-image-6.1.0-20-amd64', '6.1.80-1', 'linux')];
    expect(runningKernelPackage('dpkg', '6.1.0-20-amd64', deb)?.version).toBe('6.1.80-1');
    const rpm = [pkg('kernel-core', '5.14.0-427.13.1.el9_4', 'kernel', undefined, 'x86_64'), pkg('kernel-core', '5.14.0-503.11.1.el9_5', 'kernel', undefined, 'x86_64')];
    expect(runningKernelPackage('rpm', '5.14.0-427.13.1.el9_4.x86_64', rpm)?.version).toBe('5.14.0-427.13.1.el9_4');
    expect(runningKernelPackage('apk', '6.12.13-0-lts', [pkg('linux-lts', '6.12.13-r0')])?.name).toBe('linux-lts');
    expect(runningKernelPackage('dpkg', '', deb)).toBeNull();
  });

  it('orders uname releases numerically', () => {
    expect(compareKernelRelease('6.1.0-9-amd64', '6.1.0-18-amd64')).toBe(-1);
    expect(latestInstalledKernel(['5.14.0-427.13.1.el9_4.x86_64', '5.14.0-503.11.1.el9_5.x86_64'])).toBe('5.14.0-503.11.1.el9_5.x86_64');
    expect(latestInstalledKernel([])).toBeNull();
  });
});
