import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apkSource } from '../../../agent/sources/apk.ts';
import { parseApkInstalled } from '../../../agent/sources/apk-db.ts';
import { parseApkListUpgradable, parseApkVersion, splitApkNameVersion } from '../../../agent/sources/apk-upgrades.ts';
import { sample, scriptedExec, shared, testContext } from '../helpers/source-fixtures.ts';

describe('apk database', () => {
  it('reads the real Alpine 3.11.5 /lib/apk/db/installed: 14 packages with origins', () => {
    const { items, invalid, truncated } = parseApkInstalled(shared('inventories/alpine-3.11.5-installed-db/installed'));
    expect(invalid).toEqual([]);
    expect(truncated).toBe(false);
    expect(items).toHaveLength(14);
    expect(items[0]).toEqual({ name: 'musl', arch: 'x86_64', version: '1.1.24-r2', source: 'musl', source_version: '1.1.24-r2', build_time: '2020-03-21T11:35:50Z' });
    const by = new Map(items.map((p) => [p.name, p]));
    expect(by.get('libcrypto1.1')).toMatchObject({ source: 'openssl' });
    expect(by.get('ssl_client')).toMatchObject({ source: 'busybox' });
  });

  it('takes the build time from `t:` (unix seconds) of the real Alpine 3.11.5 database', () => {
    const { items } = parseApkInstalled(shared('inventories/alpine-3.11.5-installed-db/installed'));
    // expected values: `date -u -d @<t:>` of each stanza's t: line
    expect(Object.fromEntries(items.map((p) => [p.name, p.build_time]))).toEqual({
      musl: '2020-03-21T11:35:50Z',
      busybox: '2020-01-15T10:36:22Z',
      'alpine-baselayout': '2019-11-29T14:51:56Z',
      'alpine-keys': '2019-06-05T06:36:04Z',
      'libcrypto1.1': '2019-12-26T13:56:56Z',
      'libssl1.1': '2019-12-26T13:56:56Z',
      'ca-certificates-cacert': '2020-02-06T12:01:55Z',
      'libtls-standalone': '2019-11-15T19:02:39Z',
      ssl_client: '2020-01-15T10:36:22Z',
      zlib: '2019-11-15T12:11:38Z',
      'apk-tools': '2019-11-15T19:34:51Z',
      scanelf: '2019-11-15T19:34:19Z',
      'musl-utils': '2020-03-21T11:35:50Z',
      'libc-utils': '2019-12-07T20:03:24Z',
    });
  });

  it('leaves the build time out when `t:` is missing, zero or not a number', () => {
    const text = 'P:a\nV:1-r0\nA:x86_64\n\nP:b\nV:1-r0\nA:x86_64\nt:0\n\nP:c\nV:1-r0\nA:x86_64\nt:soon\n\nP:d\nV:1-r0\nA:x86_64\nt:-5\n\nP:e\nV:1-r0\nA:x86_64\nt:1700000000\n\n';
    const { items, invalid } = parseApkInstalled(text);
    expect(invalid).toEqual([]);
    expect(items.map((p) => [p.name, p.build_time])).toEqual([['a', undefined], ['b', undefined], ['c', undefined], ['d', undefined], ['e', '2023-11-14T22:13:20Z']]);
    expect(items.filter((p) => 'build_time' in p).map((p) => p.name)).toEqual(['e']);
  });

  it('agrees with `apk info -v` name-version splitting of the Alpine 3.22 list', () => {
    const rows = shared('inventories/alpine-3.22.6/apk-info-v.txt').split('\n').filter((l) => l !== '');
    const split = rows.map(splitApkNameVersion);
    expect(split.every((s) => s !== null)).toBe(true);
    expect(split.find((s) => s!.name === 'alpine-baselayout-data')).toEqual({ name: 'alpine-baselayout-data', version: '3.7.0-r0' });
  });

  it('notices a truncated database and skips a broken stanza', () => {
    const text = 'P:good\nV:1.0-r0\nA:x86_64\n\nP:bad name\nV:1\nA:x86_64\n\nP:cut\nV:2.0-r1';
    const r = parseApkInstalled(text);
    expect(r.items.map((p) => p.name)).toEqual(['good', 'cut']);
    expect(r.invalid).toHaveLength(1);
    expect(r.truncated).toBe(true);
  });
});

describe('apk upgrades', () => {
  it('reads `apk list -u`', () => {
    const { items, invalid } = parseApkListUpgradable(sample('apk-list-u.txt'));
    expect(invalid).toEqual([]);
    expect(items).toEqual([
      { name: 'busybox', arch: 'x86_64', installed: '1.37.0-r20', candidate: '1.37.0-r21', security: false },
      { name: 'busybox-binsh', arch: 'x86_64', installed: '1.37.0-r20', candidate: '1.37.0-r21', security: false },
      { name: 'libcrypto3', arch: 'x86_64', installed: '3.5.8-r0', candidate: '3.5.9-r0', security: false },
      { name: 'libssl3', arch: 'x86_64', installed: '3.5.8-r0', candidate: '3.5.9-r0', security: false },
    ]);
  });

  it("reads `apk version -l '<'`, taking the arch from the inventory", () => {
    const { items } = parseApkVersion(sample('apk-version.txt'), () => 'x86_64');
    expect(items.map((u) => [u.name, u.installed, u.candidate, u.arch])).toEqual([
      ['busybox', '1.37.0-r20', '1.37.0-r21', 'x86_64'],
      ['libcrypto3', '3.5.8-r0', '3.5.9-r0', 'x86_64'],
    ]);
  });

  describe('the apk source', () => {
    const root = mkdtempSync(join(tmpdir(), 'pp-apk-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
    writeFileSync(join(root, 'lib/apk/db/installed'), shared('inventories/alpine-3.11.5-installed-db/installed'));

    it('detects, lists and falls back to `apk version` when `apk list` is missing', async () => {
      const exec = scriptedExec({ 'apk list': { code: 1, stderr: 'apk: unknown applet list' }, 'apk version': { stdout: 'Installed: Available:\nmusl-1.1.24-r2 < 1.1.24-r3\n' } });
      const ctx = testContext({ root, exec });
      const src = apkSource();
      expect(await src.detect(ctx)).toBe(true);
      expect(await src.installed(ctx)).toHaveLength(14);
      expect(await src.pending(ctx)).toEqual([{ name: 'musl', arch: 'x86_64', installed: '1.1.24-r2', candidate: '1.1.24-r3', security: false }]);
      expect(await src.history(ctx)).toEqual([]);
      expect(ctx.warnings).toEqual([]);
    });
  });
});
