// Every secret the collector hands out is shown once and stored nowhere: not in the evidence
// repository's objects, not in the logs, not in the state database.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/patchproof.ts';
import type { CliIO } from '../../cli/io.ts';
import { bearer, enrolBody, makeHome, removeHomes, startTestCollector } from './helpers.ts';
import { manualClock } from '../../collector/clock.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';
import { connectAgent } from './ws-client.ts';

afterAll(removeHomes);

function cliIO(out: string[]): CliIO {
  return { stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), stdin: async () => '', env: {}, cwd: process.cwd() };
}

describe('secrets', () => {
  it('never reach the repository objects, the logs or the state database', async () => {
    const clock = manualClock('2025-03-01T00:00:00Z');
    const { home } = await makeHome(clock);
    const secrets: string[] = [];
    const cliOut: string[] = [];
    // CLI-created secrets (collector not running: audit committed directly).
    expect(await main(['token', 'create', '--home', home, '--cidr', '127.0.0.0/8'], cliIO(cliOut))).toBe(0);
    expect(await main(['apikey', 'create', '--home', home, '--role', 'owner', '--name', 'cli owner'], cliIO(cliOut))).toBe(0);
    secrets.push(...cliOut.join('').match(/pp[ea]_[A-Za-z0-9_-]{43}/g)!);
    expect(secrets).toHaveLength(2);

    const c = await startTestCollector({ clock, home });
    await c.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(c.app.server.address() as { port: number }).port}`;
    const owner = secrets[1]!;
    const tok = (await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(owner), payload: {} })).json().secret as string;
    const key = (await c.app.inject({ method: 'POST', url: '/api/v1/admin/apikeys', headers: bearer(owner), payload: { role: 'admin', name: 'api admin' } })).json().secret as string;
    const dev = (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok), remoteAddress: '127.0.0.1' })).json();
    const dev2 = (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(secrets[0]!), remoteAddress: '127.0.0.1' })).json();
    expect((await c.app.inject({ method: 'POST', url: `/api/v1/admin/devices/${dev2.host_id}/rotate`, headers: bearer(key) })).statusCode).toBe(202);
    const rotated = (await c.app.inject({ method: 'POST', url: '/api/v1/agent/rotate', headers: bearer(dev2.device_token), payload: {} })).json().device_token as string;
    expect(rotated).toMatch(/^ppd_/);
    secrets.push(tok, key, dev.device_token, dev2.device_token, rotated, ...(['owner', 'admin', 'operator', 'auditor'] as const).map((r) => c.key(r)));
    // Refusals that carry a secret in the request.
    await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { ...enrolBody(tok), hostname: '../etc' } });
    await c.app.inject({ method: 'POST', url: '/api/v1/admin/apikeys', headers: bearer(key), payload: { role: 'owner', name: 'x' } });
    await c.app.inject({ method: 'GET', url: '/api/v1/admin/state', headers: bearer(dev.device_token) });
    // A real agent session and a refused upgrade with an old token.
    const agent = await connectAgent(url, dev.device_token);
    agent.send(reportMsg(1, reportBody({ packages: makePackages(3), collectedAt: clock().toISOString() })));
    expect(await agent.next()).toMatchObject({ type: 'ack' });
    agent.close();
    (await connectAgent(url, rotated)).close(); // the new token's first use retires the old one
    await expect(connectAgent(url, dev2.device_token)).rejects.toMatchObject({ status: 401 });
    await c.sink.flush();
    const repo = c.sink.repoDir;
    const stateDir = join(home, 'state');
    const logs = c.logs.join('');
    await c.close();

    expect(secrets.length).toBeGreaterThanOrEqual(11);
    const objects = execFileSync('git', ['--git-dir', repo, 'cat-file', '--batch-all-objects', '--batch'], { maxBuffer: 256 * 1024 * 1024 }).toString('latin1');
    expect(objects.length).toBeGreaterThan(1000);
    const db = readdirSync(stateDir).map((f) => readFileSync(join(stateDir, f)).toString('latin1')).join('');
    expect(logs).toContain('request completed');
    for (const s of secrets) {
      expect(objects.includes(s), `secret in repo objects: ${s.slice(0, 8)}`).toBe(false);
      expect(logs.includes(s), `secret in logs: ${s.slice(0, 8)}`).toBe(false);
      expect(db.includes(s), `secret in state db: ${s.slice(0, 8)}`).toBe(false);
      // Not even a long fragment of it.
      expect(objects.includes(s.slice(4, 24))).toBe(false);
    }
  });
});
