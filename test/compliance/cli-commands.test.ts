// The `version` and `advisories` CLI commands, run in-process with an injected CliIO.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run as advisories } from '../../cli/commands/advisories.ts';
import { run as version } from '../../cli/commands/version.ts';
import type { CliIO } from '../../cli/io.ts';
import { apkVersionCompare } from '../../compliance/apk-version.ts';
import { fixturePath } from './fixtures.ts';

function fakeIO(stdin = '', cwd = process.cwd()): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    stdin: async () => stdin,
    env: {},
    cwd,
    out: () => out,
    err: () => err,
  };
}

const work = mkdtempSync(path.join(tmpdir(), 'pp-cli-cmp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('patchproof version', () => {
  it.each([
    ['dpkg', '1:9.6p1-3ubuntu13.3', '9.9', '1'],
    ['dpkg', '2.2~rc-4', '2.2-1', '-1'],
    ['rpm', '1.0^git1', '1.0', '1'],
    ['rpm', '10.0001', '10.1', '0'],
    ['apk', '1.3_alpha', '1.3', '-1'],
  ])('compare --ecosystem %s %s %s → %s', async (eco, a, b, expected) => {
    const io = fakeIO();
    expect(await version(['compare', '--ecosystem', eco, a, b], io)).toBe(0);
    expect(io.out()).toBe(`${expected}\n`);
  });

  it('sorts stdin ascending and stably', async () => {
    const io = fakeIO('1.0-1\n1:0.1\n0.9~rc1\n\n0:1.0-1\n1.0\r\n');
    expect(await version(['sort', '--ecosystem', 'dpkg'], io)).toBe(0);
    expect(io.out()).toBe('0.9~rc1\n1.0\n1.0-1\n0:1.0-1\n1:0.1\n');
  });

  it('sorts 50,000 lines', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i % 500}.${(i * 37) % 100}-r${i % 9}`);
    const io = fakeIO(lines.join('\n'));
    const t0 = performance.now();
    expect(await version(['sort', '--ecosystem', 'apk'], io)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(3000);
    const out = io.out().trimEnd().split('\n');
    expect(out).toHaveLength(50_000);
    expect(out[0]).toBe('0.0-r0');
    for (let i = 1; i < out.length; i++) expect(apkVersionCompare(out[i - 1]!, out[i]!)).toBeLessThanOrEqual(0);
  });

  it('refuses an invalid version with code, message and hint, exit 2', async () => {
    const io = fakeIO();
    expect(await version(['compare', '--ecosystem', 'apk', '1.0', '1.0bc'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^error CMP_VERSION_INVALID: invalid apk version "1.0bc"\nhint: .+\n$/);
  });

  it('names the line of an invalid version in sort input', async () => {
    const io = fakeIO('1.0\n2.0\n0:\n');
    expect(await version(['sort', '--ecosystem', 'dpkg'], io)).toBe(2);
    expect(io.err()).toMatch(/^error CMP_VERSION_INVALID: line 3: invalid dpkg version "0:": nothing after colon/);
  });

  it.each([
    [['compare', '--ecosystem', 'npm', '1', '2'], /^error CMP_ECOSYSTEM_UNKNOWN/],
    [['compare', '1', '2'], /^error CLI_USAGE: missing required option --ecosystem/],
    [['compare', '--ecosystem', 'rpm', '1'], /^error CLI_USAGE: version compare takes two versions/],
    [['frobnicate'], /^error CLI_USAGE: unknown version action/],
    [['sort', '--ecosystem', 'rpm', '--bogus'], /^error CLI_USAGE: Unknown option '--bogus'/],
  ])('usage errors: %j', async (argv, pattern) => {
    const io = fakeIO();
    expect(await version(argv, io)).toBe(2);
    expect(io.err()).toMatch(pattern);
  });

  it('prints usage for --help', async () => {
    const io = fakeIO();
    expect(await version(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/patchproof version compare --ecosystem/);
  });
});

describe('patchproof advisories', () => {
  it('imports a folder into HOME/advisories, prints progress and a summary', async () => {
    const io = fakeIO('', work);
    expect(await advisories(['import', fixturePath('osv/ubuntu/records'), '--home', 'home'], io)).toBe(0);
    const dir = path.join(work, 'home', 'advisories');
    const current = JSON.parse(readFileSync(path.join(dir, 'current'), 'utf8')) as { snapshot: string; sha256: string; count: number };
    expect(current.count).toBe(8);
    expect(current.snapshot).toBe(`snapshot-${current.sha256.slice(0, 12)}.json`);
    expect(existsSync(path.join(dir, current.snapshot.replace('.json', '.index.json')))).toBe(true);
    expect(io.out()).toBe(
      `imported 8 advisories into ${path.join(dir, current.snapshot)}\nsha256 ${current.sha256}\nskipped 0 invalid record(s)\nwithdrawn 0 record(s) left out\n`,
    );
    expect(io.err()).toBe('read 8 JSON file(s)\nvalidated 8/8\nwrote snapshot of 8 record(s)\n');

    const status = fakeIO('', work);
    expect(await advisories(['status', '--home', 'home'], status)).toBe(0);
    expect(status.out()).toContain(`sha256 ${current.sha256}\nrecords 8\n`);
  });

  it('exits 1 and lists skipped records when some are invalid', async () => {
    const { mkdirSync, writeFileSync, copyFileSync } = await import('node:fs');
    const src = path.join(work, 'mixed');
    mkdirSync(src, { recursive: true });
    copyFileSync(fixturePath('osv/ubuntu/records/USN-6859-1.json'), path.join(src, 'USN-6859-1.json'));
    writeFileSync(path.join(src, 'bad.json'), JSON.stringify({ id: 'USN-1-1', modified: 'yesterday' }));
    const io = fakeIO('', work);
    expect(await advisories(['import', 'mixed', '--home', 'home2'], io)).toBe(1);
    expect(io.err()).toMatch(/^skipped bad\.json \(USN-1-1\): \/modified must match /m);
    expect(io.out()).toContain('imported 1 advisories');
  });

  it('reports errors with codes', async () => {
    const missing = fakeIO('', work);
    expect(await advisories(['import', 'does-not-exist', '--home', 'home'], missing)).toBe(2);
    expect(missing.err()).toMatch(/^error CMP_ADVISORY_SOURCE: /);
    const noHome = fakeIO('', work);
    expect(await advisories(['import', 'x'], noHome)).toBe(2);
    expect(noHome.err()).toMatch(/^error CLI_USAGE: missing required option --home/);
    const noSnapshot = fakeIO('', work);
    expect(await advisories(['status', '--home', 'empty-home'], noSnapshot)).toBe(2);
    expect(noSnapshot.err()).toMatch(/^error CMP_SNAPSHOT_NOT_FOUND: .*\nhint: Import advisories first/);
  });
});
