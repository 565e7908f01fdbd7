// Builds the fixture site once per test run and shares it between test files: vitest runs each
// file in its own process, so the first file to ask builds into a folder named after the
// vitest process (our parent) under a lock, and the others wait for it and reuse it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateSigningKey, signerFromArmored } from '../../../evidence/sign.ts';
import { buildSite } from '../../../site/lib/build/build-site.ts';
import type { ComplianceModel } from '../../../site/lib/model-types.ts';
import { makeFixture } from '../fixtures/make-model.ts';

export interface BuiltSite {
  /** Folder holding repo/, model.json, signing keys and out/. */
  root: string;
  out: string;
  repoDir: string;
  modelFile: string;
  policiesDir: string;
  privateKeyArmored: string;
  publicKeyArmored: string;
  fingerprint: string;
  model: ComplianceModel;
}

export const FIXTURE_HOSTS = 24;
/** A fixed signature time, so the shared build and a rebuild sign identically. */
export const SIGN_DATE = new Date('2026-01-02T00:00:00Z');
const PREFIX = 'patchproof-site-test-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes shared builds left by test runs whose vitest process is gone. */
function sweep(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${PREFIX}(\\d+)(\\.lock)?$`).exec(name);
    if (m && Number(m[1]) !== process.ppid && !alive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** Writes the fixture (repository, model, key) into `root` and builds the site into root/out. */
export async function buildFixtureSite(root: string, opts: { hosts?: number; key?: { privateKeyArmored: string; publicKeyArmored: string; fingerprint: string }; out?: string; workers?: number } = {}): Promise<BuiltSite> {
  mkdirSync(root, { recursive: true });
  const key = opts.key ?? (await generateSigningKey({ userId: 'Fixture pack signer <packs@fixture.invalid>', date: new Date('2024-11-01T00:00:00Z') }));
  const repoDir = join(root, 'repo');
  const fixture = existsSync(repoDir)
    ? makeFixture({ hosts: opts.hosts ?? FIXTURE_HOSTS, key })
    : makeFixture({ hosts: opts.hosts ?? FIXTURE_HOSTS, key, repoDir });
  const modelFile = join(root, 'model.json');
  if (!existsSync(modelFile)) writeFileSync(modelFile, `${JSON.stringify(fixture.model)}\n`);
  const out = opts.out ?? join(root, 'out');
  const signer = await signerFromArmored(key.privateKeyArmored);
  await buildSite({ modelFile, outDir: out, repoDir, policiesDir: fixture.policiesDir, signer, signDate: SIGN_DATE, workers: opts.workers ?? 0 });
  return {
    root, out, repoDir, modelFile, policiesDir: fixture.policiesDir,
    privateKeyArmored: key.privateKeyArmored, publicKeyArmored: key.publicKeyArmored, fingerprint: key.fingerprint,
    model: JSON.parse(readFileSync(modelFile, 'utf8')) as ComplianceModel,
  };
}

export async function sharedSite(): Promise<BuiltSite> {
  const root = join(tmpdir(), `${PREFIX}${process.ppid}`);
  const done = join(root, 'done.json');
  const lock = `${root}.lock`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as BuiltSite;
    try {
      mkdirSync(lock);
    } catch {
      const holder = Number(readFileSyncSafe(join(lock, 'pid')));
      if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the shared site build in ${root}`);
      await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (existsSync(done)) continue;
      sweep();
      rmSync(root, { recursive: true, force: true });
      const site = await buildFixtureSite(root);
      writeFileSync(done, JSON.stringify(site));
      return site;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function readFileSyncSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
