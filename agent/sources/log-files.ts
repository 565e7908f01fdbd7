// Reads a package-manager log with its logrotate siblings (log.1, log.2.gz, log-20240501.gz),
// oldest first. Unreadable or corrupt files become warnings; rotated files older than `since` are skipped.
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { SourceContext } from './types.ts';

const gunzipAsync = promisify(gunzip);

export interface LogText {
  readonly path: string;
  readonly text: string;
  /** Last modification: yum.log has no years and is dated back from it. */
  readonly mtime: Date;
}

export interface ReadLogOptions {
  readonly since?: Date;
  /** Warn AGT_LOG_MISSING when the current log does not exist. */
  readonly required?: boolean;
  /** Per file, decompressed; a larger plain log is read from its tail. Default 64 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX = 64 * 1024 * 1024;

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
}

/** Rotation suffix → sort key: larger is older. Numbered and dateext rotations both appear in the wild. */
function rotationAge(base: string, file: string): number | null {
  if (file === base) return 0;
  const m = /^(?:\.(\d{1,4})|-(\d{8})(?:\d{2})?)(\.gz)?$/.exec(file.slice(base.length));
  if (!file.startsWith(base) || !m) return null;
  if (m[1] !== undefined) return Number(m[1]);
  return 1e9 - Number(m[2]); // dateext: a later date is newer
}

async function readTail(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}

async function readOne(ctx: SourceContext, path: string, shown: string, maxBytes: number): Promise<string | null> {
  try {
    if (!path.endsWith('.gz')) return await readTail(path, maxBytes);
    const handle = await open(path, 'r');
    const raw = await handle.readFile().finally(() => handle.close());
    return (await gunzipAsync(raw, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT') return null;
    ctx.warn('AGT_LOG_UNREADABLE', `${shown}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ERR_BUFFER_TOO_LARGE' ? 'too large' : `cannot read (${code})`}`);
    return null;
  }
}

/** `absPath` is the host path (e.g. /var/log/dpkg.log); it is looked up under ctx.root. */
export async function readRotatedLogs(ctx: SourceContext, absPath: string, options: ReadLogOptions = {}): Promise<LogText[]> {
  const full = join(ctx.root, absPath);
  const dir = dirname(full);
  const base = basename(full);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'ENOENT') ctx.warn('AGT_LOG_UNREADABLE', `${dirname(absPath)}: ${code === 'EACCES' ? 'permission denied' : code}`);
    else if (options.required) ctx.warn('AGT_LOG_MISSING', `${absPath} not found; changes will be dated by report interval`);
    return [];
  }
  const files = names
    .map((name) => ({ name, age: rotationAge(base, name) }))
    .filter((f): f is { name: string; age: number } => f.age !== null)
    .sort((a, b) => b.age - a.age);
  if (options.required && !files.some((f) => f.age === 0)) {
    ctx.warn('AGT_LOG_MISSING', `${absPath} not found; changes will be dated by report interval`);
  }
  const out: LogText[] = [];
  for (const f of files) {
    const path = join(dir, f.name);
    const st = await stat(path).catch(() => null);
    if (f.age !== 0 && options.since && st && st.mtime.getTime() < options.since.getTime()) continue;
    const shown = join(dirname(absPath), f.name);
    const text = await readOne(ctx, path, shown, options.maxBytes ?? DEFAULT_MAX);
    if (text !== null) out.push({ path: shown, text, mtime: st?.mtime ?? ctx.now() });
  }
  return out;
}
