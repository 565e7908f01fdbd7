// SIGTERM to a real collector process while a report is in its commit window: from then on
// enrolment and admin requests get 503 COL_SHUTTING_DOWN, /healthz says "stopping", the report
// in progress is still acknowledged as written, and the process exits 0.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { enrolBody } from '../collector/helpers.ts';
import { makePackages, reportBody, reportMsg } from '../collector/reports.ts';
import { connectAgent } from '../collector/ws-client.ts';
import { cli, killAll, startCollectorProc, tmp } from './collector-helpers.ts';

afterAll(() => killAll());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('collector process shutdown', () => {
  it('refuses HTTP requests with 503 from the moment SIGTERM arrives, and still acks the report in progress', async () => {
    const home = join(tmp('pp-e2e-stop-'), 'home');
    expect(cli(['init', '--home', home]).code).toBe(0);
    // A 3 s commit window holds the report in progress long enough to ask during shutdown.
    const configFile = join(home, 'config.yaml');
    writeFileSync(configFile, YAML.stringify({ ...YAML.parse(readFileSync(configFile, 'utf8')), commit_window_ms: 3000 }));
    const ppe = cli(['token', 'create', '--home', home]).stdout.trim();
    const ppa = cli(['apikey', 'create', '--home', home, '--role', 'owner', '--name', 'e2e']).stdout.trim();
    expect(ppa).toMatch(/^ppa_/);
    const collector = await startCollectorProc(home);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    const enrolled = await post('/api/v1/enroll', enrolBody(ppe, 'stopping-host'));
    expect(enrolled.status).toBe(200);
    const device = (await enrolled.json()) as { host_id: string; device_token: string };
    const agent = await connectAgent(collector.url, device.device_token);
    agent.send(reportMsg(1, reportBody({ packages: makePackages(5), collectedAt: new Date().toISOString() })));
    await sleep(300);
    collector.child.kill('SIGTERM');
    await sleep(300);

    const enrol = await post('/api/v1/enroll', enrolBody(ppe, 'too-late'));
    expect(enrol.status).toBe(503);
    expect(((await enrol.json()) as { code: string }).code).toBe('COL_SHUTTING_DOWN');
    const admin = await fetch(`${collector.url}/api/v1/admin/tokens`, { headers: { authorization: `Bearer ${ppa}` } });
    expect(admin.status).toBe(503);
    expect(((await admin.json()) as { code: string }).code).toBe('COL_SHUTTING_DOWN');
    const health = await fetch(`${collector.url}/healthz`);
    expect(((await health.json()) as { status: string }).status).toBe('stopping');

    expect(await agent.next(15_000)).toMatchObject({ type: 'ack', status: 'written' });
    expect(await agent.closed).toMatchObject({ code: 1001 });
    expect(await collector.exited, collector.output()).toBe(0);
    expect(collector.output()).toContain('SIGTERM: shutting down');
  }, 60_000);
});
