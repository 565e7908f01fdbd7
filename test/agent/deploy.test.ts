// deploy/agent: the hardened unit is accepted by systemd, and install.sh stages the bundle, the
// unit, a 0700 state directory and the wrapper (DESTDIR: nothing on this machine is touched).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const DEPLOY = resolve(import.meta.dirname, '../../deploy/agent');
const unit = readFileSync(join(DEPLOY, 'patchproof-agent.service'), 'utf8');
const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/agent', () => {
  const dest = mkdtempSync(join(tmpdir(), 'pp-deploy-'));
  afterAll(() => rmSync(dest, { recursive: true, force: true }));

  it('the unit runs unprivileged with the required hardening', () => {
    for (const line of [
      'User=patchproof-agent',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'ReadWritePaths=/var/lib/patchproof-agent',
      'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
      'CapabilityBoundingSet=',
      'StateDirectoryMode=0700',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).not.toMatch(/^ProcSubset=pid/m);
  });

  it("starts node with the flags the agent benchmark measures, and this node accepts them", async () => {
    const { UNIT_NODE_FLAGS } = await import('../../bench/agent-collect.bench.ts');
    const exec = /^ExecStart=\/usr\/bin\/env node (.*?) \/usr\/local\/lib\/patchproof\/patchproof-agent\.mjs /m.exec(unit);
    expect(exec?.[1]?.split(' ')).toEqual(UNIT_NODE_FLAGS);
    const r = spawnSync(process.execPath, [...UNIT_NODE_FLAGS, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });

  it.runIf(hasSystemd)('systemd-analyze accepts the unit without warnings', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(DEPLOY, 'patchproof-agent.service')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });

  it('install.sh stages bundle, unit, wrapper and a 0700 state directory, then prints the next steps', () => {
    const bundle = join(dest, 'agent.mjs');
    writeFileSync(bundle, '// bundle\n');
    const out = execFileSync('sh', [join(DEPLOY, 'install.sh'), bundle], { env: { ...process.env, DESTDIR: join(dest, 'root') }, encoding: 'utf8' });
    const root = join(dest, 'root');
    expect(readFileSync(join(root, 'usr/local/lib/patchproof/patchproof-agent.mjs'), 'utf8')).toBe('// bundle\n');
    expect(readFileSync(join(root, 'etc/systemd/system/patchproof-agent.service'), 'utf8')).toBe(unit);
    expect(statSync(join(root, 'var/lib/patchproof-agent')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'usr/local/bin/patchproof-agent')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, 'usr/local/bin/patchproof-agent'), 'utf8')).toContain('exec node /usr/local/lib/patchproof/patchproof-agent.mjs "$@"');
    expect(out).toMatch(/enroll/);
    expect(out).toMatch(/systemctl enable --now patchproof-agent/);
  });

  it('install.sh refuses a missing bundle', () => {
    const r = spawnSync('sh', [join(DEPLOY, 'install.sh'), join(dest, 'nope.mjs')], { env: { ...process.env, DESTDIR: join(dest, 'x') }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bundle not found/);
  });
});
