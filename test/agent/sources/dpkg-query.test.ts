import { execFileSync } from 'node:child_process';
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DPKG_QUERY_ARGS, parseDpkgQuery, sourceOf } from '../../../agent/sources/dpkg-query.ts';
import { debianFixtureAsQuery, SHARED, shared } from '../helpers/source-fixtures.ts';

describe('parseDpkgQuery', () => {
  it('reads the real Debian 12 inventory: 710 packages with binary vs source names and versions', () => {
    const { items, invalid, truncated, unfinished } = parseDpkgQuery(debianFixtureAsQuery());
    expect(invalid).toEqual([]);
    expect(truncated).toBe(false);
    expect(unfinished).toEqual([]);
    expect(items).toHaveLength(710);
    const by = new Map(items.map((p) => [p.name, p]));
    expect(by.get('bash')).toEqual({ name: 'bash', arch: 'amd64', version: '5.2.15-2+b8', source: 'bash', source_version: '5.2.15-2' });
    expect(by.get('bsdutils')).toMatchObject({ version: '1:2.38.1-5+deb12u3', source: 'util-linux', source_version: '2.38.1-5+deb12u3' });
    expect(by.get('cpp')).toMatchObject({ version: '4:12.2.0-3', source: 'gcc-defaults', source_version: '1.203' });
    expect(by.get('adduser')).toMatchObject({ arch: 'all' });
  });

  it('reads the Ubuntu 24.04 inventory (binary:Package with :arch, t64 renames, epochs)', () => {
    const text = shared('inventories/ubuntu-24.04/dpkg-query.tsv')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const [bp = '', version, src, srcVersion] = l.split('\t');
        const [name, arch = 'amd64'] = bp.split(':');
        return [bp, name, arch, version, src, srcVersion, 'ii '].join('\t');
      })
      .join('\n') + '\n';
    const { items, invalid } = parseDpkgQuery(text);
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(92);
    expect(new Set(items.map((p) => p.source)).size).toBe(66);
    const by = new Map(items.map((p) => [p.name, p]));
    expect(by.get('bsdutils')).toMatchObject({ version: '1:2.39.3-9ubuntu6.5', source: 'util-linux', source_version: '2.39.3-9ubuntu6.5' });
    expect(by.get('libssl3t64')).toMatchObject({ source: 'openssl' });
    expect(items.every((p) => !p.name.includes(':'))).toBe(true);
  });

  it('keeps installed states only (ii, hi, triggers) and names the unfinished ones', () => {
    const row = (name: string, abbrev: string) => [name, name, 'amd64', '1.0-1', '', '', abbrev].join('\t');
    const text = [row('a', 'ii '), row('b', 'hi '), row('c', 'iW '), row('d', 'rc '), row('e', 'iU '), row('f', 'iF '), row('g', 'un '), row('h', 'iiR')].join('\n') + '\n';
    const { items, unfinished } = parseDpkgQuery(text);
    expect(items.map((p) => p.name)).toEqual(['a', 'b', 'c', 'h']);
    expect(unfinished).toEqual(['e', 'f']);
    expect(items[0]).toEqual({ name: 'a', arch: 'amd64', version: '1.0-1', source: 'a', source_version: '1.0-1' });
  });

  it('skips garbage and drops a truncated last line', () => {
    const good = debianFixtureAsQuery().split('\n').slice(0, 3).join('\n');
    const text = `${good}\nthis is not a package line\nbad name\tbad name\tamd64\t1.0\t\t\tii \n${'x\t'.repeat(9)}\nadduser2\tadduser2\tall\t3.1`;
    const r = parseDpkgQuery(text);
    expect(r.items).toHaveLength(3);
    expect(r.invalid).toHaveLength(3);
    expect(r.truncated).toBe(true);
  });

  it('resolves "Source: foo (1.2)" and empty source fields', () => {
    expect(sourceOf('libfoo1', '1.2+b1', 'foo (1.2)', '')).toEqual({ source: 'foo', sourceVersion: '1.2' });
    expect(sourceOf('bar', '2.0', '', '')).toEqual({ source: 'bar', sourceVersion: '2.0' });
    expect(sourceOf('bar', '2.0', 'bar-src', '1:2.0')).toEqual({ source: 'bar-src', sourceVersion: '1:2.0' });
  });
});

describe('dpkg-query on a real status file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-dpkg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads trivy\'s Ubuntu 18.04 status file through dpkg-query --admindir (90 installed, 1 config-files left out)', () => {
    copyFileSync(join(SHARED, 'inventories/trivy-dpkg-status/status'), join(dir, 'status'));
    const out = execFileSync('dpkg-query', [`--admindir=${dir}`, ...DPKG_QUERY_ARGS], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] });
    const { items, invalid } = parseDpkgQuery(out);
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(90);
    expect(items.find((p) => p.name === 'git')).toBeUndefined();
    expect(items.find((p) => p.name === 'fdisk')).toMatchObject({ source: 'util-linux', source_version: '2.31.1-0.4ubuntu3.1' });
    expect(items.find((p) => p.name === 'libpam-runtime')).toMatchObject({ arch: 'all', source: 'pam' });
  });
});
