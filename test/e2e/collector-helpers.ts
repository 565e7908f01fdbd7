// Helpers for the collector's process tests: the real CLI in child processes, fake host roots
// for real agents, and verification with stock git + gpg.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'cli/patchproof.ts');
export const NODE = Number(process.versions.node.split('.')[0]) >= 24 ? process.execPath : join(ROOT, 'node_modules/.bin/node');
const FIXTURES = '/work/shared/fixtures';

const temps = new Set<string>();

export function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.add(dir);
  return dir;
}

export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();

export function spawnProc(args: string[], opts: { script?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(NODE, [opts.script ?? CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  live.add(child);
  let out = '';
  let all = '';
  child.stdout!.on('data', (d) => ((out += d), (all += d)));
  child.stderr!.on('data', (d) => (all += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (live.delete(child), r(code))));
  return { child, output: () => all, stdout: () => out, exited };
}

/** SIGKILLs every child a test left running (by pid, only ours) and removes the temp dirs. */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
  temps.clear();
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface CollectorProc extends Proc {
  url: string;
}

/** `patchproof collector …` as its own process; resolves once it prints its URL. */
export async function startCollectorProc(home: string, extra: string[] = [], listen = '127.0.0.1:0'): Promise<CollectorProc> {
  const p = spawnProc(['collector', '--home', home, '--listen', listen, ...extra]);
  const url = await Promise.race([
    waitFor('collector URL', () => /listening on (\S+)/.exec(p.stdout())?.[1], 30_000),
    p.exited.then((code) => {
      throw new Error(`collector exited with ${code}: ${p.output()}`);
    }),
  ]);
  return { ...p, url };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/** A fake host filesystem for `patchproof agent --root`: os-release and a real dpkg status file. */
export function makeHostRoot(dir: string, hostname: string): string {
  const root = join(dir, `root-${hostname}`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(root, 'var/log/apt'), { recursive: true });
  copyFileSync(join(FIXTURES, 'inventories/debian-12-local-host/os-release'), join(root, 'etc/os-release'));
  copyFileSync(join(FIXTURES, 'inventories/trivy-dpkg-status/status'), join(root, 'var/lib/dpkg/status'));
  writeFileSync(join(root, 'etc/hostname'), `${hostname}\n`);
  return root;
}

/** Rewrites one package's version in a fake root's dpkg status (an upgrade on that host). */
export function upgradeInRoot(root: string, pkg: string, version: string): void {
  const file = join(root, 'var/lib/dpkg/status');
  const text = readFileSync(file, 'utf8');
  const re = new RegExp(`(Package: ${pkg}\\n(?:(?!\\n\\n)[\\s\\S])*?Version: )[^\\n]+`);
  if (!re.test(text)) throw new Error(`no package ${pkg} in ${file}`);
  writeFileSync(file, text.replace(re, `$1${version}`));
}

/** A throwaway GNUPGHOME holding the repository's own public keys (keys/*.asc at HEAD). */
export function gpgEnvFor(repo: string): NodeJS.ProcessEnv {
  const gnupg = tmp('pp-gnupg-');
  execFileSync('chmod', ['700', gnupg]);
  const env = { ...process.env, GNUPGHOME: gnupg };
  const keys = execFileSync('git', ['--git-dir', repo, 'ls-tree', '--name-only', 'HEAD', 'keys/'], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.asc'));
  for (const k of keys) execFileSync('gpg', ['--batch', '--import'], { input: execFileSync('git', ['--git-dir', repo, 'show', `HEAD:${k}`]), env, stdio: ['pipe', 'ignore', 'ignore'] });
  return env;
}

/** `gpg --verify f.asc f` on a file and its signature taken from the repository at HEAD. */
export function gpgVerifyFile(repo: string, path: string, env: NodeJS.ProcessEnv): string {
  const dir = tmp('pp-gpgv-');
  writeFileSync(join(dir, 'f.json'), execFileSync('git', ['--git-dir', repo, 'show', `HEAD:${path}`]));
  writeFileSync(join(dir, 'f.json.asc'), execFileSync('git', ['--git-dir', repo, 'show', `HEAD:${path}.asc`]));
  const r = spawnSync('gpg', ['--batch', '--verify', join(dir, 'f.json.asc'), join(dir, 'f.json')], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gpg --verify failed for ${path}: ${r.stderr}`);
  return r.stderr;
}

export function git(repo: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}
