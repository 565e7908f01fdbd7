// Reads many files of one commit from a git repository with two git processes: `ls-tree -r`
// maps the wanted paths to blob ids, then one `cat-file --batch` streams the blobs. Asking
// cat-file for "commit:path" instead resolves every path from the root tree again (seconds for
// 20,000 files); by blob id it takes a fraction of a second. Read-only; the repository may be bare.
import { spawn } from 'node:child_process';
import { siteError } from '../errors.ts';

function gitError(repoDir: string, what: string, detail: string): Error {
  return siteError('SITE_EVIDENCE_MISSING', `git ${what} failed in ${repoDir}: ${detail.trim().slice(0, 300)}`, {
    hint: 'Build from the evidence repository the model was evaluated from; git must be installed.',
  });
}

/** Runs git, feeding `input`, handing each stdout chunk to `onData`; rejects on a non-zero exit. */
function git(repoDir: string, args: string[], onData: (chunk: Buffer) => void, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('git', ['-C', repoDir, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stderr = '';
    p.stdout?.on('data', onData);
    p.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    p.on('error', (cause) => reject(gitError(repoDir, args[0] ?? '', cause.message)));
    p.on('close', (code) => (code === 0 ? resolve() : reject(gitError(repoDir, args[0] ?? '', `exit ${code}: ${stderr}`))));
    if (input !== undefined && p.stdin) {
      p.stdin.on('error', () => {});
      p.stdin.end(input);
    }
  });
}

/** Blob ids of the wanted paths at `commit` (paths that are missing are absent from the map). */
async function blobIds(repoDir: string, commit: string, wanted: ReadonlySet<string>): Promise<Map<string, string>> {
  const tops = [...new Set([...wanted].map((p) => p.split('/')[0] as string))].sort();
  const ids = new Map<string, string>();
  let rest = '';
  const take = (entry: string) => {
    // "<mode> <type> <id>\t<path>"
    const tab = entry.indexOf('\t');
    const path = entry.slice(tab + 1);
    if (tab > 0 && wanted.has(path)) ids.set(path, entry.slice(0, tab).split(' ')[2] as string);
  };
  await git(repoDir, ['ls-tree', '-r', '-z', commit, '--', ...tops], (chunk) => {
    const parts = (rest + chunk.toString('utf8')).split('\0');
    rest = parts.pop() ?? '';
    for (const entry of parts) take(entry);
  });
  if (rest) take(rest);
  return ids;
}

/** Streams the given blob ids through one cat-file process, handing each blob to `onBlob` as it arrives. */
async function eachBlob(repoDir: string, ids: readonly string[], onBlob: (id: string, data: Buffer) => void): Promise<void> {
  if (ids.length === 0) return;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  const parse = () => {
    for (;;) {
      const nl = pending.indexOf(10);
      if (nl < 0) return;
      const header = pending.subarray(0, nl).toString('utf8');
      const size = Number(header.split(' ')[2]);
      if (header.endsWith(' missing') || !Number.isSafeInteger(size)) {
        index += 1;
        pending = pending.subarray(nl + 1);
        continue;
      }
      if (pending.length < nl + 1 + size + 1) return;
      onBlob(ids[index] as string, pending.subarray(nl + 1, nl + 1 + size));
      index += 1;
      pending = pending.subarray(nl + 2 + size);
    }
  };
  await git(repoDir, ['cat-file', '--batch'], (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    parse();
  }, ids.map((id) => `${id}\n`).join(''));
}

/**
 * Calls `onFile(i, data)` for each path `paths[i]` that exists at `commit`, as the blobs stream
 * in (so a build holds one blob at a time, not the whole evidence set; `data` is only valid
 * during the call). Returns the indexes of the paths that do not exist there. An exception
 * thrown by `onFile` stops the delivery and rejects once git has finished.
 */
export async function forEachBlob(repoDir: string, commit: string, paths: readonly string[], onFile: (i: number, data: Buffer) => void): Promise<number[]> {
  const ids = await blobIds(repoDir, commit, new Set(paths));
  const byId = new Map<string, number[]>();
  paths.forEach((p, i) => {
    const id = ids.get(p);
    if (id !== undefined) byId.set(id, [...(byId.get(id) ?? []), i]);
  });
  const delivered = new Set<number>();
  let failure: unknown = null;
  await eachBlob(repoDir, [...byId.keys()], (id, data) => {
    if (failure !== null) return;
    try {
      for (const i of byId.get(id) ?? []) {
        onFile(i, data);
        delivered.add(i);
      }
    } catch (err) {
      failure = err;
    }
  });
  if (failure !== null) throw failure;
  return paths.flatMap((_, i) => (delivered.has(i) ? [] : [i]));
}

/** The commit id HEAD points at, for models that name no commit. */
export async function resolveHead(repoDir: string): Promise<string> {
  let out = '';
  await git(repoDir, ['rev-parse', '--verify', 'HEAD^{commit}'], (c) => (out += c.toString('utf8')));
  return out.trim();
}
