import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseEnvelope } from '../../evidence/report-envelope.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { bearer, enrolBody, startTestCollector, type TestCollector } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';

let c: TestCollector;
afterEach(async () => c?.close());

async function enrolHost(): Promise<{ host_id: string; device_token: string }> {
  const tok = await c.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(c.key('operator')), payload: { group: 'db' } });
  return (await c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, 'db-01') })).json();
}

describe('admin API', () => {
  it('edits host meta: validated, committed, audited with the changed fields', async () => {
    c = await startTestCollector();
    const { host_id } = await enrolHost();
    const bad = await c.app.inject({ method: 'PUT', url: `/api/v1/admin/hosts/${host_id}/meta`, headers: bearer(c.key('operator')), payload: { in_scope: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('COL_REQUEST_INVALID');
    const meta = { owner: 'dba-team', purpose: 'orders database', classification: 'confidential', in_scope: true, frameworks: ['pci-dss'] };
    const ok = await c.app.inject({ method: 'PUT', url: `/api/v1/admin/hosts/${host_id}/meta`, headers: bearer(c.key('operator')), payload: meta });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(YAML.parse(new TextDecoder().decode((await c.sink.readFile(`hosts/${host_id}/meta.yaml`))!))).toEqual(meta);
    const entry = (await c.sink.reader.auditEntries()).find((e) => e.action === 'host.meta-edited');
    expect(entry).toMatchObject({ actor: { type: 'api-key', role: 'operator' }, target: { id: host_id }, details: { fields: ['classification', 'frameworks', 'owner', 'purpose'] } });
    const missing = await c.app.inject({ method: 'PUT', url: '/api/v1/admin/hosts/h_0000000000000000/meta', headers: bearer(c.key('admin')), payload: meta });
    expect(missing.statusCode).toBe(404);
    const got = await c.app.inject({ method: 'GET', url: `/api/v1/admin/hosts/${host_id}`, headers: bearer(c.key('auditor')) });
    expect(got.json()).toMatchObject({ host: { host_id, group: 'db' }, meta });
    const hosts = await c.app.inject({ method: 'GET', url: '/api/v1/admin/hosts', headers: bearer(c.key('auditor')) });
    expect(hosts.json().hosts).toEqual([expect.objectContaining({ host_id, hostname: 'db-01', group: 'db', connected: false })]);
  });

  it('creates and revokes API keys (owner), the new key works at once and stops at revocation', async () => {
    c = await startTestCollector();
    const created = await c.app.inject({ method: 'POST', url: '/api/v1/admin/apikeys', headers: bearer(c.key('owner')), payload: { role: 'auditor', name: 'external auditor' } });
    expect(created.statusCode).toBe(201);
    const { key, secret } = created.json();
    expect(created.headers['cache-control']).toBe('no-store');
    expect((await c.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: bearer(secret) })).statusCode).toBe(200);
    const badRole = await c.app.inject({ method: 'POST', url: '/api/v1/admin/apikeys', headers: bearer(c.key('owner')), payload: { role: 'root', name: 'x' } });
    expect(badRole.json().code).toBe('COL_ROLE_INVALID');
    await c.app.inject({ method: 'POST', url: `/api/v1/admin/apikeys/${key.id}/revoke`, headers: bearer(c.key('owner')) });
    expect((await c.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: bearer(secret) })).statusCode).toBe(401);
    const audit = await c.app.inject({ method: 'GET', url: '/api/v1/admin/audit?since_seq=2&limit=10', headers: bearer(c.key('auditor')) });
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual(['apikey.created', 'apikey.revoked']);
  });

  it('rotates the signing key: later evidence carries the new fingerprint and the repository verifies', async () => {
    c = await startTestCollector();
    const { host_id } = await enrolHost();
    const before = c.sink.signer.fingerprint;
    await c.ingest.submit(host_id, reportMsg(1, reportBody({ packages: makePackages(3), collectedAt: c.clock().toISOString() })));
    c.clockCtl.advance(60_000);
    const rot = await c.app.inject({ method: 'POST', url: '/api/v1/admin/keys/rotate', headers: bearer(c.key('owner')) });
    expect(rot.statusCode, rot.body).toBe(200);
    expect(rot.json()).toMatchObject({ previous_fingerprint: before });
    const after = rot.json().fingerprint as string;
    expect(after).not.toBe(before);
    const rotated = (await c.sink.reader.auditEntries()).find((e) => e.action === 'key.rotated');
    expect(rotated).toMatchObject({ actor: { type: 'api-key', role: 'owner' }, source: '127.0.0.1', target: { type: 'key', id: after }, details: { previous: before } });
    c.clockCtl.advance(60_000);
    const elsewhere = await c.app.inject({ method: 'POST', url: '/api/v1/admin/keys/rotate', headers: bearer(c.key('owner')), remoteAddress: '10.9.8.7' });
    expect(elsewhere.statusCode, elsewhere.body).toBe(200);
    expect((await c.sink.reader.auditEntries()).filter((e) => e.action === 'key.rotated').map((e) => e.source)).toEqual(['127.0.0.1', '10.9.8.7']);
    const latest = elsewhere.json().fingerprint as string;
    c.clockCtl.advance(25 * 3600_000);
    const ack = await c.ingest.submit(host_id, reportMsg(2, reportBody({ packages: makePackages(3), includePackages: false, collectedAt: c.clock().toISOString() })));
    const env = parseEnvelope((await c.sink.readFile((ack as { path: string }).path))!);
    expect(env.collector.key_fingerprint).toBe(latest);
    await c.sink.flush();
    const report = await verifyRepository(c.sink.repoDir);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(execFileSync('git', ['--git-dir', c.sink.repoDir, 'fsck', '--strict'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
  });

  it('reports state and metrics', async () => {
    c = await startTestCollector();
    await enrolHost();
    const s = await c.app.inject({ method: 'GET', url: '/api/v1/admin/state', headers: bearer(c.key('auditor')) });
    expect(s.json()).toMatchObject({ collector_id: 'collector-1', devices: { total: 1, revoked: 0 }, agents_connected: 0 });
    const m = await c.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/patchproof_enrolments_total\{outcome="accepted",code=""\} 1/);
    expect(m.body).toContain('patchproof_commit_latency_seconds_bucket');
    expect((await c.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
  });
});
