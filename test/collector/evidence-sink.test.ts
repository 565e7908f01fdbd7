// EvidenceSink commits: agent reports arriving together share one group commit ("evidence: N
// items"); writeReviewed (exceptions, host meta edited by people) is a commit of its own under
// its caller's message, with its audit entry, even when reports are being written at that moment.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { actors } from '../../collector/audit.ts';
import { manualClock } from '../../collector/clock.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { bearer, enrolBody, makeHome, removeHomes, startTestCollector, T0, type TestCollector } from './helpers.ts';
import { makePackages, reportBody, reportMsg } from './reports.ts';

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});
afterAll(removeHomes);

const git = (repo: string, ...args: string[]): string => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8' });
const subject = (repo: string, commit: string): string => git(repo, 'log', '-1', '--format=%s', commit).trim();
const filesOf = (repo: string, commit: string): string[] => git(repo, 'show', '--name-only', '--format=', commit).split('\n').filter(Boolean).sort();

async function enrolHosts(col: TestCollector, n: number): Promise<string[]> {
  const tok = await col.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(col.key('admin')), payload: {} });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await col.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret, `web-0${i}.example.com`), remoteAddress: '10.0.0.5' });
    ids.push(res.json().host_id as string);
  }
  return ids;
}

const exceptionYaml = (id: string): string =>
  [
    `id: ${id}`, 'title: Deferred update', "hosts: ['*']", 'advisories: [CVE-2025-1001]', 'reason: Vendor certification pending.',
    'risk_assessment: {likelihood: low, impact: medium, summary: Internal only.}', 'compensating_controls: [Admin network only.]',
    "planned_remediation: '2025-02-28'", "expires: '2025-03-15'", 'requested_by: Priya Nair', 'approver: null', 'approved_at: null', '',
  ].join('\n');

describe('EvidenceSink commits', () => {
  it('groups reports that arrive together into one commit, as before', async () => {
    c = await startTestCollector({ options: { commitWindowMs: 100 } });
    const hosts = await enrolHosts(c, 3);
    const now = c.clock().toISOString();
    const acks = await Promise.all(hosts.map((h) => c!.ingest.submit(h, reportMsg(1, reportBody({ packages: makePackages(5), collectedAt: now })))));
    const commits = new Set(acks.map((a) => (a.type === 'ack' ? a.commit : a.code)));
    expect(commits.size).toBe(1);
    const [commit] = [...commits] as [string];
    const repo = c.sink.repoDir;
    expect(git(repo, 'log', '-1', '--format=%B', commit)).toBe(`evidence: 3 items\n\n${hosts.map((h) => `report ${h} first`).join('\n')}\n\n`);
  });

  it("commits a host meta edit from the admin API on its own, under the route's message", async () => {
    c = await startTestCollector();
    const [host] = (await enrolHosts(c, 1)) as [string];
    const meta = { owner: 'Platform Team', purpose: 'web', classification: 'internal', environment: 'production', in_scope: true };
    const res = await c.app.inject({ method: 'PUT', url: `/api/v1/admin/hosts/${host}/meta`, headers: bearer(c.key('admin')), payload: meta });
    expect(res.statusCode, res.body).toBe(200);
    const repo = c.sink.repoDir;
    // The enrolment's initial meta.yaml was group-committed with host.yaml; the edit has its own message.
    expect(git(repo, 'log', '--format=%s', '--', `hosts/${host}/meta.yaml`).trim().split('\n')).toEqual([`host ${host} meta edited: classification, environment, owner, purpose`, 'evidence: 1 item']);
    expect(filesOf(repo, res.json().commit)).toEqual(['audit/2025/01.jsonl', `hosts/${host}/meta.yaml`]);
  });

  it('commits an exception on its own under its message while reports are being grouped', async () => {
    const clock = manualClock(T0);
    const { home } = await makeHome(clock);
    c = await startTestCollector({ clock, home, options: { commitWindowMs: 100 } });
    const hosts = await enrolHosts(c, 3);
    const now = c.clock().toISOString();
    const message = 'exception EXC-0001 requested: Deferred update';
    const exceptionWrite = c.sink.writeReviewed([{ path: 'exceptions/EXC-0001.yaml', content: exceptionYaml('EXC-0001') }], message, [
      { actor: actors.cli('priya.nair'), action: 'exception.committed', target: { type: 'exception', id: 'EXC-0001' }, time: clock() },
    ]);
    const acks = await Promise.all(hosts.map((h) => c!.ingest.submit(h, reportMsg(1, reportBody({ packages: makePackages(5), collectedAt: now })))));
    const exception = await exceptionWrite;
    const repo = c.sink.repoDir;
    expect(git(repo, 'log', '-1', '--format=%B', exception.commit)).toBe(`${message}\n\n`);
    expect(filesOf(repo, exception.commit)).toEqual(['audit/2025/01.jsonl', 'exceptions/EXC-0001.yaml']);

    // Every report is acked from a group commit that holds reports only, under the usual message.
    const reportCommits = new Map<string, number>();
    for (const a of acks) {
      if (a.type !== 'ack' || a.commit === undefined) throw new Error(`not acked with a commit: ${JSON.stringify(a)}`);
      reportCommits.set(a.commit, (reportCommits.get(a.commit) ?? 0) + 1);
    }
    expect(reportCommits.has(exception.commit)).toBe(false);
    for (const [commit, n] of reportCommits) {
      expect(subject(repo, commit)).toBe(`evidence: ${n} item${n === 1 ? '' : 's'}`);
      expect(filesOf(repo, commit).some((p) => p.startsWith('exceptions/'))).toBe(false);
    }
    expect([...reportCommits.values()].reduce((x, y) => x + y, 0)).toBe(3);
    const audited = (await c.sink.reader.auditEntries()).filter((e) => e.action === 'exception.committed');
    expect(audited.map((e) => e.actor)).toEqual([{ type: 'cli', id: 'priya.nair' }]);

    await c.shutdown();
    c = undefined;
    expect((await verifyRepository(join(home, 'evidence'))).ok).toBe(true);
  });
});
