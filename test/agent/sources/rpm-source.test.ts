import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFrontend, rpmSource } from '../../../agent/sources/rpm.ts';
import { RPM_QUERY_FORMAT } from '../../../agent/sources/rpm-query.ts';
import { sample, scriptedExec, testContext } from '../helpers/source-fixtures.ts';

const RPM_ROWS = 'openssl-libs\t1\t3.5.5\t6.el9_8\tx86_64\topenssl-3.5.5-6.el9_8.src.rpm\t1760000000\ncurl-minimal\t0\t7.76.1\t40.el9_8.5\tx86_64\tcurl-7.76.1-40.el9_8.5.src.rpm\t1760000000\n';

describe('rpm source', () => {
  const root = mkdtempSync(join(tmpdir(), 'pp-rpm-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'var/lib/rpm'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'var/log'), { recursive: true });
  writeFileSync(join(root, 'var/log/dnf.rpm.log'), sample('dnf.rpm.log'));

  it('detects the rpm database and the dnf flavour from /usr/bin', async () => {
    const ctx = testContext({ root });
    expect(await rpmSource().detect(ctx)).toBe(true);
    expect(await detectFrontend(ctx)).toBeNull();
    writeFileSync(join(root, 'usr/bin/dnf'), '');
    expect(await detectFrontend(ctx)).toBe('dnf');
    writeFileSync(join(root, 'usr/bin/dnf5'), '');
    expect(await detectFrontend(ctx)).toBe('dnf5');
  });

  it('dnf4: cache-only check-update + updateinfo, joined with the inventory', async () => {
    const calls: string[] = [];
    const exec = scriptedExec(
      {
        rpm: { stdout: RPM_ROWS },
        'dnf -C -q check-update': { stdout: sample('dnf4-check-update.txt'), code: 100 },
        'dnf -C -q updateinfo list': { stdout: sample('dnf4-updateinfo-list.txt') },
        'dnf -C -q updateinfo info': { stdout: sample('dnf4-updateinfo-info.txt') },
      },
      calls,
    );
    const ctx = testContext({ root, exec });
    const src = rpmSource({ frontend: 'dnf' });
    const [installed, pending] = await Promise.all([src.installed(ctx), src.pending(ctx)]);
    expect(installed).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('rpm '))).toHaveLength(1); // one inventory query serves both
    expect(calls).toContain(`dnf --installroot=${root} -C -q check-update`);
    expect(calls).toContain(`rpm --root ${root} -qa --qf ${RPM_QUERY_FORMAT}`);
    expect(pending).toHaveLength(10);
    expect(pending.find((p) => p.name === 'openssl-libs')).toMatchObject({ installed: '1:3.5.5-6.el9_8', security: true, severity: 'Critical' });
    expect(ctx.warnings).toEqual([]);
  });

  it('dnf5: check-upgrade + advisory JSON', async () => {
    const exec = scriptedExec({
      rpm: { stdout: RPM_ROWS },
      'dnf5 -C -q check-upgrade': { stdout: sample('dnf5-check-upgrade.txt'), code: 100 },
      'dnf5 -C -q advisory list': { stdout: sample('dnf5-advisory-list.json') },
      'dnf5 -C -q advisory info': { stdout: sample('dnf5-advisory-info.json') },
    });
    const pending = await rpmSource({ frontend: 'dnf5' }).pending(testContext({ root, exec }));
    expect(pending.map((p) => [p.name, p.security, p.severity ?? null])).toEqual([
      ['curl', true, 'Moderate'],
      ['libcurl', true, 'Moderate'],
      ['openssl-libs', true, 'Important'],
      ['kernel-core', false, null],
    ]);
    expect(pending[2]).toMatchObject({ installed: '1:3.5.5-6.el9_8', advisories: ['CVE-2026-20001', 'FEDORA-2026-88e0d41c2a'], issued: '2026-11-15T07:03:41Z' });
  });

  it('no updates, failing advisories, missing cache: warnings, never a throw', async () => {
    const none = await rpmSource({ frontend: 'dnf' }).pending(testContext({ root, exec: scriptedExec({ 'dnf -C -q check-update': { stdout: '' } }) }));
    expect(none).toEqual([]);
    const ctx = testContext({
      root,
      exec: scriptedExec({
        rpm: { stdout: RPM_ROWS },
        'dnf -C -q check-update': { stdout: sample('dnf4-check-update.txt'), code: 100 },
        'dnf -C -q updateinfo': { code: 1, stderr: 'Error: Cache-only enabled but no cache for \'baseos\'' },
      }),
    });
    const pending = await rpmSource({ frontend: 'dnf' }).pending(ctx);
    expect(pending).toHaveLength(10);
    expect(pending.every((p) => !p.security)).toBe(true);
    expect(ctx.warnings.map((w) => w.code)).toEqual(['AGT_ADVISORIES_FAILED', 'AGT_ADVISORIES_FAILED']);
    const failing = testContext({ root, exec: scriptedExec({ 'dnf -C -q check-update': { code: 1, stderr: "Error: Cache-only enabled but no cache for 'baseos'" } }) });
    expect(await rpmSource({ frontend: 'dnf' }).pending(failing)).toEqual([]);
    expect(failing.warnings[0]).toEqual({ code: 'AGT_PENDING_FAILED', message: "dnf check-update exited with 1: Error: Cache-only enabled but no cache for 'baseos'" });
  });

  it('history from dnf.rpm.log', async () => {
    const ctx = testContext({ root });
    const events = await rpmSource({ frontend: 'dnf' }).history(ctx, new Date('2026-06-01T00:00:00Z'));
    expect(events.map((e) => e.name)).toEqual(['nano', 'tzdata', 'bash']);
    expect(ctx.warnings.map((w) => w.code)).toEqual(['AGT_LOG_LINE_INVALID']);
  });
});
