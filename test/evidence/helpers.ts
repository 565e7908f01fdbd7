// Shared fixtures for the evidence tests: temp dirs, a fixed signing key, sample envelopes, and
// stock git/gpg driven with a throw-away GNUPGHOME holding the repository's keys/*.asc.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateSigningKey, signerFromArmored, type GeneratedKey, type Signer } from '../../evidence/sign.ts';
import { renderPackagesTsv } from '../../evidence/packages-tsv.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import { repoPaths } from '../../evidence/paths.ts';
import type { EnvelopeInput } from '../../evidence/report-envelope.ts';
import type { Package } from '../../evidence/types.gen.ts';

export const T0 = new Date('2024-03-01T00:00:00Z');

export function tempDir(prefix = 'pp-evd-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A clock that advances one second per reading, from `start`. */
export function steppingClock(start: Date = T0, stepMs = 1000): () => Date {
  let t = start.getTime() - stepMs;
  return () => new Date((t += stepMs));
}

const keyCache = new Map<string, Promise<GeneratedKey>>();
/** 'test' and 'other' are committed fixtures (test-only keys), so commit ids are stable across runs. */
export function fixedKey(name = 'test', date: Date = new Date('2024-01-01T00:00:00Z')): Promise<GeneratedKey> {
  const k = `${name}@${date.toISOString()}`;
  if ((name === 'test' || name === 'other') && date.getTime() === Date.parse('2024-01-01T00:00:00Z') && !keyCache.has(k)) {
    const raw = JSON.parse(readFileSync(new URL(`./fixtures/${name}-key.json`, import.meta.url), 'utf8')) as GeneratedKey & { created: string };
    keyCache.set(k, Promise.resolve({ ...raw, created: new Date(raw.created) }));
  }
  if (!keyCache.has(k)) keyCache.set(k, generateSigningKey({ userId: `patchproof ${name} <${name}@patchproof.invalid>`, date }));
  return keyCache.get(k)!;
}

export async function fixedSigner(name = 'test', clock?: () => Date): Promise<{ key: GeneratedKey; signer: Signer }> {
  const key = await fixedKey(name);
  return { key, signer: await signerFromArmored(key.privateKeyArmored, clock ? { clock } : {}) };
}

export function hostId(n: number): string {
  return `h_${n.toString(16).padStart(16, '0')}`;
}

export function samplePackages(n: number, variant = 0): Package[] {
  const out: Package[] = [];
  for (let i = 0; i < n; i++) out.push({ name: `pkg${String(i).padStart(4, '0')}`, arch: 'amd64', version: `1.${i}.${i === 0 ? variant : 0}-1` });
  return out;
}

export function sampleEnvelopeInput(opts: { host: string; seq: number; receivedAt: Date; packagesTsv: string; fingerprint: string; count?: number }): EnvelopeInput {
  const at = opts.receivedAt.toISOString();
  return {
    report_id: `r_${opts.host.slice(2)}_${String(opts.seq).padStart(6, '0')}`,
    host_id: opts.host,
    seq: opts.seq,
    agent_seq: opts.seq,
    reason: opts.seq === 1 ? 'first' : 'changed',
    collected_at: at,
    received_at: at,
    clock_skew_ms: 0,
    collector: { id: 'collector-1', key_fingerprint: opts.fingerprint },
    agent_version: '0.1.0',
    hostname: `web-${opts.host.slice(-4)}`,
    os: { id: 'ubuntu', version_id: '22.04' },
    arch: 'x86_64',
    kernel: { running: '5.15.0-100-generic', installed: ['5.15.0-100-generic'], reboot_required: false },
    package_manager: 'dpkg',
    inventory: { path: repoPaths.packagesTsv(opts.host), sha256: sha256Hex(opts.packagesTsv), count: opts.count ?? 0 },
    changes: [],
    pending: [],
    warnings: [],
    anomalies: [],
  };
}

export { renderPackagesTsv };

export function haveTool(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A GNUPGHOME with the given armored public keys imported. */
export function gpgHomeWith(armoredKeys: string[]): string {
  const home = tempDir('pp-gpg-');
  mkdirSync(join(home, 'g'), { mode: 0o700 });
  armoredKeys.forEach((k, i) => {
    writeFileSync(join(home, `k${i}.asc`), k);
    execFileSync('gpg', ['--batch', '--quiet', '--import', join(home, `k${i}.asc`)], { env: { ...process.env, GNUPGHOME: join(home, 'g') }, stdio: 'ignore' });
  });
  return join(home, 'g');
}

export function git(gitdir: string, args: string[], env: Record<string, string> = {}, input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', ['--git-dir', gitdir, '-c', 'gpg.program=gpg', ...args], {
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir(), ...env },
    encoding: 'utf8',
    input,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function fsckClean(gitdir: string): { ok: boolean; output: string } {
  const r = git(gitdir, ['fsck', '--full', '--strict', '--no-dangling']);
  return { ok: r.status === 0 && !/error|missing|broken|corrupt/i.test(r.stderr + r.stdout), output: r.stdout + r.stderr };
}

/** host.yaml content for a test host. */
export function hostYaml(host: string, at: Date = T0): string {
  return [
    'schema: patchproof.host/v1',
    `host_id: ${host}`,
    `hostname: web-${host.slice(-4)}`,
    'os:',
    '  id: ubuntu',
    '  version_id: "22.04"',
    `enrolled_at: "${at.toISOString()}"`,
    'enrolled_via: tok_0123456789ab',
    'group: default',
    'collector_id: collector-1',
    '',
  ].join('\n');
}

/**
 * Writes `perHost` chained, signed reports for each host through a group committer-like loop:
 * one commit per round (all hosts), packages.tsv changing every other report.
 */
export async function writeFleet(
  store: import('../../evidence/git-store.ts').GitStore,
  signer: Signer,
  opts: { hosts: number; perHost: number; start?: Date; stepMs?: number },
): Promise<{ hosts: string[]; last: Map<string, Uint8Array> }> {
  const { buildEnvelope, reportFiles } = await import('../../evidence/report-envelope.ts');
  const hosts = Array.from({ length: opts.hosts }, (_, i) => hostId(i + 1));
  const last = new Map<string, Uint8Array>();
  const start = (opts.start ?? T0).getTime();
  const step = opts.stepMs ?? 3_600_000;
  for (let seq = 1; seq <= opts.perHost; seq++) {
    const files: import('../../evidence/git-store.ts').StoreFile[] = [];
    const at = new Date(start + (seq - 1) * step);
    for (const host of hosts) {
      if (seq === 1) files.push({ path: `hosts/${host}/host.yaml`, content: hostYaml(host, at) });
      const changed = seq === 1 || seq % 2 === 0;
      const tsv = renderPackagesTsv(samplePackages(4, Math.floor(seq / 2)));
      const env = buildEnvelope(sampleEnvelopeInput({ host, seq, receivedAt: at, packagesTsv: tsv, fingerprint: signer.fingerprint, count: 4 }), last.get(host) ?? null);
      const r = await reportFiles(env, signer, { packagesTsv: changed ? tsv : null });
      last.set(host, r.bytes);
      files.push(...r.files);
    }
    await store.commit(files, { message: `reports round ${seq}`, date: at });
  }
  return { hosts, last };
}
