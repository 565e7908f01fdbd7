// The `patchproof` entry point as users start it: directly, through a symlink (npm's bin links
// and npx), and `help COMMAND`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../cli/patchproof.ts');
const tmp = mkdtempSync(join(tmpdir(), 'pp-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('patchproof entry point', () => {
  it('prints the command list when started directly', () => {
    const r = run(CLI, ['help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Commands:$/m);
    expect(r.stdout).toMatch(/^ {2}verify /m);
  });

  it('runs when started through a symlink, as npm bin links and npx do', () => {
    const link = join(tmp, 'patchproof');
    symlinkSync(CLI, link);
    const r = run(link, ['version', 'compare', '--ecosystem', 'dpkg', '1.0-1', '1.0-2']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('-1');
    expect(r.status).toBe(0);
  });

  it('`help COMMAND` prints that command\'s usage, not the general help', () => {
    const general = execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    const r = run(CLI, ['help', 'verify']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--expect-ancestor');
    expect(r.stdout).not.toBe(general);
  });

  it('`help` with an unknown command fails with a coded error', () => {
    const r = run(CLI, ['help', 'no-such-command']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CLI_UNKNOWN_COMMAND');
  });
});
