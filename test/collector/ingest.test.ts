import { afterEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../evidence/hash.ts';
import { parseEnvelope } from '../../evidence/report-envelope.ts';
import { buildCollectorApp } from '../../collector/app.ts';
import { bearer, enrolBody, startTestCollector, type TestCollector } from './helpers.ts';
import { makePackages, reportBody, reportMsg, withVersion } from './reports.ts';

let c: TestCollector;
afterEach(async () => c?.close());

const HOUR = 3600_000;

async function enrolHost(col: TestCollector): Promise<string> {
  const tok = await col.app.inject({ method: 'POST', url: '/api/v1/admin/tokens', headers: bearer(col.key('admin')), payload: {} });
  const res = await col.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: enrolBody(tok.json().secret), remoteAddress: '10.0.0.5' });
  return res.json().host_id as string;
}

async function envelopeAt(col: TestCollector, path: string) {
  const bytes = (await col.sink.readFile(path))!;
  return { bytes, env: parseEnvelope(bytes) };
}

describe('ingest pipeline', () => {
  it('writes the first report, records liveness for unchanged state, writes a heartbeat after the cadence', async () => {
    c = await startTestCollector();
    const host = await enrolHost(c);
    const pkgs = makePackages(50);
    const now = () => c.clock().toISOString();

    const noInv = await c.ingest.submit(host, reportMsg(1, reportBody({ packages: pkgs, includePackages: false, collectedAt: now() })));
    expect(noInv).toMatchObject({ type: 'nack', code: 'COL_INVENTORY_REQUIRED', retry: true });

    const first = await c.ingest.submit(host, reportMsg(2, reportBody({ packages: pkgs, collectedAt: now() })));
    expect(first).toMatchObject({ type: 'ack', status: 'written' });
    if (first.type !== 'ack') throw new Error('unreachable');
    const { env: e1, bytes: b1 } = await envelopeAt(c, first.path!);
    expect(e1).toMatchObject({ seq: 1, agent_seq: 2, previous: null, reason: 'first', host_id: host, received_at: now(), changes: [] });
    expect(await c.sink.readFile(`${first.path}.asc`)).not.toBeNull();
    expect(await c.sink.readFile(`hosts/${host}/packages.tsv`)).not.toBeNull();
    expect(first.commit).toBe(await c.sink.head());

    const headBefore = await c.sink.head();
    c.clockCtl.advance(HOUR);
    const live = await c.ingest.submit(host, reportMsg(3, reportBody({ packages: pkgs, includePackages: false, collectedAt: now() })));
    expect(live).toEqual({ type: 'ack', report_id: reportMsg(3, reportBody({ packages: pkgs })).report_id, status: 'liveness' });
    expect(await c.sink.head()).toBe(headBefore);

    const dup = await c.ingest.submit(host, reportMsg(2, reportBody({ packages: pkgs, collectedAt: now() })));
    expect(dup).toMatchObject({ type: 'ack', status: 'duplicate', commit: first.commit, path: first.path });

    c.clockCtl.advance(24 * HOUR);
    const hb = await c.ingest.submit(host, reportMsg(4, reportBody({ packages: pkgs, includePackages: false, collectedAt: now() })));
    expect(hb).toMatchObject({ type: 'ack', status: 'written' });
    const { env: e2 } = await envelopeAt(c, (hb as { path: string }).path);
    expect(e2).toMatchObject({ seq: 2, agent_seq: 4, reason: 'heartbeat', previous: sha256Hex(b1) });
  });

  it('records package changes with log times when the history matches, else the report interval', async () => {
    c = await startTestCollector();
    const host = await enrolHost(c);
    let pkgs = makePackages(10);
    const now = () => c.clock().toISOString();
    await c.ingest.submit(host, reportMsg(1, reportBody({ packages: pkgs, collectedAt: now() })));
    const firstAt = now();
    c.clockCtl.advance(HOUR);
    const live = await c.ingest.submit(host, reportMsg(2, reportBody({ packages: pkgs, includePackages: false, collectedAt: now() })));
    expect(live).toMatchObject({ status: 'liveness' });
    const liveAt = now();
    c.clockCtl.advance(HOUR);

    const omitted = await c.ingest.submit(host, reportMsg(3, reportBody({ packages: withVersion(pkgs, 'pkg00001', '1.1-1'), includePackages: false, collectedAt: now() })));
    expect(omitted).toMatchObject({ type: 'nack', code: 'COL_INVENTORY_REQUIRED', retry: true });

    const logTime = new Date(c.clock().getTime() - 20 * 60_000).toISOString();
    pkgs = withVersion(withVersion(pkgs, 'pkg00001', '1.1-1'), 'pkg00002', '0.9-1');
    pkgs = [...pkgs.filter((p) => p.name !== 'pkg00003'), { name: 'newpkg', arch: 'all', version: '2.0' }];
    const ack = await c.ingest.submit(
      host,
      reportMsg(4, reportBody({ packages: pkgs, collectedAt: now(), history: [{ time: logTime, action: 'upgrade', name: 'pkg00001', arch: 'amd64', from: '1.0-1', to: '1.1-1', by: 'root' }] })),
    );
    expect(ack).toMatchObject({ status: 'written' });
    const { env } = await envelopeAt(c, (ack as { path: string }).path);
    expect(env.reason).toBe('changed');
    expect(env.changes).toEqual([
      { name: 'newpkg', arch: 'all', action: 'install', from: null, to: '2.0', when: now(), when_source: 'interval', not_before: liveAt },
      { name: 'pkg00001', arch: 'amd64', action: 'upgrade', from: '1.0-1', to: '1.1-1', when: logTime, when_source: 'log', by: 'root' },
      { name: 'pkg00002', arch: 'amd64', action: 'downgrade', from: '1.0-1', to: '0.9-1', when: now(), when_source: 'interval', not_before: liveAt },
      { name: 'pkg00003', arch: 'amd64', action: 'remove', from: '1.0-1', to: null, when: now(), when_source: 'interval', not_before: liveAt },
    ]);
    expect(firstAt).not.toBe(liveAt);
  });

  it('acknowledges an older seq after a newer one as an anomaly without regressing state', async () => {
    c = await startTestCollector();
    const host = await enrolHost(c);
    const pkgs = makePackages(5);
    const now = () => c.clock().toISOString();
    await c.ingest.submit(host, reportMsg(5, reportBody({ packages: pkgs, collectedAt: now() })));
    c.clockCtl.advance(HOUR);
    const old = await c.ingest.submit(host, reportMsg(3, reportBody({ packages: makePackages(2), collectedAt: now() })));
    expect(old).toMatchObject({ type: 'ack', status: 'liveness' });
    expect(c.state.hosts.get(host)).toMatchObject({ agent_seq: 5, seq: 1, inventory_count: 5 });
    c.clockCtl.advance(25 * HOUR);
    const hb = await c.ingest.submit(host, reportMsg(6, reportBody({ packages: pkgs, includePackages: false, collectedAt: now() })));
    const { env } = await envelopeAt(c, (hb as { path: string }).path);
    expect(env.anomalies.map((a) => a.code)).toEqual(['COL_SEQ_OUT_OF_ORDER']);
  });

  it('refuses a packages list that does not match its hash, and records agent clock skew', async () => {
    c = await startTestCollector();
    const host = await enrolHost(c);
    const body = reportBody({ packages: makePackages(5), collectedAt: new Date(c.clock().getTime() + 2 * HOUR).toISOString() });
    const bad = await c.ingest.submit(host, reportMsg(1, { ...body, inventory_count: 4 }));
    expect(bad).toMatchObject({ type: 'nack', code: 'COL_INVENTORY_MISMATCH', retry: false });
    const ok = await c.ingest.submit(host, reportMsg(2, body));
    const { env } = await envelopeAt(c, (ok as { path: string }).path);
    expect(env.clock_skew_ms).toBe(2 * HOUR);
    expect(env.anomalies.map((a) => a.code)).toEqual(['COL_CLOCK_SKEW']);
  });

  it('re-derives host state from the repository after a crash between commit and state update', async () => {
    c = await startTestCollector();
    const host = await enrolHost(c);
    const pkgs = makePackages(5);
    const now = () => c.clock().toISOString();
    const a1 = await c.ingest.submit(host, reportMsg(1, reportBody({ packages: pkgs, collectedAt: now() })));
    c.clockCtl.advance(HOUR);
    // Simulate the crash: the host's state row is from before report 2, which reached the repo.
    const before = c.state.hosts.get(host)!;
    const pkgs2 = withVersion(pkgs, 'pkg00000', '2.0');
    const a2 = await c.ingest.submit(host, reportMsg(2, reportBody({ packages: pkgs2, collectedAt: now() })));
    expect(a2).toMatchObject({ status: 'written' });
    c.state.hosts.flush();
    c.state.hosts.put(before);
    c.state.hosts.markInflight(host, now());
    c.state.db.prepare('DELETE FROM seen_reports WHERE report_id = ?').run((a2 as { report_id: string }).report_id);
    const home = c.home;
    await c.shutdown();

    const again = await buildCollectorApp({ home, clock: c.clockCtl, options: { commitWindowMs: 5 } });
    try {
      expect(again.state.hosts.inflightHosts()).toEqual([]);
      expect(again.state.hosts.get(host)).toMatchObject({ seq: 2, last_path: (a2 as { path: string }).path, agent_seq: 2 });
      const dup = await again.ingest.submit(host, reportMsg(2, reportBody({ packages: pkgs2, collectedAt: now() })));
      expect(dup).toMatchObject({ type: 'ack', status: 'duplicate', path: (a2 as { path: string }).path });
      c.clockCtl.advance(25 * HOUR);
      const hb = await again.ingest.submit(host, reportMsg(3, reportBody({ packages: pkgs2, includePackages: false, collectedAt: now() })));
      expect(hb).toMatchObject({ status: 'written' });
      const env = parseEnvelope((await again.sink.readFile((hb as { path: string }).path))!);
      expect(env.seq).toBe(3);
    } finally {
      await again.shutdown();
    }
    expect(a1).toMatchObject({ status: 'written' });
  });
});
