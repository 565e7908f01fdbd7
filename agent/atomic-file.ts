// Crash-safe file replacement: write a temporary file, fsync it, rename it over the target and
// fsync the directory. A reader sees the old bytes or the new bytes, never a half-written file.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary files start with this prefix; anything with it is garbage after a crash. */
export const TMP_PREFIX = '.tmp-';

export interface AtomicWriteOptions {
  mode?: number;
  /** fsync file and directory (default true). The demo may turn it off for speed. */
  sync?: boolean;
}

export type AtomicWrite = (path: string, data: string | Uint8Array, options?: AtomicWriteOptions) => Promise<void>;

export const writeFileAtomic: AtomicWrite = async (path, data, options = {}) => {
  const sync = options.sync ?? true;
  const dir = dirname(path);
  const tmp = join(dir, `${TMP_PREFIX}${basename(path)}-${randomBytes(6).toString('hex')}`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'wx', options.mode ?? 0o600);
    await handle.writeFile(data);
    if (sync) await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  if (sync) await fsyncDir(dir);
};

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes leftover temporary files (from a crash or a full disk) in `dir`; returns how many. */
export async function removeTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    await fsp.rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** Creates `dir` (mode 0700) if needed, and tightens it to 0700 if it exists with wider access. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fsp.stat(dir);
  if ((st.mode & 0o077) !== 0) await fsp.chmod(dir, 0o700);
}
