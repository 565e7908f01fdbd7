// Device token rotation end to end, real processes over wss on 127.0.0.1: an operator asks for a
// rotation through the admin API, the running `patchproof agent run` is asked in-band, fetches
// and durably stores its new token, reconnects with it (which retires the old one) and keeps
// reporting; then `patchproof agent rotate-token` does the same by hand. The audit log names who
// asked and which device completed each rotation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReader } from '../../evidence/reader.ts';
import { makePki, type TestPki } from '../agent/helpers/pki.ts';
import { connectAgent } from '../collector/ws-client.ts';
import { cli, killAll, makeHostRoot, spawnProc, startCollectorProc, tmp, upgradeInRoot, waitFor } from './collector-helpers.ts';

afterAll(() => killAll());

function api(pki: TestPki, url: string, method: string, path: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, ca: pki.caPem, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status of a wss upgrade with `token` (101 when accepted). */
async function upgradeStatus(pki: TestPki, url: string, token: string): Promise<number> {
  try {
    const a = await connectAgent(url, token, { ca: pki.caPem });
    a.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? 0;
  }
}

async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const tokenIn = (state: string) => (JSON.parse(readFileSync(join(state, 'credentials.json'), 'utf8')) as { device_token: string }).device_token;
const acks = (output: string) => output.split('\n').filter((l) => l.includes('"report acknowledged"')).length;

describe('device token rotation with real processes', () => {
  it('an admin request reaches the running agent, which rotates by itself; rotate-token does it by hand', async () => {
    const pki = makePki();
    const dir = tmp('pp-e2e-rot-');
    const home = join(dir, 'home');
    expect(cli(['init', '--home', home]).code).toBe(0);
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();
    const operator = cli(['apikey', 'create', '--home', home, '--role', 'operator', '--name', 'rotation operator', '--json']);
    const op = JSON.parse(operator.stdout) as { id: string; secret: string };
    const collector = await startCollectorProc(home, ['--tls-cert', join(pki.dir, 'server.pem'), '--tls-key', join(pki.dir, 'server.key')]);
    const state = join(dir, 'state');
    const root = makeHostRoot(dir, 'rot');

    const enrolled = spawnProc(['agent', 'enroll', '--server', collector.url, '--state', state, '--ca', pki.caFile, '--root', root, '--hostname', 'rot'], { env: { PATCHPROOF_ENROLL_TOKEN: ppe } });
    expect(await enrolled.exited, enrolled.output()).toBe(0);
    const hostId = /enrolled as (h_[0-9a-f]{16})/.exec(enrolled.output())![1]!;
    const original = tokenIn(state);

    let agent = spawnProc(['agent', 'run', '--state', state, '--root', root, '--interval', '1']);
    await waitFor('first ack', () => acks(agent.output()) >= 1, 60_000);

    const asked = await api(pki, collector.url, 'POST', `/api/v1/admin/devices/${hostId}/rotate`, op.secret);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body).toMatchObject({ host_id: hostId, asked: true });

    const rotated = await waitFor('the agent to store its new token', () => (tokenIn(state) !== original ? tokenIn(state) : null), 30_000);
    expect(rotated).toMatch(/^ppd_[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(state, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(state).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    // It reconnected with the new token, which retired the old one, and it goes on reporting.
    const device = async () => ((await api(pki, collector.url, 'GET', '/api/v1/admin/devices', op.secret)).body.devices as Array<Record<string, unknown>>).find((d) => d.host_id === hostId)!;
    await waitUntil('the rotation to complete', async () => (await device()).rotated_at !== null, 30_000);
    expect(await device()).toMatchObject({ rotation_requested_at: null, next_token_issued_at: null, token_valid_until: null });
    expect(await upgradeStatus(pki, collector.url, original)).toBe(401);
    const marker = agent.output().length;
    upgradeInRoot(root, 'fdisk', '2.31.1-0.4ubuntu3.9');
    await waitFor('a report acknowledged after the rotation', () => acks(agent.output().slice(marker)) >= 2, 60_000);
    expect(agent.output()).toContain('device token rotated');
    expect(agent.output()).not.toContain(rotated);
    expect(agent.output()).not.toContain(original);

    // By hand: refused while the running agent holds the state directory, done once it is stopped.
    const busy = spawnProc(['agent', 'rotate-token', '--state', state]);
    expect(await busy.exited).toBe(2);
    expect(busy.output()).toContain('AGT_STATE_INVALID');
    agent.child.kill('SIGTERM');
    expect(await agent.exited, agent.output()).toBe(0);
    const byHand = spawnProc(['agent', 'rotate-token', '--state', state]);
    expect(await byHand.exited, byHand.output()).toBe(0);
    expect(byHand.stdout()).toContain('the previous token no longer works');
    const third = tokenIn(state);
    expect(third).not.toBe(rotated);
    expect(byHand.output()).not.toContain(third);
    expect(await upgradeStatus(pki, collector.url, rotated)).toBe(401);
    agent = spawnProc(['agent', 'run', '--state', state, '--root', root, '--once']);
    expect(await agent.exited, agent.output()).toBe(0);

    collector.child.kill('SIGTERM');
    expect(await collector.exited, collector.output()).toBe(0);
    const reader = await openReader(join(home, 'evidence'));
    const audit = (await reader.auditEntries()).filter((e) => e.target?.id === hostId && /^device\.(rotation-requested|token-issued|rotated)$/.test(e.action));
    reader.close();
    expect(audit.map((e) => [e.action, e.actor.type, e.actor.id, (e.details as { requested_by?: string } | undefined)?.requested_by ?? null])).toEqual([
      ['device.rotation-requested', 'api-key', op.id, null],
      ['device.token-issued', 'device', hostId, op.id],
      ['device.rotated', 'device', hostId, op.id],
      ['device.token-issued', 'device', hostId, 'device'],
      ['device.rotated', 'device', hostId, 'device'],
    ]);
    expect(audit.every((e) => e.source === '127.0.0.1')).toBe(true);
    const verify = cli(['verify', '--repo', join(home, 'evidence')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 240_000);
});
