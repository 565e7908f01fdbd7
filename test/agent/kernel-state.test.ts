import { describe, expect, it } from 'vitest';
import { installedKernels, kernelInfo } from '../../agent/kernel-state.ts';

const pkg = (name: string, version: string, arch = 'amd64') => ({ name, arch, version });

describe('installedKernels', () => {
  it('Debian and Ubuntu image packages, without metapackages, dbg or duplicates', () => {
    const k = installedKernels(
      [pkg('linux-image-amd64', '6.1.90-1'), pkg('linux-image-6.1.0-21-amd64', '6.1.90-1'), pkg('linux-image-6.1.0-18-amd64', '6.1.76-1'), pkg('linux-image-6.1.0-18-amd64-dbg', '6.1.76-1'), pkg('linux-image-unsigned-6.8.0-45-generic', '6.8.0-45.45'), pkg('linux-libc-dev', '6.1.90-1')],
      'dpkg',
    );
    expect(k.map((x) => x.release)).toEqual(['6.1.0-18-amd64', '6.1.0-21-amd64', '6.8.0-45-generic']);
  });

  it('RHEL kernel-core, SUSE kernel-default, Alpine linux-lts in uname -r form', () => {
    expect(installedKernels([pkg('kernel-core', '5.14.0-427.13.1.el9_4', 'x86_64'), pkg('kernel', '5.14.0-427.13.1.el9_4', 'x86_64'), pkg('kernel-core', '5.14.0-503.11.1.el9_5', 'x86_64'), pkg('kernel-headers', '5.14.0-503.11.1.el9_5', 'x86_64')], 'rpm').map((x) => x.release)).toEqual([
      '5.14.0-427.13.1.el9_4.x86_64',
      '5.14.0-503.11.1.el9_5.x86_64',
    ]);
    expect(installedKernels([pkg('kernel-default', '6.4.0-150600.23.25.1', 'x86_64')], 'rpm').map((x) => x.release)).toEqual(['6.4.0-150600.23.25-default']);
    expect(installedKernels([pkg('linux-lts', '6.6.31-r0', 'x86_64'), pkg('linux-firmware-none', '20240513-r0', 'x86_64')], 'apk').map((x) => x.release)).toEqual(['6.6.31-0-lts']);
  });
});

describe('kernelInfo', () => {
  const kernels = installedKernels([pkg('linux-image-6.1.0-18-amd64', '6.1.76-1'), pkg('linux-image-6.1.0-21-amd64', '6.1.90-1')], 'dpkg');

  it('the reboot-required flag wins, with its packages', () => {
    expect(kernelInfo({ running: '6.1.0-21-amd64', kernels, flag: { present: true, packages: ['libc6', 'bad pkg', 'libc6'] } })).toEqual({
      running: '6.1.0-21-amd64',
      installed: ['6.1.0-18-amd64', '6.1.0-21-amd64'],
      reboot_required: true,
      reboot_reason: 'reboot-required flag set after updating libc6',
      reboot_packages: ['libc6'],
    });
  });

  it('a newer installed kernel than the running one needs a reboot', () => {
    expect(kernelInfo({ running: '6.1.0-18-amd64', kernels })).toMatchObject({ reboot_required: true, reboot_reason: 'running kernel 6.1.0-18-amd64 is older than installed 6.1.0-21-amd64', reboot_packages: ['linux-image-6.1.0-21-amd64'] });
  });

  it('a rebuilt kernel under the same ABI needs a reboot (Debian /proc/version build)', () => {
    expect(kernelInfo({ running: '6.1.0-21-amd64', kernels, runningBuild: '6.1.85-1' })).toMatchObject({ reboot_required: true, reboot_packages: ['linux-image-6.1.0-21-amd64'] });
    expect(kernelInfo({ running: '6.1.0-21-amd64', kernels, runningBuild: '6.1.90-1' })).toMatchObject({ reboot_required: false, reboot_reason: null });
  });

  it('a container without kernel packages never needs a reboot', () => {
    expect(kernelInfo({ running: '6.18.44-fc-v769', kernels: [] })).toEqual({ running: '6.18.44-fc-v769', installed: [], reboot_required: false, reboot_reason: null });
  });
});
