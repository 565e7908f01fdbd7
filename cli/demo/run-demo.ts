// The demo's steps in order, with progress output: home, TLS, advisories, policies, collector on
// the virtual clock, the fleet, verification, the site build, and serving it.
import { join, resolve } from 'node:path';
import { manualClock, type ManualClock } from '../../agent/clock.ts';
import { importAdvisories } from '../../compliance/osv-import.ts';
import { defaultPoliciesDir } from '../../compliance/policy-load.ts';
import { initHome } from '../../evidence/home.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import type { CliIO } from '../io.ts';
import { adminClient } from './admin-client.ts';
import { publishingClock, sharedTime, startCollectorThread, type CollectorThread } from './collector-thread.ts';
import { Fleet, type AdminActions } from './fleet.ts';
import { writeDemoPolicies } from './policies.ts';
import { DEMO_ORG, FLEET } from './scenario.ts';
import { buildDemoSite } from './site.ts';
import { makeDemoTls, type DemoTls } from './tls.ts';
import { DEMO_PERIODS, DEMO_WINDOW_START, dayToDate } from './window.ts';

export interface DemoOptions {
  home: string;
  out: string;
  serve: boolean;
  port?: number;
  realHost: boolean;
  io: CliIO;
}

/** demo/data, next to cli/ in the project. */
export function demoDataDir(): string {
  return resolve(import.meta.dirname, '../../demo/data');
}

/** Collector settings for the demo (see docs/demo.md): daily evidence, one round of check-ins a day. */
export const DEMO_COLLECTOR_OPTIONS = {
  // Heartbeats are due after 12 h, so every daily check-in writes one: every day is covered.
  evidenceCadenceS: 12 * 3600,
  checkinIntervalS: 86_400,
  jitterS: 0,
  commitWindowMs: 2,
} as const;

function elapsed(t0: number): string {
  return `${((performance.now() - t0) / 1000).toFixed(1)} s`;
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const { io } = o;
  const say = (line: string) => io.stdout(`${line}\n`);
  const t0 = performance.now();
  const dataDir = demoDataDir();
  // One virtual clock for everything: the agents sleep on it, the collector (another thread)
  // reads it from shared memory and stamps received_at with it.
  const time = sharedTime();
  const clock = publishingClock(manualClock(dayToDate(-1, 6)), time.set);
  const now = () => clock.now();

  say(`patchproof demo — simulated data for "${DEMO_ORG}", ${DEMO_WINDOW_START.slice(0, 10)} to ${dayToDate(182).toISOString().slice(0, 10)}`);
  say(`[1/7] home ${o.home}`);
  const init = await initHome({ home: o.home, org: DEMO_ORG, collectorId: 'demo-collector', clock: now, simulated: true });
  say(`      evidence repository ${init.paths.evidenceRepo}, signing key ${init.fingerprint}`);

  say('[2/7] throw-away TLS CA and server certificate (openssl)');
  const tls = await makeDemoTls(join(o.home, 'demo-tls'));

  say('[3/7] advisory snapshot and policies');
  const adv = await importAdvisories(join(dataDir, 'advisories'), join(o.home, 'advisories'));
  say(`      ${adv.count} advisories (real AlmaLinux and Ubuntu OSV records + labelled synthetic x_PPDEMO ones), snapshot sha256 ${adv.hash.slice(0, 16)}…`);
  const policiesDir = join(o.home, 'policies');
  await writeDemoPolicies(defaultPoliciesDir(), policiesDir);
  say('      policies: the default set, with patch-management revised mid-period (2.0 → 2.1 on 2026-07-01)');

  await simulate(o, { dataDir, tls, clock, time: time.buffer, say });

  // Verification reads the repository while the site is built from it: two cores, two jobs.
  say('[6/7] verifying the evidence repository (in the background)');
  const verifying = verifyRepository(init.paths.evidenceRepo);
  verifying.catch(() => undefined);

  const period = { start: DEMO_PERIODS[0]!.start, end: DEMO_PERIODS[DEMO_PERIODS.length - 1]!.end };
  say(`[7/7] site for ${period.start} .. ${period.end} (${DEMO_PERIODS.map((p) => p.name).join(' + ')}): patchproof build`);
  const t2 = performance.now();
  const site = await buildDemoSite({ home: o.home, out: o.out, policiesDir, period, io, say });
  say(`      site built in ${elapsed(t2)}: ${o.out}`);

  const v = await verifying;
  say(`      verification ${v.ok ? 'OK' : 'FAILED'}: ${v.stats.commits} signed commits, ${v.stats.reports} signed reports from ${v.stats.hosts} hosts, ${v.stats.auditEntries} audit entries, ${v.problems.length} problem(s)`);
  for (const p of v.problems.slice(0, 10)) say(`      ${p.code} ${p.path}: ${p.message}`);
  if (!v.ok) return 1;

  say(`done in ${elapsed(t0)} — all data above is simulated`);
  say('');
  say(`Evidence repository: ${init.paths.evidenceRepo} (bare git; git --git-dir ${init.paths.evidenceRepo} log)`);
  say(`Verify it yourself:  npx patchproof verify --repo ${init.paths.evidenceRepo}`);
  for (const line of site.verifyHint) say(line);
  if (!o.serve) {
    say(`Site: ${o.out}   (serve it with: npx patchproof serve --dir ${o.out})`);
    return 0;
  }
  say('');
  return site.serve(o.port);
}

/** Steps 4 and 5: the collector in its thread, the fleet against it; the collector always stops. */
async function simulate(
  o: DemoOptions,
  c: { dataDir: string; tls: DemoTls; clock: ManualClock; time: SharedArrayBuffer; say: (line: string) => void },
): Promise<void> {
  const { say } = c;
  say('[4/7] collector on 127.0.0.1 with TLS, in a worker thread of this process, on the virtual clock');
  const collector = await startCollectorThread({ home: o.home, tlsCert: c.tls.certFile, tlsKey: c.tls.keyFile, options: DEMO_COLLECTOR_OPTIONS, time: c.time });
  try {
    say(`      ${collector.url}`);
    const admin = await adminActions(collector, c.tls.caPem);
    say(`[5/7] simulating ${FLEET.length} hosts${o.realHost ? ' + this machine' : ''} over ${DEMO_PERIODS.length} quarters`);
    const fleet = new Fleet({
      dataDir: c.dataDir,
      workDir: join(o.home, 'demo-fleet'),
      serverUrl: collector.url,
      caPem: c.tls.caPem,
      clock: c.clock,
      admin,
      realHost: o.realHost,
      progress: say,
    });
    const t1 = performance.now();
    const result = await fleet.run();
    say(`      ${result.hosts.length} hosts, ${result.reports} check-ins in ${elapsed(t1)}`);
  } finally {
    await collector.close();
  }
}

/** The scenario's admin work, done as an operator would: an API key, then the admin API. */
async function adminActions(collector: CollectorThread, caPem: string): Promise<AdminActions> {
  const api = adminClient(collector.url, await collector.createApiKey('demo admin'), caPem);
  return {
    async createEnrolToken() {
      const res = await api.call<{ secret: string }>('POST', '/api/v1/admin/tokens', { group: 'demo-fleet', expires: '200d', max_per_day: 100, cidrs: ['127.0.0.0/8'] });
      return res.secret;
    },
    async putMeta(hostId, meta) {
      await api.call('PUT', `/api/v1/admin/hosts/${hostId}/meta`, meta);
    },
    commitException: (id, yamlText, message, actor) => collector.commitException(id, yamlText, message, actor),
  };
}
