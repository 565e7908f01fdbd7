// What a simulated host looks like to the real agent's fact gathering: a small root directory
// (etc/os-release, etc/machine-id) and a node:os probe answering hostname, kernel and uptime
// from the host's simulated state at the virtual clock.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostProbe } from '../../agent/host-facts.ts';
import type { OsInfo } from './inventories.ts';
import { stableHex } from './rng.ts';
import type { SimulatedSource } from './simulated-source.ts';

function osReleaseText(os: OsInfo): string {
  const q = (v: string) => `"${v.replace(/(["\\$`])/g, '\\$1')}"`;
  const lines = [`NAME=${q(os.name)}`, `ID=${os.id}`, `VERSION_ID=${q(os.version_id)}`, `PRETTY_NAME=${q(os.pretty_name)}`];
  if (os.id_like) lines.push(`ID_LIKE=${q(os.id_like.join(' '))}`);
  if (os.version_codename) lines.push(`VERSION_CODENAME=${os.version_codename}`);
  return lines.join('\n') + '\n';
}

/** Writes DIR/etc/os-release and DIR/etc/machine-id; returns DIR. */
export async function writeHostRoot(dir: string, os: OsInfo, seed: number, hostname: string): Promise<string> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc/os-release'), osReleaseText(os));
  await writeFile(join(dir, 'etc/machine-id'), `${stableHex(seed, `machine-id:${hostname}`)}\n`);
  return dir;
}

export function simulatedProbe(hostname: string, address: string, source: SimulatedSource, now: () => Date): HostProbe {
  return {
    hostname: () => hostname,
    machine: () => 'x86_64',
    release: () => source.snapshot(now()).running,
    uptime: () => Math.max(0, (now().getTime() - source.snapshot(now()).bootTime.getTime()) / 1000),
    networkInterfaces: () => ({ eth0: [{ address, netmask: '255.255.0.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/16` }] }),
  };
}
