import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../agent/clock.ts';
import { seededRandom } from '../../cli/demo/rng.ts';
import { memoryLog } from '../../agent/log.ts';
import { createAgentRunner, type AgentRunner, type AgentRunnerOptions } from '../../agent/runner.ts';
import { StateStore } from '../../agent/state.ts';
import { webSocketTransport, type ConnectFn } from '../../agent/transport.ts';
import { agtError } from '../../agent/transport-errors.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { credentialsFor } from './helpers/credentials.ts';
import { fakeCollect, pkgs } from './helpers/fake-collect.ts';
import { memoryTransport } from './helpers/memory-transport.ts';
import { makePki, type TestPki } from './helpers/pki.ts';
import { StubCollector, type StubOptions } from './helpers/stub-collector.ts';

let pki: TestPki;
const cleanup: Array<() => Promise<unknown>> = [];
beforeAll(() => void (pki = makePki()));
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function stub(options: StubOptions = {}, port = 0) {
  const s = new StubCollector({ tls: { cert: pki.certPem, key: pki.keyPem }, ...options });
  await s.start(port);
  cleanup.push(() => s.stop());
  return s;
}

async function enrolledState(s: StubCollector) {
  const store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'pp-runner-')), 'state'), { sync: false });
  await store.saveCredentials(credentialsFor(s, { ca_pem: pki.caPem, pin_sha256: pki.pin }));
  return store;
}

function runner(store: StateStore, extra: Partial<AgentRunnerOptions> = {}) {
  const fc = fakeCollect();
  const log = memoryLog();
  const r = createAgentRunner({ state: store, collect: fc.collect, log, connect: webSocketTransport({ connectTimeoutMs: 5000 }), ackTimeoutMs: 5000, ...extra });
  cleanup.push(() => r.stop());
  return { r, fc, log };
}

describe('runOnce', () => {
  it('collects, spools, says hello, sends the report with packages, and clears the spool on ack', async () => {
    const s = await stub();
    const store = await enrolledState(s);
    const { r, log } = runner(store);
    const result = await r.runOnce();
    expect(result).toMatchObject({ collected: 1, acked: 1, rejected: 0, pending: 0, outcome: 'drained' });
    expect(s.hellos).toEqual([{ type: 'hello', protocol: 1, agent_version: AGENT_VERSION, last_acked_seq: 0, features: ['rotate-token'] }]);
    expect(s.reports).toHaveLength(1);
    expect(s.reports[0]).toMatchObject({ seq: 1, report_id: expect.stringMatching(/^[0-9A-Za-z_-]{16,64}$/) });
    expect(s.reports[0]!.body.packages).toEqual(pkgs('openssl=3.0.13-0ubuntu3.1', 'bash=5.2-1'));
    expect(store.spool.entries()).toEqual([]);
    expect(store.state).toMatchObject({ next_seq: 2, last_acked_seq: 1, last_acked_inventory_sha256: s.reports[0]!.body.inventory_sha256 });
    expect(JSON.stringify(log.lines)).not.toContain('ppd_');
  });

  it('omits packages while the inventory is unchanged since the last acked report, and sends them when it changes', async () => {
    const s = await stub();
    const store = await enrolledState(s);
    const { r, fc } = runner(store);
    await r.runOnce();
    await r.runOnce();
    fc.state.packages = pkgs('openssl=3.0.13-0ubuntu3.4', 'bash=5.2-1');
    await r.runOnce();
    expect(s.reports.map((m) => m.body.packages !== undefined)).toEqual([true, false, true]);
    expect(s.hellos[1]).toMatchObject({ last_acked_seq: 1, inventory_sha256: s.reports[0]!.body.inventory_sha256 });
    expect(fc.state.since[1]?.toISOString()).toBe(s.reports[0]!.body.collected_at);
  });

  it('keeps unacknowledged reports and resends them all in seq order, duplicates harmless', async () => {
    let mode: 'drop' | 'lose-ack' | 'ok' = 'drop';
    const s = await stub({
      onReport: (report, _conn, self) => {
        if (mode === 'drop') return 'drop';
        if (mode === 'lose-ack') {
          self.defaultReply(report); // written, but the ack never arrives
          return 'drop';
        }
        return 'default';
      },
    });
    const store = await enrolledState(s);
    const { r } = runner(store);
    expect(await r.runOnce()).toMatchObject({ collected: 1, acked: 0, pending: 1, outcome: 'closed' });
    expect(await r.runOnce()).toMatchObject({ collected: 2, acked: 0, pending: 2 });
    mode = 'lose-ack';
    expect(await r.runOnce()).toMatchObject({ collected: 3, pending: 3 });
    mode = 'ok';
    expect(await r.runOnce()).toMatchObject({ collected: 4, acked: 4, pending: 0, outcome: 'drained' });
    expect(s.ackOrder).toEqual([1, 2, 3, 4]);
    expect(s.reports.map((m) => m.seq)).toEqual([1, 1, 1, 1, 2, 3, 4]);
    const ids = new Map<number, Set<string>>();
    for (const m of s.reports) ids.set(m.seq, (ids.get(m.seq) ?? new Set()).add(m.report_id));
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('answers COL_INVENTORY_REQUIRED by resending the same report_id with packages', async () => {
    const first = await stub();
    const store = await enrolledState(first);
    const { r } = runner(store);
    await r.runOnce();
    // A collector that has no inventory for our hash (e.g. restored from a backup).
    const s = await stub();
    await store.saveCredentials(credentialsFor(s, { ca_pem: pki.caPem }));
    expect(await r.runOnce()).toMatchObject({ acked: 1, pending: 0 });
    expect(s.reports.map((m) => [m.seq, m.body.packages !== undefined])).toEqual([
      [2, false],
      [2, true],
    ]);
    expect(s.reports[0]!.report_id).toBe(s.reports[1]!.report_id);
    expect(s.ackOrder).toEqual([2]);
  });

  it('sends the pending list only when it changed, or when the collector asks (nack or full_pending)', async () => {
    let askOnce = false;
    let fullPending = false;
    const s = await stub({
      onHello: () => [{ type: 'config', interval_s: 3600, ...(fullPending ? { full_pending: true } : {}) }],
      onReport: (report, _c, self) => {
        // (full_pending in config races the first report of the connection; a collector that
        // lacks the list then nacks it, as the real one does)
        if ((askOnce || fullPending) && report.body.pending === undefined) {
          askOnce = false;
          return [{ type: 'nack', report_id: report.report_id, code: 'COL_PENDING_REQUIRED', message: 'send the pending list', retry: true }];
        }
        return self.defaultReply(report);
      },
    });
    const store = await enrolledState(s);
    const { r, fc } = runner(store);
    const update = { name: 'openssl', arch: 'amd64', installed: '3.0.13-0ubuntu3.1', candidate: '3.0.13-0ubuntu3.4', security: true };
    fc.state.extra = { pending: [update] };
    const sentPending = () => s.reports.map((m) => [m.seq, m.body.pending?.length ?? null, m.body.pending_count]);
    await r.runOnce(); // first: the list
    await r.runOnce(); // unchanged: hash only
    expect(sentPending()).toEqual([
      [1, 1, 1],
      [2, null, 1],
    ]);
    expect(s.hellos[1]).toMatchObject({ last_acked_seq: 1, pending_sha256: s.reports[0]!.body.pending_sha256 });
    askOnce = true; // a collector without the list: the same report again, with it
    expect(await r.runOnce()).toMatchObject({ acked: 1, pending: 0 });
    expect(sentPending().slice(2)).toEqual([
      [3, null, 1],
      [3, 1, 1],
    ]);
    expect(s.reports[2]!.report_id).toBe(s.reports[3]!.report_id);
    fullPending = true; // asked in config: sent with the next report, then no more
    await r.runOnce();
    fullPending = false;
    await r.runOnce();
    fc.state.extra = { pending: [] }; // changed: sent (empty)
    await r.runOnce();
    const last = new Map(sentPending().slice(4).map((x) => [x[0], x]));
    expect([...last.values()]).toEqual([
      [4, 1, 1],
      [5, null, 1],
      [6, 0, 0],
    ]);
    expect(store.state).toMatchObject({ pending_requested: false, last_acked_pending_sha256: s.reports.at(-1)!.body.pending_sha256 });
  });

  it('moves a report refused for good to spool/rejected/, logs it, and goes on', async () => {
    const s = await stub({
      onReport: (report, _c, self) =>
        report.seq === 1 ? [{ type: 'nack', report_id: report.report_id, code: 'COL_REPORT_INVALID', message: 'kernel field unusable', retry: false }] : self.defaultReply(report),
    });
    const store = await enrolledState(s);
    const { r, log } = runner(store);
    expect(await r.runOnce()).toMatchObject({ acked: 0, rejected: 1, pending: 0 });
    expect(await r.runOnce()).toMatchObject({ acked: 1, rejected: 0, pending: 0 });
    expect(s.reports.map((m) => m.seq)).toEqual([1, 2]);
    const rejected = await store.spool.rejected();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ code: 'COL_REPORT_INVALID', message: 'kernel field unusable', report: { seq: 1 } });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_REPORT_REJECTED', collector_code: 'COL_REPORT_INVALID' }));
  });

  it('keeps a report the collector defers (retry: true) for the next session', async () => {
    let busy = true;
    const s = await stub({
      onReport: (report, _c, self) => (busy ? [{ type: 'nack', report_id: report.report_id, code: 'COL_BUSY', message: 'try later', retry: true }] : self.defaultReply(report)),
    });
    const store = await enrolledState(s);
    const { r } = runner(store);
    expect(await r.runOnce()).toMatchObject({ acked: 0, pending: 1, outcome: 'retry-later' });
    busy = false;
    expect(await r.runOnce()).toMatchObject({ acked: 2, pending: 0 });
  });

  it('reports an unreachable collector but keeps the report spooled', async () => {
    const s = await stub();
    const store = await enrolledState(s);
    await s.stop();
    const { r, log } = runner(store);
    const result = await r.runOnce();
    expect(result).toMatchObject({ collected: 1, pending: 1, outcome: 'unreachable', error: expect.objectContaining({ code: 'AGT_SERVER_UNREACHABLE' }) });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_SERVER_UNREACHABLE' }));
  });

  it('says loudly when the spool is full of changes, and when collection fails', async () => {
    const s = await stub();
    const store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'pp-runner-')), 'state'), { sync: false, spool: { limits: { maxEntries: 2 } } });
    await store.saveCredentials(credentialsFor(s, { ca_pem: pki.caPem }));
    const down: ConnectFn = async () => {
      throw agtError('AGT_SERVER_UNREACHABLE', 'down');
    };
    const { r, fc, log } = runner(store, { connect: down });
    for (const v of ['1', '2', '3']) {
      fc.state.packages = pkgs(`openssl=${v}`);
      await r.runOnce();
    }
    expect(store.spool.entries().map((e) => e.seq)).toEqual([1, 2]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_SPOOL_FULL' }));
    fc.state.fail = true;
    expect((await r.runOnce()).collected).toBeNull();
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'AGT_COLLECT_FAILED' }));
  });
});

describe('start() under a virtual clock', () => {
  const T0 = '2025-01-01T00:00:00.000Z';

  it('reconnects with exponential backoff while the collector is down, then flushes and resets', async () => {
    const s = await stub();
    const port = s.port;
    const store = await enrolledState(s);
    await s.stop();
    const clock = manualClock(T0);
    const attempts: number[] = [];
    const real = webSocketTransport({ connectTimeoutMs: 5000 });
    const connect: ConnectFn = (req) => {
      attempts.push(clock.now().getTime() - Date.parse(T0));
      return real(req);
    };
    const { r } = runner(store, { clock, connect, random: () => 1, intervalMs: 86_400_000, backoff: { baseMs: 1000, capMs: 60_000 } });
    void r.start();
    const settle = () => r.idle();
    await r.idle();
    for (let i = 0; i < 4; i++) await clock.advanceToNext(settle);
    expect(attempts).toEqual([0, 1000, 3000, 7000, 15_000]);
    await s.start(port);
    await clock.advanceToNext(settle); // at 31 s: connects and flushes
    expect(s.ackOrder).toEqual([1]);
    expect(r.status()).toMatchObject({ connected: true, pending: 0 });
    attempts.length = 0;
    s.dropConnections();
    await expect.poll(() => r.status().connected).toBe(false);
    await r.idle();
    await clock.advanceToNext(settle);
    expect(attempts).toEqual([32_000]); // backoff restarted at base after a good session
    await r.stop();
  });

  it('checks in on schedule, obeys config and collect-now (with full inventory) from the collector', async () => {
    const s = await stub({ onHello: () => [{ type: 'config', interval_s: 7200, jitter_s: 0 }] });
    const store = await enrolledState(s);
    const clock = manualClock(T0);
    const { r } = runner(store, { clock, random: () => 0 });
    void r.start();
    const settle = () => r.idle();
    await expect.poll(() => s.ackOrder.length).toBe(1);
    await r.idle();
    expect(store.state.interval_s).toBe(7200);
    await clock.advanceToNext(settle);
    expect(s.ackOrder).toEqual([1, 2]);
    const gap = Date.parse(s.reports[1]!.body.collected_at) - Date.parse(s.reports[0]!.body.collected_at);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThanOrEqual(7200_000);
    expect(s.reports[1]!.body.packages).toBeUndefined();
    s.broadcast({ type: 'collect-now', full_inventory: true });
    await expect.poll(() => s.ackOrder.length).toBe(3);
    expect(s.reports[2]!.body.packages).toBeDefined();
    expect(s.reports[2]!.body.collected_at).toBe(s.reports[1]!.body.collected_at); // no clock movement: it was on demand
    await r.stop();
  });

  it('runs 180 simulated days in seconds: every report acked once, in seq order, at the host phase', async () => {
    let outage = false;
    const { connect, collector, stats, dropAll } = memoryTransport(undefined, { down: () => outage });
    const store = await StateStore.open(join(mkdtempSync(join(tmpdir(), 'pp-runner-')), 'state'), { sync: false });
    await store.saveCredentials({ server: 'https://collector.invalid/', host_id: 'h_00000000000000aa', device_token: 'ppd_' + 'a'.repeat(48), collector_id: 'sim', enrolled_at: T0 });
    const clock = manualClock(T0);
    const fc = fakeCollect();
    const r: AgentRunner = createAgentRunner({ state: store, clock, collect: async (o) => {
      const day = Math.floor((clock.now().getTime() - Date.parse(T0)) / 86_400_000);
      fc.state.packages = pkgs(`openssl=3.0.${Math.floor(day / 30)}`, 'bash=5.2-1');
      return fc.collect(o);
    }, connect, random: seededRandom(7), intervalMs: 6 * 3_600_000, jitterMs: 600_000, backoff: { baseMs: 60_000, capMs: 3_600_000 } });
    cleanup.push(() => r.stop());
    const started = Date.now();
    void r.start();
    await r.idle();
    const end = Date.parse(T0) + 180 * 86_400_000;
    while ((clock.nextTimerAt()?.getTime() ?? Infinity) <= end) {
      const day = Math.floor((clock.now().getTime() - Date.parse(T0)) / 86_400_000);
      const down = day >= 100 && day < 103; // three days without a collector
      if (down && !outage) dropAll();
      outage = down;
      await clock.advanceToNext(() => r.idle());
    }
    await r.stop();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(30_000);
    const n = collector.ackOrder.length;
    expect(n).toBeGreaterThanOrEqual(718);
    expect(n).toBeLessThanOrEqual(722);
    expect(collector.ackOrder).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(store.spool.entries().length).toBeLessThanOrEqual(1);
    expect(stats.refused).toBeGreaterThan(0);
    // Packages travel only when the inventory changed (every 30 days) or on the first report.
    const withPackages = new Set(collector.reports.filter((m) => m.body.packages).map((m) => m.seq));
    expect(withPackages.size).toBe(6);
    // Each check-in lands at the host's phase within the 6-hour slot, plus at most 10 minutes of jitter.
    const offsets = collector.reports.slice(1).map((m) => (Date.parse(m.body.collected_at) - Date.parse(T0)) % (6 * 3_600_000));
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(600_000);
  }, 60_000);
});
