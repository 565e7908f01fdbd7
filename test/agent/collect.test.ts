import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPatchproofError } from '../../evidence/errors.ts';
import { inventorySha256 } from '../../evidence/packages-tsv.ts';
import { check } from '../../evidence/schema.ts';
import { collect, type PackageSource } from '../../agent/collect.ts';
import { fixedOffset } from '../../agent/sources/local-time.ts';
import { debianFixtureAsQuery, fakeProbe, sample, scriptedExec, type Script, shared } from './helpers/source-fixtures.ts';

const NOW = () => new Date('2026-11-22T12:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function makeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pp-collect-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const debianRoot = makeRoot({
  '/var/lib/dpkg/status': '',
  '/etc/os-release': shared('inventories/debian-12-local-host/os-release'),
  '/var/log/dpkg.log': shared('logs/debian-12-local-host/dpkg.log'),
  '/var/log/apt/history.log': shared('logs/debian-12-local-host/apt-history.log'),
});
const debianScript: Script = {
  'dpkg-query': { stdout: debianFixtureAsQuery() },
  'apt-get': { stdout: shared('inventories/debian-12-local-host/apt-get-s-upgrade.txt') },
};
const base = { root: debianRoot, now: NOW, localTime: fixedOffset(0), probe: fakeProbe() };

function valid(body: unknown): void {
  expect(check('reportBody', body)).toBeNull();
}

describe('collect on the real Debian 12 fixtures', () => {
  it('builds a schema-valid body with inventory, pending updates, history and host facts', async () => {
    const { body } = await collect({ ...base, exec: scriptedExec(debianScript) });
    valid(body);
    expect(body.warnings).toEqual([]);
    expect(body.package_manager).toBe('dpkg');
    expect(body.arch).toBe('amd64');
    expect(body.collected_at).toBe('2026-11-22T12:00:00Z');
    expect(body.agent_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.os).toMatchObject({ id: 'debian', version_id: '12', version_codename: 'bookworm' });
    expect(body.inventory_count).toBe(710);
    expect(body.packages).toHaveLength(710);
    expect(body.inventory_sha256).toBe(inventorySha256(body.packages));
    expect(body.packages.map((p) => `${p.name}\t${p.arch}`)).toEqual([...body.packages.map((p) => `${p.name}\t${p.arch}`)].sort());
    expect(body.pending).toHaveLength(136);
    expect(body.pending.filter((p) => p.security)).toHaveLength(81);
    const openssl = body.history.filter((e) => e.name === 'openssl' && e.action === 'upgrade');
    expect(openssl).toEqual([
      {
        time: '2026-05-09T07:29:19Z',
        action: 'upgrade',
        name: 'openssl',
        arch: 'amd64',
        from: '3.0.16-1~deb12u1',
        to: '3.0.19-1~deb12u2',
        command: expect.stringMatching(/^apt-get install -y build-essential .* tmux$/),
      },
    ]);
    expect(body.kernel).toEqual({ running: '6.1.0-18-amd64', installed: [], reboot_required: false, reboot_reason: null });
  });

  it('reports only history after `since`', async () => {
    const { body } = await collect({ ...base, exec: scriptedExec(debianScript), since: new Date('2026-09-01T00:00:00Z') });
    expect(body.history.length).toBeGreaterThan(0);
    expect(body.history.every((e) => e.time > '2026-09-01T00:00:00Z')).toBe(true);
  });

  it('rejects unknown options (a programming error, not a collection failure)', async () => {
    const err = await collect({ ...base, rooot: '/' } as never).catch((e: unknown) => e);
    expect(isPatchproofError(err, 'AGT_OPTION_INVALID')).toBe(true);
  });
});

describe('collect with bad input never throws', () => {
  const codes = (body: { warnings: Array<{ code: string }> }) => body.warnings.map((w) => w.code);

  it('truncated dpkg-query output', async () => {
    const text = debianFixtureAsQuery();
    const { body } = await collect({ ...base, exec: scriptedExec({ ...debianScript, 'dpkg-query': { stdout: text.slice(0, Math.floor(text.length / 2)) } }) });
    valid(body);
    expect(codes(body)).toEqual(['AGT_INVENTORY_TRUNCATED']);
    expect(body.inventory_count).toBeGreaterThan(300);
    expect(body.inventory_count).toBeLessThan(400);
  });

  it('garbage and hostile lines are dropped with one warning each kind', async () => {
    const hostile = [
      'garbage without tabs',
      'evil\u001b[31m\tevil\u001b[31m\tamd64\t1.0\t\t\tii ',
      `long\tlong\tamd64\t${'9'.repeat(300)}\t\t\tii `,
      'slash/name\tslash/name\tamd64\t1.0\t\t\tii ',
      'ok-pkg\tok-pkg\tamd64\t1.0\tsrc with space\t\tii ',
    ].join('\n');
    const { body } = await collect({ ...base, exec: scriptedExec({ ...debianScript, 'dpkg-query': { stdout: `${debianFixtureAsQuery()}${hostile}\n` } }) });
    valid(body);
    expect(codes(body)).toEqual(['AGT_INVENTORY_LINE_INVALID']);
    expect(body.warnings[0]!.message).toMatch(/skipped 4 unparseable line\(s\)/);
    expect(body.inventory_count).toBe(711);
    expect(body.packages.find((p) => p.name === 'ok-pkg')).toEqual({ name: 'ok-pkg', arch: 'amd64', version: '1.0', source: 'ok-pkg', source_version: '1.0' });
  });

  it('a missing package manager binary (ENOENT) → inventory and pending warnings, still a valid body', async () => {
    const { body } = await collect({ ...base, exec: scriptedExec({}) });
    valid(body);
    expect(codes(body)).toEqual(['AGT_INVENTORY_FAILED', 'AGT_PENDING_FAILED']);
    expect(body.warnings[0]!.message).toBe('dpkg-query: not found');
    expect(body.inventory_count).toBe(0);
    expect(body.history.length).toBeGreaterThan(0); // the logs are still read
  });

  it('apt failing (lists missing, lock) is a pending warning with apt\'s own message', async () => {
    const { body } = await collect({ ...base, exec: scriptedExec({ ...debianScript, 'apt-get': { code: 100, stderr: 'W: warning\nE: The package lists or status file could not be parsed or opened.\n' } }) });
    valid(body);
    expect(body.warnings).toEqual([{ code: 'AGT_PENDING_FAILED', message: 'apt-get -s exited with 100: W: warning' }]);
  });

  it('no package database at all → empty inventory, manager guessed from os-release', async () => {
    const root = makeRoot({ '/etc/os-release': shared('inventories/alpine-3.11.5-installed-db/os-release') });
    const { body } = await collect({ root, now: NOW, probe: fakeProbe(), exec: scriptedExec({}) });
    valid(body);
    expect(codes(body)).toEqual(['AGT_NO_PACKAGE_MANAGER']);
    expect(body.package_manager).toBe('apk');
    expect(body.inventory_count).toBe(0);
    expect(body.packages).toEqual([]);
    expect(body.inventory_sha256).toBe(inventorySha256([]));
  });

  it('garbage in the logs and a hostile apt command line', async () => {
    const root = makeRoot({
      '/var/lib/dpkg/status': '',
      '/var/log/dpkg.log': '2026-05-09 07:29:19 upgrade openssl:amd64 3.0.16-1~deb12u1 3.0.19-1~deb12u2\n\u0000\u0001binary junk\n2026-13-45 99:99:99 install x:amd64 <none> 1\n',
      '/var/log/apt/history.log': `\nStart-Date: 2026-05-09  07:29:02\nCommandline: apt-get install \u001b]0;pwned\u0007 ${'x'.repeat(3000)}\nRequested-By: mallory\u0000 (1001)\nEnd-Date: 2026-05-09  07:29:30\n`,
    });
    const { body } = await collect({ root, now: NOW, localTime: fixedOffset(0), probe: fakeProbe(), exec: scriptedExec(debianScript) });
    valid(body);
    expect(codes(body)).toEqual(['AGT_HOST_FACT_UNAVAILABLE', 'AGT_LOG_LINE_INVALID']); // sorted by code
    expect(body.history).toHaveLength(1);
    expect(body.history[0]!.command).toHaveLength(2048);
    expect(body.history[0]!.by).toBe('mallory  (1001)');
  });

  it('too many warnings are capped at the schema limit', async () => {
    let n = 0;
    const noisy: PackageSource = {
      manager: 'dpkg',
      detect: async () => true,
      installed: async (ctx) => {
        for (let i = 0; i < 150; i++) ctx.warn('AGT_INVENTORY_LINE_INVALID', `problem ${n++}`);
        return [];
      },
      pending: async () => [],
      history: async () => [],
    };
    const { body } = await collect({ ...base, sources: [noisy] });
    valid(body);
    expect(body.warnings).toHaveLength(100);
    expect(body.warnings[99]).toEqual({ code: 'AGT_WARNINGS_TRUNCATED', message: '51 more warning(s) not shown' });
  });

  it('a source that throws everywhere still yields a body; bad items from a source are dropped', async () => {
    const broken: PackageSource = {
      manager: 'rpm',
      detect: async () => true,
      installed: async () => [{ name: 'ok', arch: 'x86_64', version: '1-1' }, { name: 'bad\nname', arch: 'x86_64', version: '1' }],
      pending: async () => {
        throw new Error('boom');
      },
      history: async () => [{ time: 'yesterday', action: 'install', name: 'x' }],
      kernels: async () => ['5.14.0-503.11.1.el9_5.x86_64', 'not a kernel'],
    };
    const { body } = await collect({ ...base, probe: fakeProbe({ release: () => '5.14.0-427.13.1.el9_4.x86_64' }), sources: [broken] });
    valid(body);
    expect(body.packages.map((p) => p.name)).toEqual(['ok']);
    expect(body.history).toEqual([]);
    expect(body.kernel).toMatchObject({ installed: ['5.14.0-503.11.1.el9_5.x86_64'], reboot_required: true });
    expect(body.arch).toBe('x86_64');
    expect(codes(body)).toEqual(['AGT_INVENTORY_LINE_INVALID', 'AGT_LOG_LINE_INVALID', 'AGT_PENDING_FAILED']);
  });
});

describe('collect on other distributions (fixtures + hand-written samples)', () => {
  it('Alpine: apk database and apk list -u', async () => {
    const root = makeRoot({ '/lib/apk/db/installed': shared('inventories/alpine-3.11.5-installed-db/installed'), '/etc/os-release': shared('inventories/alpine-3.11.5-installed-db/os-release') });
    const { body } = await collect({ root, now: NOW, probe: fakeProbe(), exec: scriptedExec({ 'apk list': { stdout: sample('apk-list-u.txt') } }) });
    valid(body);
    expect(body).toMatchObject({ package_manager: 'apk', arch: 'x86_64', inventory_count: 14, os: { id: 'alpine' } });
    expect(body.packages.find((p) => p.name === 'musl')).toMatchObject({ build_time: '2020-03-21T11:35:50Z' });
    expect(body.packages.every((p) => p.build_time !== undefined)).toBe(true);
    expect(body.pending).toHaveLength(4);
    expect(body.warnings).toEqual([]);
  });

  it('AlmaLinux: rpm + dnf with advisories', async () => {
    const root = makeRoot({ '/var/lib/rpm/rpmdb.sqlite': '', '/usr/bin/dnf': '', '/etc/os-release': 'ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.8"\n', '/var/log/dnf.rpm.log': sample('dnf.rpm.log') });
    const rows = 'openssl-libs\t1\t3.5.5\t6.el9_8\tx86_64\topenssl-3.5.5-6.el9_8.src.rpm\t1760000000\nkernel-core\t0\t5.14.0\t611.5.1.el9_8\tx86_64\tkernel-5.14.0-611.5.1.el9_8.src.rpm\t1760000000\n';
    const exec = scriptedExec({
      rpm: { stdout: rows },
      'dnf -C -q check-update': { stdout: sample('dnf4-check-update.txt'), code: 100 },
      'dnf -C -q updateinfo list': { stdout: sample('dnf4-updateinfo-list.txt') },
      'dnf -C -q updateinfo info': { stdout: sample('dnf4-updateinfo-info.txt') },
    });
    const { body } = await collect({ root, now: NOW, localTime: fixedOffset(0), probe: fakeProbe({ release: () => '5.14.0-570.12.1.el9_6.x86_64' }), exec });
    valid(body);
    expect(body).toMatchObject({ package_manager: 'rpm', arch: 'x86_64', inventory_count: 2 });
    expect(body.kernel).toMatchObject({ installed: ['5.14.0-611.5.1.el9_8.x86_64'], reboot_required: true });
    expect(body.pending.find((p) => p.name === 'openssl-libs')).toMatchObject({ security: true, severity: 'Critical' });
    expect(body.history).toHaveLength(7);
    expect(body.warnings.map((w) => w.code)).toEqual(['AGT_LOG_LINE_INVALID']);
  });

  it('SUSE: zypper is preferred over dnf when present', async () => {
    const root = makeRoot({ '/var/lib/rpm/Packages': '', '/usr/bin/zypper': '', '/etc/os-release': 'ID="sles"\nID_LIKE="suse"\nVERSION_ID="15.6"\n', '/var/log/zypp/history': sample('zypp-history') });
    const exec = scriptedExec({
      rpm: { stdout: 'openssl-3\t0\t3.1.4\t150600.5.15.1\tx86_64\topenssl-3-3.1.4-150600.5.15.1.src.rpm\t1760000000\n' },
      'zypper --non-interactive --no-refresh --xmlout list-updates': { stdout: sample('zypper-list-updates.xml') },
      'zypper --non-interactive --no-refresh --xmlout list-patches': { stdout: sample('zypper-list-patches.xml'), code: 100 },
      'zypper --non-interactive --no-refresh info': { stdout: sample('zypper-info-patch.txt') },
    });
    const { body } = await collect({ root, now: NOW, localTime: fixedOffset(0), probe: fakeProbe(), exec });
    valid(body);
    expect(body.pending.filter((p) => p.security).map((p) => p.name)).toEqual(['libopenssl3', 'openssl-3']);
    expect(body.history.map((e) => e.action)).toEqual(['install', 'install', 'upgrade', 'remove']);
    expect(body.warnings).toEqual([]);
  });
});
