// Crash safety: a writer doing grouped, audited writes is killed with SIGKILL at random moments,
// again and again. After every kill the repository passes `git fsck`, every acknowledged commit is
// in the history, and after the last one `verify` finds nothing wrong.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome } from '../../evidence/home.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { openReader } from '../../evidence/reader.ts';
import { topoCommits } from '../../evidence/verify-history.ts';
import { fsckClean, haveTool, removeDir, tempDir } from '../evidence/helpers.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function runAndKill(home: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString();
      if (!before.includes('ready\n') && out.includes('ready\n')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code}: ${err}`));
      else resolve(out.split('\n').filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')[1]!));
    });
  });
}

describe.runIf(haveTool('git'))('crash safety', () => {
  it('survives repeated kill -9 during grouped writes', async () => {
    const root = tempDir('pp-crash-');
    dirs.push(root);
    const home = join(root, 'home');
    const { paths } = await initHome({ home, org: 'Crash Test' });
    let acked = 0;
    for (let i = 0; i < 8; i++) {
      const acks = await runAndKill(home, 40 + Math.floor(Math.random() * 400));
      acked += acks.length;
      const fsck = fsckClean(paths.evidenceRepo);
      expect(fsck.ok, fsck.output).toBe(true);
      const reader = await openReader(paths.evidenceRepo);
      const history = new Set(topoCommits(reader.odb, (await reader.head())!));
      reader.close();
      for (const c of acks) expect(history.has(c), `acknowledged commit ${c} lost`).toBe(true);
    }
    expect(acked).toBeGreaterThan(0);
    const report = await verifyRepository(paths.evidenceRepo);
    expect(report.problems).toEqual([]);
    expect(report.stats.reports).toBeGreaterThan(0);
  });
});
