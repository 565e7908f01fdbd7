// PUT /api/v1/admin/exceptions/:id: a request, then its approval, become two signed, audited
// commits of exceptions/<id>.yaml, each under its own message; bad bodies, mismatched ids and
// path-like ids are refused.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { bearer, makeHome, removeHomes, startTestCollector, type TestCollector } from './helpers.ts';
import { manualClock } from '../../collector/clock.ts';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});
afterAll(removeHomes);

const request = {
  id: 'EXC-0042',
  title: 'Synthetic demo advisory deferred on the edge hosts',
  advisories: ['x_PPDEMO-DEB-2026-0001', 'CVE-2025-1001'],
  hosts: ['*'],
  reason: 'The vendor has not certified the update yet.',
  risk_assessment: { likelihood: 'low', impact: 'medium', summary: 'Reachable only from the admin network.' },
  compensating_controls: ['Admin network only.'],
  planned_remediation: '2025-02-28',
  expires: '2025-03-15',
  requested_by: 'Alice Example',
  approver: null,
  approved_at: null,
  ticket: 'CHG-1234',
};
const approval = { ...request, approver: 'Rita Riskowner', approved_at: '2025-01-07' };

const put = (id: string, payload: unknown, role: 'owner' | 'admin' | 'operator' | 'auditor' = 'admin') =>
  c!.app.inject({ method: 'PUT', url: `/api/v1/admin/exceptions/${id}`, headers: bearer(c!.key(role)), payload: payload as object });

describe('PUT /api/v1/admin/exceptions/:id', () => {
  it('commits the request and then the approval, each audited; the model shows both in its history', async () => {
    const clock = manualClock('2025-01-06T09:00:00.000Z');
    const { home } = await makeHome(clock);
    c = await startTestCollector({ clock, home });
    const first = await put('EXC-0042', request);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ id: 'EXC-0042', path: 'exceptions/EXC-0042.yaml', created: true, changed: expect.arrayContaining(['id', 'approver']) });
    clock.advance(86_400_000);
    const again = await put('EXC-0042', request);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ commit: null, created: false, changed: [] });
    const second = await put('EXC-0042', approval, 'owner');
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ created: false, changed: ['approved_at', 'approver'] });
    const text = new TextDecoder().decode((await c.sink.readFile('exceptions/EXC-0042.yaml'))!);
    expect(text.split('\n')[0]).toBe('# Risk acceptance EXC-0042. Schema: exception.schema.json; change it only by a reviewed commit.');
    expect(YAML.parse(text)).toEqual(approval);
    const audit = (await c.sink.reader.auditEntries()).filter((e) => e.target?.type === 'exception');
    expect(audit.map((e) => [e.action, e.actor.type, e.actor.role, e.target?.id, e.details])).toEqual([
      ['exception.created', 'api-key', 'admin', 'EXC-0042', { fields: Object.keys(request).sort(), approved: false }],
      ['exception.updated', 'api-key', 'owner', 'EXC-0042', { fields: ['approved_at', 'approver'], approved: true }],
    ]);
    await c.shutdown();
    c = undefined;
    expect((await verifyRepository(join(home, 'evidence'))).ok).toBe(true);

    const evidence = await loadEvidence(join(home, 'evidence'));
    const x = evidence.exceptions.find((e) => e.record.id === 'EXC-0042')!;
    expect(x.history.map((h) => [h.commit, h.time.slice(0, 10)])).toEqual([
      [first.json().commit, '2025-01-06'],
      [second.json().commit, '2025-01-07'],
    ]);
    const m = evaluate({ evidence, policies: (await import('../compliance/policy-fixtures.ts')).singlePolicy(), advisories: null, period: { start: '2025-01-01', end: '2025-01-31' }, organisation: 'Example Ltd' });
    expect(m.exceptions.map((e) => [e.id, e.status, e.approver, e.history.length])).toEqual([['EXC-0042', 'active', 'Rita Riskowner', 2]]);
  });

  it("keeps each commit's own message: git log of the file shows the request, then the approval", async () => {
    const clock = manualClock('2025-01-06T09:00:00.000Z');
    const { home } = await makeHome(clock);
    c = await startTestCollector({ clock, home });
    expect((await put('EXC-0042', request)).statusCode).toBe(201);
    clock.advance(86_400_000);
    expect((await put('EXC-0042', approval, 'owner')).statusCode).toBe(200);
    await c.shutdown();
    c = undefined;
    const log = execFileSync('git', ['--git-dir', join(home, 'evidence'), 'log', '--format=%s', '--', 'exceptions/EXC-0042.yaml'], { encoding: 'utf8' });
    expect(log.trim().split('\n')).toEqual([
      `exception EXC-0042 updated (approved): ${request.title}`,
      `exception EXC-0042 requested: ${request.title}`,
    ]);
  });

  it('refuses invalid bodies, a body whose id is not the URL id, and ids that are not EXC-nnnn', async () => {
    c = await startTestCollector();
    const invalid = await put('EXC-0042', { ...request, expires: 'soon' });
    expect([invalid.statusCode, invalid.json().code]).toEqual([400, 'COL_EXCEPTION_INVALID']);
    const badAdvisory = await put('EXC-0042', { ...request, advisories: ['../../etc/passwd'] });
    expect([badAdvisory.statusCode, badAdvisory.json().code]).toEqual([400, 'COL_EXCEPTION_INVALID']);
    const mismatch = await put('EXC-0043', request);
    expect([mismatch.statusCode, mismatch.json().code]).toEqual([400, 'COL_EXCEPTION_ID_MISMATCH']);
    for (const id of ['..%2F..%2Fhosts%2Fx', 'EXC-0042.yaml', 'exc-0042', 'EXC-1', '%2E%2E']) {
      const res = await put(id, { ...request, id });
      expect([400, 404], `${id}: ${res.body}`).toContain(res.statusCode);
      expect(['COL_REQUEST_INVALID', 'COL_NOT_FOUND']).toContain(res.json().code);
    }
    expect(await c.sink.readFile('exceptions/EXC-0042.yaml')).toBeNull();
    expect(await c.sink.readFile('exceptions/EXC-0043.yaml')).toBeNull();
  });

  it('is for owners and admins only', async () => {
    c = await startTestCollector();
    for (const role of ['operator', 'auditor'] as const) {
      const res = await put('EXC-0042', request, role);
      expect([res.statusCode, res.json().code]).toEqual([403, 'COL_FORBIDDEN']);
    }
    expect(await c.sink.readFile('exceptions/EXC-0042.yaml')).toBeNull();
  });
});
