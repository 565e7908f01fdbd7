import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readRotatedLogs } from '../../../agent/sources/log-files.ts';
import { testContext } from '../helpers/source-fixtures.ts';

describe('readRotatedLogs', () => {
  const root = mkdtempSync(join(tmpdir(), 'pp-logs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'var/log');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dpkg.log'), 'current\n');
  writeFileSync(join(dir, 'dpkg.log.1'), 'one\n');
  writeFileSync(join(dir, 'dpkg.log.2.gz'), gzipSync('two\n'));
  writeFileSync(join(dir, 'dpkg.log.10.gz'), gzipSync('ten\n'));
  writeFileSync(join(dir, 'dpkg.log.3.gz'), 'not gzip at all');
  writeFileSync(join(dir, 'dpkg.logger'), 'unrelated');
  const old = new Date('2026-01-01T00:00:00Z');
  utimesSync(join(dir, 'dpkg.log.10.gz'), old, old);

  it('reads current and rotated files oldest first, gunzipping, warning on a corrupt one', async () => {
    const ctx = testContext({ root });
    const logs = await readRotatedLogs(ctx, '/var/log/dpkg.log');
    expect(logs.map((l) => [l.path, l.text])).toEqual([
      ['/var/log/dpkg.log.10.gz', 'ten\n'],
      ['/var/log/dpkg.log.2.gz', 'two\n'],
      ['/var/log/dpkg.log.1', 'one\n'],
      ['/var/log/dpkg.log', 'current\n'],
    ]);
    expect(ctx.warnings.map((w) => w.code)).toEqual(['AGT_LOG_UNREADABLE']);
    expect(ctx.warnings[0]!.message).toMatch(/^\/var\/log\/dpkg\.log\.3\.gz: /);
  });

  it('skips rotated files last written before `since`', async () => {
    const logs = await readRotatedLogs(testContext({ root }), '/var/log/dpkg.log', { since: new Date('2026-06-01T00:00:00Z') });
    expect(logs.map((l) => l.path)).not.toContain('/var/log/dpkg.log.10.gz');
    expect(logs.map((l) => l.path)).toContain('/var/log/dpkg.log');
  });

  it('reads only the tail of an oversized plain log, from a line start', async () => {
    writeFileSync(join(dir, 'big.log'), 'aaaa\nbbbb\ncccc\n');
    const [log] = await readRotatedLogs(testContext({ root }), '/var/log/big.log', { maxBytes: 8 });
    expect(log!.text).toBe('cccc\n');
  });

  it('warns about a missing required log, not about a missing optional one', async () => {
    const ctx = testContext({ root });
    expect(await readRotatedLogs(ctx, '/var/log/apt/history.log')).toEqual([]);
    expect(ctx.warnings).toEqual([]);
    expect(await readRotatedLogs(ctx, '/var/log/yum.log', { required: true })).toEqual([]);
    expect(ctx.warnings.map((w) => w.code)).toEqual(['AGT_LOG_MISSING']);
  });
});
