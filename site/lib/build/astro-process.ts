// Runs the Astro page build (astro-build.ts) in a child process: Astro and Vite keep what they
// loaded and cached for the life of the process, several hundred MB at 1,000 host pages, and a
// separate process gives all of it back before the search index is built.
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { siteError } from '../errors.ts';
import { astroBuild, PROJECT_ROOT, type AstroBuildOptions } from './astro-build.ts';

type Reply = { ok: true } | { ok: false; message: string; stack: string };

const SELF = fileURLToPath(import.meta.url);

export function astroBuildInProcess(opts: AstroBuildOptions, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--astro-build'], {
      // A larger young generation promotes less to the old one: ~50 MB lower peak at 1,000 hosts.
      execArgv: ['--max-semi-space-size=32'],
      // Astro and Vite resolve the site's own dependencies from the working directory.
      cwd: opts.root ?? PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(signal ? { signal } : {}) });
    let reply: Reply | null = null;
    child.on('message', (msg: Reply) => (reply = msg));
    child.on('error', (cause: Error) => reject(siteError('SITE_ASTRO_FAILED', `astro build process: ${cause.message}`, { cause })));
    child.on('exit', (code, sig) => {
      const r = reply as Reply | null;
      if (r?.ok) return resolve();
      const message = r ? r.message : `the astro build process exited (${sig ?? code})`;
      reject(siteError('SITE_ASTRO_FAILED', message, { data: { stack: r && !r.ok ? r.stack : '' } }));
    });
    child.send(opts);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv[2] === '--astro-build' && process.send) {
  process.once('message', (opts: AstroBuildOptions) => {
    astroBuild(opts).then(
      () => ({ ok: true }) as Reply,
      (err: Error) => ({ ok: false, message: err.message, stack: err.stack ?? '' }) as Reply,
    ).then((r) => process.send?.(r, () => process.exit(0)));
  });
}
