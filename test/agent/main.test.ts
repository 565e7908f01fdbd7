import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentMain, type AgentDeps } from '../../agent/main.ts';
import { makeBody, pkgs } from './helpers/fake-collect.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env: {} } };
}

const body = makeBody(new Date('2025-05-01T10:00:00Z'), pkgs('openssl=3.0.13-0ubuntu3.1', 'bash=5.2-1'), {
  kernel: { running: '6.8.0-45-generic', installed: ['6.8.0-45-generic', '6.8.0-47-generic'], reboot_required: true, reboot_reason: 'newer kernel installed' },
  pending: [{ name: 'openssl', arch: 'amd64', installed: '3.0.13-0ubuntu3.1', candidate: '3.0.13-0ubuntu3.4', security: true, advisories: ['USN-7020-1'] }],
});
const deps: AgentDeps = { collect: async () => ({ body }) };

describe('patchproof agent (command line)', () => {
  it('collect --json prints exactly the body that would be sent', async () => {
    const t = io();
    expect(await agentMain(['collect', '--json'], t.io, deps)).toBe(0);
    expect(JSON.parse(t.out.join(''))).toEqual(body);
  });

  it('collect prints a human summary: counts, pending, security, reboot', async () => {
    const t = io();
    expect(await agentMain(['collect'], t.io, deps)).toBe(0);
    const text = t.out.join('');
    expect(text).toContain('packages   2 (dpkg)');
    expect(text).toContain('pending    1 update(s), 1 security');
    expect(text).toContain('security openssl 3.0.13-0ubuntu3.1 -> 3.0.13-0ubuntu3.4 (USN-7020-1)');
    expect(text).toContain('reboot     yes (newer kernel installed)');
  });

  it('refuses bad usage with exit 2 and says what is missing', async () => {
    const t = io();
    expect(await agentMain(['run'], t.io, deps)).toBe(2);
    expect(t.err.join('')).toContain('missing required option --state');
    expect(await agentMain(['run', '--state', 'x', '--interval', 'soon'], t.io, deps)).toBe(2);
    expect(await agentMain(['frobnicate'], t.io, deps)).toBe(2);
  });

  it('run before enrolment is a clear AGT_NOT_ENROLLED', async () => {
    const t = io();
    const dir = join(mkdtempSync(join(tmpdir(), 'pp-main-')), 'state');
    expect(await agentMain(['run', '--state', dir, '--once'], t.io, deps)).toBe(2);
    expect(t.err.join('')).toMatch(/error AGT_NOT_ENROLLED: .*\nhint: Run `patchproof agent enroll/);
  });
});
