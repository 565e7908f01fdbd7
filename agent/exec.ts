// The one place the agent starts child processes: no shell, LC_ALL=C, a timeout and an output
// cap. Sources receive an `Exec` so tests can replay recorded command output.
import { spawn } from 'node:child_process';
import { agtError } from './errors.ts';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code; null when the process was killed by a signal. */
  readonly code: number | null;
}

export interface ExecOptions {
  /** Kill the process after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Kill the process when stdout or stderr exceeds this many bytes (default 32 MiB). */
  readonly maxBytes?: number;
}

/** Runs `file` with `args` (never through a shell). Rejects only when the command could not run to completion. */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const EXEC_DEFAULTS = Object.freeze({ timeoutMs: 60_000, maxBytes: 32 * 1024 * 1024 });

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A small, predictable environment: C locale so output is parseable, nothing else inherited but PATH/HOME/TZ. */
export function execEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { PATH: base.PATH || SAFE_PATH, LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C' };
  if (base.HOME) env.HOME = base.HOME;
  if (base.TZ) env.TZ = base.TZ;
  return env;
}

function spawnError(file: string, args: readonly string[], err: NodeJS.ErrnoException) {
  const data = { file, args: [...args], errno: err.code ?? null };
  if (err.code === 'ENOENT') return agtError('AGT_EXEC_NOT_FOUND', `${file}: not found`, { data, cause: err });
  if (err.code === 'EACCES' || err.code === 'EPERM') return agtError('AGT_EXEC_DENIED', `${file}: permission denied`, { data, cause: err });
  return agtError('AGT_EXEC_FAILED', `${file}: ${err.message}`, { data, cause: err });
}

export function createExec(defaults: ExecOptions = {}): Exec {
  return (file, args, options = {}) =>
    new Promise<ExecResult>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? defaults.timeoutMs ?? EXEC_DEFAULTS.timeoutMs;
      const maxBytes = options.maxBytes ?? defaults.maxBytes ?? EXEC_DEFAULTS.maxBytes;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let failure: Error | undefined;
      const child = spawn(file, [...args], { shell: false, env: execEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      const stop = (e: Error): void => {
        failure ??= e;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => {
        stop(agtError('AGT_EXEC_TIMEOUT', `${file} did not finish within ${timeoutMs} ms`, { data: { file, args: [...args], timeoutMs } }));
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxBytes) stop(agtError('AGT_EXEC_OUTPUT_LIMIT', `${file} wrote more than ${maxBytes} bytes`, { data: { file, args: [...args], maxBytes } }));
        else out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        errBytes += chunk.length;
        if (errBytes <= maxBytes) err.push(chunk);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        // A spawn failure (ENOENT, EACCES) may never be followed by 'close'.
        clearTimeout(timer);
        reject(failure ?? spawnError(file, args, e));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (failure) reject(failure);
        else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
      });
    });
}

export const defaultExec: Exec = createExec();
