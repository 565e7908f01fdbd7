// Runs Astro's programmatic build() for the auditor site: project root and outDir from the caller,
// the model and folders handed to pages through environment variables (restored afterwards).
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteError } from '../errors.ts';
import { DOWNLOADS_ENV, MODEL_ENV, POLICIES_ENV, REPO_ENV } from '../model.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AstroBuildOptions {
  outDir: string;
  modelFile: string;
  policiesDir: string;
  repoDir?: string;
  downloadsFile?: string;
  root?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export async function astroBuild(opts: AstroBuildOptions): Promise<void> {
  const root = opts.root ?? PROJECT_ROOT;
  // Astro writes generated types and its data store into <root>/.astro: say so plainly rather
  // than fail deep inside Vite with an empty message.
  const dotAstro = join(root, '.astro');
  try {
    accessSync(existsSync(dotAstro) ? dotAstro : root, constants.W_OK);
  } catch {
    throw siteError('SITE_ASTRO_FAILED', `the site build needs write access to ${dotAstro} (Astro's generated files); create it for this user, e.g. install -d -o $(id -un) ${dotAstro}`);
  }
  const env: Record<string, string | undefined> = {
    [MODEL_ENV]: opts.modelFile,
    [POLICIES_ENV]: opts.policiesDir,
    [REPO_ENV]: opts.repoDir,
    [DOWNLOADS_ENV]: opts.downloadsFile,
    ASTRO_TELEMETRY_DISABLED: '1',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const cacheDir = mkdtempSync(join(tmpdir(), 'patchproof-astro-cache-'));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const { build } = await import('astro');
    await build({
      root,
      configFile: 'astro.config.mjs',
      outDir: resolve(opts.outDir),
      cacheDir,
      logLevel: opts.logLevel ?? 'warn',
      mode: 'production',
    });
  } catch (cause) {
    throw siteError('SITE_ASTRO_FAILED', `astro build failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
