// Live collection on this Debian 12 machine: the real dpkg-query, apt-get and logs, as root and
// as the unprivileged user `nobody` (what the systemd unit runs the agent as).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportBody, Package } from '../../evidence/types.gen.ts';
import { check } from '../../evidence/schema.ts';
import { collect } from '../../agent/collect.ts';

const NODE = resolve(import.meta.dirname, '../../node_modules/.bin/node');
const CLI = resolve(import.meta.dirname, 'helpers/collect-cli.ts');
const isDebianRoot = process.getuid?.() === 0 && (() => { try { execFileSync('dpkg-query', ['--version']); execFileSync('setpriv', ['--version']); return true; } catch { return false; } })();

function dpkg(format: string): string[] {
  return execFileSync('dpkg-query', ['-W', '-f', format], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).split('\n').filter((l) => l !== '');
}

/** What dpkg itself says is installed: `name version` per binary package (arch qualifier removed). */
function expectedInventory(): string[] {
  return dpkg('${binary:Package} ${Version} ${db:Status-Abbrev}\n')
    .map((l) => l.split(' '))
    .filter(([, , abbrev = '']) => 'iWt'.includes(abbrev.charAt(1)) && abbrev.charAt(1) !== '')
    .map(([bp = '', version = '']) => `${bp.replace(/:[^:]+$/, '')} ${version}`)
    .sort();
}

function asNobody(options: object): { uid: number; body: ReportBody & { packages: Package[] } } {
  const out = execFileSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'env', 'HOME=/tmp', NODE, CLI, JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: '/tmp' });
  return JSON.parse(out) as { uid: number; body: ReportBody & { packages: Package[] } };
}

describe.runIf(isDebianRoot)('live collection on this host', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  let rootPending: string[] = [];

  it('lists exactly what dpkg-query lists, with source names and versions, in a schema-valid body', async () => {
    const { body } = await collect();
    rootPending = body.pending.map((u) => `${u.name} ${u.candidate} ${u.security}`);
    expect(check('reportBody', body)).toBeNull();
    expect(body.package_manager).toBe('dpkg');
    expect(body.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(expectedInventory());
    const sources = new Map(dpkg('${binary:Package}\t${source:Package}\t${source:Version}\n').map((l) => {
      const [bp = '', src, srcVersion] = l.split('\t');
      return [bp.replace(/:[^:]+$/, ''), `${src} ${srcVersion}`];
    }));
    for (const p of body.packages) expect(`${p.source} ${p.source_version}`).toBe(sources.get(p.name));
    expect(body.history.length).toBeGreaterThan(0);
    expect(body.warnings).toEqual([]);
  });

  it('works unprivileged: as nobody it gets the full package list and pending updates', () => {
    const { uid, body } = asNobody({});
    expect(uid).toBe(65534);
    expect(check('reportBody', body)).toBeNull();
    expect(body.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(expectedInventory());
    expect(body.history.length).toBeGreaterThan(0);
    expect(body.warnings).toEqual([]);
    // apt's simulation runs unprivileged and sees what root sees
    expect(body.pending!.map((u) => `${u.name} ${u.candidate} ${u.security}`)).toEqual(rootPending);
  });

  it('an unreadable log (mode 000, as nobody) is a coded warning, the rest is still collected', () => {
    const root = mkdtempSync(join(tmpdir(), 'pp-live-'));
    dirs.push(root);
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(join(root, 'var/log/apt'), { recursive: true });
    copyFileSync('/var/lib/dpkg/status', join(root, 'var/lib/dpkg/status'));
    copyFileSync('/var/log/dpkg.log', join(root, 'var/log/dpkg.log'));
    writeFileSync(join(root, 'var/log/dpkg.log.1'), '2020-01-01 00:00:00 install old:amd64 <none> 1\n');
    chmodSync(join(root, 'var/log/dpkg.log'), 0o000);
    const { body } = asNobody({ root, pending: false });
    expect(check('reportBody', body)).toBeNull();
    expect(body.warnings).toContainEqual({ code: 'AGT_LOG_UNREADABLE', message: '/var/log/dpkg.log: permission denied' });
    expect(body.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(expectedInventory());
    expect(body.history.map((e) => e.name)).toEqual(['old']);
  });
});
