import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { createExec, defaultExec, execEnv } from '../../agent/exec.ts';

describe('exec', () => {
  it('runs a binary without a shell and returns stdout, stderr and the exit code', async () => {
    const r = await defaultExec('/bin/sh', ['-c', 'echo "$0 $1"; echo err >&2; exit 3', '$(whoami)', '; rm -rf /']);
    expect(r).toEqual({ stdout: '$(whoami) ; rm -rf /\n', stderr: 'err\n', code: 3 });
  });

  it('passes a C locale and little else', async () => {
    const r = await defaultExec('env', []);
    const env = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
    expect(env.LC_ALL).toBe('C');
    expect(env.LANG).toBe('C');
    expect(Object.keys(env).sort()).toEqual(Object.keys(execEnv()).sort());
    expect(execEnv({ PATH: '/x', SECRET: 'no', HOME: '/h' })).toEqual({ PATH: '/x', LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C', HOME: '/h' });
  });

  it('a missing binary is AGT_EXEC_NOT_FOUND', async () => {
    const err = await defaultExec('no-such-tool-patchproof', ['x']).catch((e: unknown) => e);
    expect(isPatchproofError(err, 'AGT_EXEC_NOT_FOUND')).toBe(true);
  });

  it('a non-executable file is AGT_EXEC_DENIED', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pp-exec-')), 'not-executable');
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    const err = await defaultExec(file, []).catch((e: unknown) => e);
    expect(isPatchproofError(err, 'AGT_EXEC_DENIED')).toBe(true);
  });

  it('kills a slow command: AGT_EXEC_TIMEOUT', async () => {
    const t = Date.now();
    const err = await createExec({ timeoutMs: 200 })('sleep', ['5']).catch((e: unknown) => e);
    expect(isPatchproofError(err, 'AGT_EXEC_TIMEOUT')).toBe(true);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('kills a chatty command: AGT_EXEC_OUTPUT_LIMIT', async () => {
    const err = await defaultExec('yes', [], { maxBytes: 100_000 }).catch((e: unknown) => e);
    expect(isPatchproofError(err, 'AGT_EXEC_OUTPUT_LIMIT')).toBe(true);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const r = await defaultExec('/bin/sh', ['-c', "printf '%.0s€' $(seq 1 40000)"]);
    expect(r.stdout).toBe('€'.repeat(40000));
  });
});
