// Filesystem primitives for the bare repository: durable writes (temp file, fsync, rename, fsync
// the directory), refs (loose and packed), and the single-writer lock file.
import { link, open, readFile, rename, unlink, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { evdError } from './errors.ts';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` atomically: a crash leaves either the old or the new content, never a mix. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; durable?: boolean } = {}): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await fh.writeFile(data);
    if (opts.durable !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (opts.durable !== false) await fsyncDir(dirname(path));
}

/** Resolves a full ref name from the loose file or packed-refs; null when it does not exist. */
export function readRefSync(gitdir: string, ref: string): string | null {
  try {
    const text = readFileSync(join(gitdir, ref), 'utf8').trim();
    if (text.startsWith('ref: ')) return readRefSync(gitdir, text.slice(5));
    if (/^[0-9a-f]{40}$/.test(text)) return text;
  } catch {
    // fall through to packed-refs
  }
  try {
    for (const line of readFileSync(join(gitdir, 'packed-refs'), 'utf8').split('\n')) {
      if (line.startsWith('#') || line.startsWith('^')) continue;
      const [oid, name] = line.split(' ');
      if (name === ref && oid && /^[0-9a-f]{40}$/.test(oid)) return oid;
    }
  } catch {
    // no packed refs
  }
  return null;
}

/** The branch HEAD points at (refs/heads/main for our repositories). */
export function headRefName(gitdir: string): string {
  try {
    const text = readFileSync(join(gitdir, 'HEAD'), 'utf8').trim();
    if (text.startsWith('ref: ')) return text.slice(5);
  } catch {
    // default below
  }
  return 'refs/heads/main';
}

/**
 * Moves a ref the way git does: write `<ref>.lock`, fsync, rename over the ref, fsync the
 * directory. git itself ignores (and refuses to race) a .lock file, so a crash at any point
 * leaves a ref that is either the old or the new commit, and a tree `git fsck` accepts.
 */
export async function writeRefDurable(gitdir: string, ref: string, oid: string, durable = true): Promise<void> {
  const path = join(gitdir, ref);
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true });
  await unlink(lock).catch(() => undefined); // left by a crash; the writer lock makes us the only writer
  const fh = await open(lock, 'wx', 0o644);
  try {
    await fh.writeFile(`${oid}\n`);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(lock, path);
  if (durable) await fsyncDir(dirname(path));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<gitdir>/patchproof.lock` holding our pid. The file is written in full under a private
 * name and then hard-linked into place (atomic, fails if it exists), so a lock is never seen
 * half-written. A lock left by a dead process is taken over; a live holder (including another
 * store in this process) gives EVD_LOCKED.
 */
export async function acquireLock(gitdir: string): Promise<() => Promise<void>> {
  const path = join(gitdir, 'patchproof.lock');
  const mine = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  const fh = await open(mine, 'wx', 0o644);
  try {
    await fh.writeFile(`${process.pid}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(mine, path);
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw evdError('EVD_IO', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
      }
      const seen = (await readFile(path, 'utf8').catch(() => '')).trim();
      const holder = Number(seen);
      if (Number.isSafeInteger(holder) && holder > 0 && pidAlive(holder)) {
        throw evdError('EVD_LOCKED', `the evidence repository ${gitdir} is locked by process ${holder}`, { data: { pid: holder, lock: path } });
      }
      // Stale: move it aside, and put it back if someone else replaced it in the meantime.
      const aside = `${mine}.stale`;
      if (await rename(path, aside).then(() => true, () => false)) {
        const moved = (await readFile(aside, 'utf8').catch(() => '')).trim();
        if (moved !== seen) {
          await link(aside, path).catch(() => undefined);
          await unlink(aside).catch(() => undefined);
          throw evdError('EVD_LOCKED', `the evidence repository ${gitdir} was locked by another writer`, { data: { lock: path } });
        }
        await unlink(aside).catch(() => undefined);
      }
    }
    throw evdError('EVD_LOCKED', `could not take the lock ${path}`);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}
