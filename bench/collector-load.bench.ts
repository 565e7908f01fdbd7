// Collector under load: the real collector in its own process (TLS on 127.0.0.1, a clock running
// 360× so one simulated hour passes in 10 s) and 1k / 5k / 10k simulated agents in a SEPARATE
// load-generator process (bench/collector-load-agents.ts). Per scale: memory per idle connection,
// first reports written per second, hourly check-ins (2% carrying a package change) with p50/p99
// ack latency, then a reconnect storm of every agent at once.
// Targets: 10,000 connections at ≤ 100 KB each; the 10k storm absorbed in < 60 s, nothing lost.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEnrolToken } from '../collector/admin-actions.ts';
import { actors } from '../collector/audit.ts';
import { openOfflineAdmin } from '../collector/offline-admin.ts';
import { initHome } from '../evidence/home.ts';
import type { BenchContext } from './run.ts';

const NODE = resolve(import.meta.dirname, '../node_modules/.bin/node');
const SERVER = resolve(import.meta.dirname, 'collector-load-server.ts');
const AGENTS = resolve(import.meta.dirname, 'collector-load-agents.ts');
const SPEED = 360;
const INTERVAL_MS = 3_600_000 / SPEED;

/** Starts `node script args` with the open-files limit raised as far as allowed. */
function spawnRaised(script: string, args: string[], ipc: boolean): ChildProcess {
  return spawn('sh', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', NODE, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', ...(ipc ? (['ipc'] as const) : [])],
  });
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeTls(dir: string): { cert: string; key: string; ca: string } {
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=bench CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE']);
  ssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: readFileSync(join(dir, 'ca.pem'), 'utf8') };
}

async function startServer(home: string, tls: { cert: string; key: string }): Promise<{ child: ChildProcess; url: string; stopped: Promise<number> }> {
  const child = spawnRaised(SERVER, [home, tls.cert, tls.key, String(SPEED)], false);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const stopped = new Promise<number>((r) => child.on('exit', () => r(Number(/STOPPED (\d+)/.exec(out)?.[1] ?? NaN))));
  for (let i = 0; i < 600 && !/URL (\S+)/.test(out); i++) await sleep(50);
  const url = /URL (\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`collector did not start: ${out}`);
  return { child, url, stopped };
}

function loadGenerator(): { call: (cmd: object) => Promise<Record<string, unknown>>; child: ChildProcess; ready: Promise<void> } {
  const child = spawnRaised(AGENTS, [], true);
  child.stdout!.resume();
  let id = 0;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  child.on('message', (m: { ready?: boolean; id?: number; result?: Record<string, unknown>; error?: string }) => {
    if (m.ready) return ready();
    const p = pending.get(m.id!);
    pending.delete(m.id!);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.result ?? {});
  });
  return {
    child,
    ready: readyP,
    call: (cmd) =>
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        child.send({ ...cmd, id });
      }),
  };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const sizes = ctx.quick ? [200, 500] : [1000, 5000, 10_000];
  const home = join(ctx.tmpDir, 'home');
  await initHome({ home, org: 'Bench Org' });
  const tls = makeTls(ctx.tmpDir);
  const admin = await openOfflineAdmin(home);
  const { secret: token } = await createEnrolToken({ state: admin.state, actor: actors.cli('bench'), source: null, now: admin.clock(), record: admin.record }, {});
  await admin.finish();

  const gen = loadGenerator();
  await gen.ready;
  const results: Record<string, unknown> = { speed: SPEED, checkin_interval_ms: INTERVAL_MS, packages_per_host: 100, tls: true };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    for (const n of sizes) {
      ctx.log(`${n} agents: starting collector`);
      server = await startServer(home, tls);
      const pid = server.child.pid!;
      await gen.call({ cmd: 'init', url: server.url, ca: tls.ca });
      const enrol = await gen.call({ cmd: 'enrol', count: n, token });
      await sleep(1500);
      const rssBefore = status(pid, 'VmRSS');
      ctx.log(`${n} agents: connecting`);
      const connect = await gen.call({ cmd: 'connect', count: n, concurrency: 500 });
      await sleep(2000);
      const rssConnected = status(pid, 'VmRSS');
      ctx.log(`${n} agents: first reports`);
      const first = await gen.call({ cmd: 'first', count: n });
      ctx.log(`${n} agents: check-ins`);
      const checkins = await gen.call({ cmd: 'checkins', count: n, n: 3, intervalMs: INTERVAL_MS, changeRate: 0.02 });
      ctx.log(`${n} agents: reconnect storm`);
      const storm = await gen.call({ cmd: 'storm', count: n });
      await gen.call({ cmd: 'close' });
      const peak = status(pid, 'VmHWM');
      server.child.kill('SIGTERM');
      const shutdownMs = await server.stopped;
      server = undefined;
      results[`agents_${n}`] = {
        enrol,
        connect,
        rss_before_connect_mb: Math.round(rssBefore / 1024),
        rss_connected_mb: Math.round(rssConnected / 1024),
        kb_per_connection: Math.round(((rssConnected - rssBefore) / n) * 10) / 10,
        first_reports: first,
        checkins,
        reconnect_storm: storm,
        peak_rss_mb: Math.round(peak / 1024),
        graceful_shutdown_ms: shutdownMs,
      };
      ctx.log(`${n} agents: ${JSON.stringify(results[`agents_${n}`])}`);
    }
  } finally {
    gen.child.kill('SIGTERM');
    server?.child.kill('SIGKILL');
  }
  return results;
}
