// A stand-in for agent/collect.ts: schema-valid report bodies from a package list the test controls.
import { inventorySha256 } from '../../../evidence/packages-tsv.ts';
import type { Package, ReportBody } from '../../../evidence/types.gen.ts';
import type { CollectFn, CollectedReport } from '../../../agent/runner.ts';

export function pkgs(...specs: string[]): Package[] {
  return specs.map((s) => {
    const [name = 'x', version = '1'] = s.split('=');
    return { name, arch: 'amd64', version };
  });
}

export function makeBody(now: Date, packages: Package[], extra: Partial<ReportBody> = {}): CollectedReport['body'] {
  return {
    collected_at: now.toISOString(),
    agent_version: '0.1.0',
    hostname: 'web-1',
    machine_id: '0123456789abcdef0123456789abcdef',
    os: { id: 'ubuntu', version_id: '24.04' },
    arch: 'x86_64',
    kernel: { running: '6.8.0-45-generic', installed: ['6.8.0-45-generic'], reboot_required: false },
    package_manager: 'dpkg',
    inventory_sha256: inventorySha256(packages),
    inventory_count: packages.length,
    pending: [],
    history: [],
    warnings: [],
    ...extra,
    packages,
  };
}

/** A CollectFn over a mutable package list; records the `since` of each call. */
export function fakeCollect(initial: Package[] = pkgs('openssl=3.0.13-0ubuntu3.1', 'bash=5.2-1')) {
  const state = { packages: initial, calls: 0, since: [] as Array<Date | undefined>, fail: false, extra: {} as Partial<ReportBody> };
  const collect: CollectFn = async ({ since, now }) => {
    state.calls++;
    state.since.push(since);
    if (state.fail) throw new Error('simulated collection failure');
    return { body: makeBody(now(), state.packages, state.extra) };
  };
  return { collect, state };
}
