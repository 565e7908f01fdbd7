// Test support for the package sources: fixture paths, a scripted Exec, a SourceContext that
// records warnings, and converters from the shared fixtures' column layouts to the agent's formats.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgtCode } from '../../../agent/errors.ts';
import { agtError } from '../../../agent/errors.ts';
import type { Exec, ExecResult } from '../../../agent/exec.ts';
import type { HostProbe } from '../../../agent/host-facts.ts';
import { fixedOffset } from '../../../agent/sources/local-time.ts';
import type { SourceContext } from '../../../agent/sources/types.ts';

export const SHARED = resolve(import.meta.dirname, '../../../../shared/fixtures');
export const SAMPLES = resolve(import.meta.dirname, '../fixtures/sources');

export function shared(path: string): string {
  return readFileSync(resolve(SHARED, path), 'utf8');
}

export function sample(name: string): string {
  return readFileSync(resolve(SAMPLES, name), 'utf8');
}

export type Script = Record<string, Partial<ExecResult> | Error | ((args: readonly string[]) => Partial<ExecResult> | Error)>;

/** Root-prefix arguments (see agent/sources/text.ts rootArgs) are not part of a script key; `calls` keeps them. */
function withoutRootArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--root' || (args[i] === '-o' && args[i + 1]?.startsWith('Dir='))) i++;
    else if (!args[i]!.startsWith('--installroot=') && !args[i]!.startsWith('--admindir=')) out.push(args[i]!);
  }
  return out;
}

/** An Exec answering from a script keyed by "file" or "file arg1"; unknown commands are ENOENT. */
export function scriptedExec(script: Script, calls: string[] = []): Exec {
  return async (file, args) => {
    calls.push([file, ...args].join(' '));
    const line = [file, ...withoutRootArgs(args)].join(' ');
    const key = Object.keys(script)
      .sort((a, b) => b.length - a.length)
      .find((k) => line === k || line.startsWith(`${k} `));
    const entry = key === undefined ? undefined : script[key];
    const value = typeof entry === 'function' ? entry(args) : entry;
    if (value === undefined) throw agtError('AGT_EXEC_NOT_FOUND', `${file}: not found`, { data: { file } });
    if (value instanceof Error) throw value;
    return { stdout: value.stdout ?? '', stderr: value.stderr ?? '', code: value.code ?? 0 };
  };
}

export interface TestContext extends SourceContext {
  readonly warnings: Array<{ code: AgtCode; message: string }>;
}

export function testContext(overrides: Partial<SourceContext> = {}): TestContext {
  const warnings: Array<{ code: AgtCode; message: string }> = [];
  return {
    root: '/nonexistent-root',
    exec: scriptedExec({}),
    now: () => new Date('2026-11-22T12:00:00Z'),
    localTime: fixedOffset(0),
    warn: (code, message) => warnings.push({ code, message }),
    ...overrides,
    warnings,
  };
}

/** shared debian-12 dpkg-query.tsv (Package, Version, Architecture, source:Package, source:Version, Status) → the agent's 7 columns. */
export function debianFixtureAsQuery(): string {
  return shared('inventories/debian-12-local-host/dpkg-query.tsv')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [pkg, version, arch, src, srcVersion, status] = l.split('\t');
      return [pkg, pkg, arch, version, src, srcVersion, status].join('\t');
    })
    .join('\n') + '\n';
}

/** node:os as a web server with one interface would answer. */
export function fakeProbe(overrides: Partial<HostProbe> = {}): HostProbe {
  return {
    hostname: () => 'web-01.example.com',
    machine: () => 'x86_64',
    release: () => '6.1.0-18-amd64',
    uptime: () => 3600,
    networkInterfaces: () => ({
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [
        { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.5/24' },
        { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
        { address: '2001:db8::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::5/64', scopeid: 0 },
      ],
    }),
    ...overrides,
  };
}
