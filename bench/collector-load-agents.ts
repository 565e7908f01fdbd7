// Load generator for the collector: thousands of simulated agents in ONE separate process, each
// a real WebSocket (TLS) with its own device token, speaking protocol v1 (hello, report, ack).
// Driven by bench/collector-load.bench.ts over IPC; also runs standalone:
//   node bench/collector-load-agents.ts --url https://127.0.0.1:8443 --ca ca.pem --token ppe_… \
//        --agents 1000 [--checkins 3] [--interval-ms 10000]
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { inventorySha256 } from '../evidence/packages-tsv.ts';
import type { Package, ReportBody } from '../evidence/types.gen.ts';

interface SimAgent {
  i: number;
  hostId: string;
  token: string;
  ws: WebSocket | null;
  seq: number;
  packages: Package[];
  inventory: string;
  sentInventory: string | null;
  waiting: Map<string, { resolve: (status: string) => void; msg: object }>;
  configWaiter: (() => void) | null;
}

let url = '';
let ca = '';
// One TLS context and one keep-alive agent for the whole process, as a fleet of real agents
// would each have their own; per-connection CA parsing would measure the load generator.
let secureContext: SecureContext | undefined;
let httpsAgent: HttpsAgent | undefined;
const agents: SimAgent[] = [];
let latencies: number[] = [];
const statuses = new Map<string, number>();

function packagesFor(i: number): Package[] {
  return Array.from({ length: 100 }, (_, k) => ({ name: `lib${k.toString(36)}-${k % 7}`, arch: 'amd64', version: `1.${k % 5}.${i % 3}-1` }));
}

function body(a: SimAgent, withPackages: boolean): ReportBody {
  return {
    collected_at: new Date().toISOString(),
    agent_version: '0.1.0',
    hostname: `sim-${a.i}`,
    os: { id: 'debian', version_id: '12' },
    arch: 'amd64',
    kernel: { running: '6.1.0-18-amd64', installed: ['6.1.0-18-amd64'], reboot_required: false },
    package_manager: 'dpkg',
    inventory_sha256: a.inventory,
    inventory_count: a.packages.length,
    ...(withPackages ? { packages: a.packages } : {}),
    pending: [],
    history: [],
    warnings: [],
  };
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function post(path: string, payload: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, url), { method: 'POST', agent: httpsAgent!, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += String(d)));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Record<string, unknown>) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

async function enrol(count: number, token: string, concurrency = 64): Promise<{ enrolled: number; seconds: number }> {
  const t = performance.now();
  const todo = Array.from({ length: count - agents.length }, (_, k) => agents.length + k);
  await pool(todo, concurrency, async (i) => {
    const r = await post('/api/v1/enroll', { token, hostname: `sim-${i}`, os: { id: 'debian', version_id: '12' }, arch: 'amd64', agent_version: '0.1.0' });
    const packages = packagesFor(i);
    agents[i] = { i, hostId: r.host_id as string, token: r.device_token as string, ws: null, seq: 0, packages, inventory: inventorySha256(packages), sentInventory: null, waiting: new Map(), configWaiter: null };
  });
  return { enrolled: agents.length, seconds: (performance.now() - t) / 1000 };
}

function onMessage(a: SimAgent, data: WebSocket.RawData): void {
  const m = JSON.parse(String(data)) as { type: string; report_id?: string; status?: string; code?: string; retry?: boolean };
  if (m.type === 'config') {
    a.configWaiter?.();
    a.configWaiter = null;
    return;
  }
  const w = m.report_id ? a.waiting.get(m.report_id) : undefined;
  if (!w) return;
  if (m.type === 'nack' && m.code === 'COL_INVENTORY_REQUIRED') {
    // Like the real agent: resend with the package list.
    a.ws?.send(JSON.stringify({ ...w.msg, body: body(a, true) }));
    return;
  }
  a.waiting.delete(m.report_id!);
  const status = m.type === 'ack' ? m.status! : `nack:${m.code}`;
  if (m.type === 'ack') a.sentInventory = a.inventory;
  w.resolve(status);
}

function connect(a: SimAgent, attempt = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/agent`, {
      // ws hands its options to tls.connect, which takes a shared secureContext.
      ...({ secureContext } as WebSocket.ClientOptions),
      headers: { authorization: `Bearer ${a.token}` },
      localAddress: `127.0.0.${1 + (a.i % 8)}`,
      perMessageDeflate: false,
    });
    ws.on('message', (d) => onMessage(a, d));
    ws.on('error', () => undefined);
    ws.once('close', () => {
      if (a.ws === ws) a.ws = null;
    });
    a.configWaiter = () => resolve();
    ws.once('open', () => {
      a.ws = ws;
      ws.send(JSON.stringify({ type: 'hello', protocol: 1, agent_version: '0.1.0' }));
    });
    ws.once('unexpected-response', () => reject(new Error('refused')));
    ws.once('error', (err) => {
      if (attempt >= 20) return reject(err);
      // Jittered retry, as an agent's backoff would.
      setTimeout(() => connect(a, attempt + 1).then(resolve, reject), 50 + Math.random() * 200 * (attempt + 1));
    });
  });
}

async function connectAll(count: number, concurrency: number): Promise<{ seconds: number; connected: number }> {
  const t = performance.now();
  await pool(agents.slice(0, count), concurrency, (a) => connect(a));
  return { seconds: (performance.now() - t) / 1000, connected: agents.slice(0, count).filter((a) => a.ws).length };
}

function report(a: SimAgent, change: boolean): Promise<string> {
  if (change) {
    a.packages = a.packages.map((p, k) => (k === a.seq % a.packages.length ? { ...p, version: `${p.version}+u${a.seq}` } : p));
    a.inventory = inventorySha256(a.packages);
  }
  a.seq++;
  const reportId = `sim${String(a.i).padStart(6, '0')}_${String(a.seq).padStart(10, '0')}`;
  const withPackages = a.sentInventory !== a.inventory;
  const msg = { type: 'report', report_id: reportId, seq: a.seq, body: body(a, withPackages) };
  const sentAt = performance.now();
  return new Promise((resolve) => {
    a.waiting.set(reportId, {
      msg,
      resolve: (status) => {
        latencies.push(performance.now() - sentAt);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        resolve(status);
      },
    });
    a.ws?.send(JSON.stringify(msg));
  });
}

function summary(seconds: number): Record<string, unknown> {
  const sorted = [...latencies].sort((x, y) => x - y);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN);
  const out = { reports: sorted.length, seconds: Math.round(seconds * 10) / 10, per_s: Math.round(sorted.length / seconds), ack_ms_p50: pct(0.5), ack_ms_p99: pct(0.99), ack_ms_max: Math.round(sorted[sorted.length - 1] ?? NaN), statuses: Object.fromEntries(statuses) };
  latencies = [];
  statuses.clear();
  return out;
}

async function firstReports(count: number): Promise<Record<string, unknown>> {
  const t = performance.now();
  await pool(agents.slice(0, count).filter((a) => a.sentInventory === null), 2000, async (a) => void (await report(a, false)));
  return summary((performance.now() - t) / 1000);
}

/** Every agent checks in `checkins` times, `intervalMs` apart, start times spread over one interval. */
async function checkins(count: number, n: number, intervalMs: number, changeRate: number): Promise<Record<string, unknown>> {
  const t = performance.now();
  await Promise.all(
    agents.slice(0, count).map(async (a) => {
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
      for (let k = 0; k < n; k++) {
        const started = performance.now();
        await report(a, Math.random() < changeRate);
        await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - started))));
      }
    }),
  );
  return summary((performance.now() - t) / 1000);
}

/** All connections drop at once, then all reconnect at once and report: nothing may be lost. */
async function storm(count: number): Promise<Record<string, unknown>> {
  const group = agents.slice(0, count);
  for (const a of group) a.ws?.terminate();
  await new Promise((r) => setTimeout(r, 200));
  const t = performance.now();
  const results = await Promise.allSettled(
    group.map(async (a) => {
      await connect(a);
      return report(a, false);
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  const failed = results.filter((r) => r.status === 'rejected').length;
  return { ...summary(seconds), reconnected: group.filter((a) => a.ws).length, lost: failed };
}

async function closeAll(): Promise<void> {
  for (const a of agents) a.ws?.terminate();
  await new Promise((r) => setTimeout(r, 200));
}

type Command = { cmd: 'init'; url: string; ca: string } | { cmd: 'enrol'; count: number; token: string } | { cmd: 'connect'; count: number; concurrency: number } | { cmd: 'first'; count: number } | { cmd: 'checkins'; count: number; n: number; intervalMs: number; changeRate: number } | { cmd: 'storm'; count: number } | { cmd: 'close' };

async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'init':
      url = c.url;
      ca = c.ca;
      secureContext = createSecureContext({ ca });
      httpsAgent = new HttpsAgent({ ca, keepAlive: true, maxSockets: 64 });
      return { ok: true };
    case 'enrol':
      return enrol(c.count, c.token);
    case 'connect':
      return connectAll(c.count, c.concurrency);
    case 'first':
      return firstReports(c.count);
    case 'checkins':
      return checkins(c.count, c.n, c.intervalMs, c.changeRate);
    case 'storm':
      return storm(c.count);
    case 'close':
      return closeAll();
  }
}

if (process.send) {
  process.on('message', (c: Command & { id: number }) => {
    handle(c).then(
      (result) => process.send!({ id: c.id, result }),
      (err: unknown) => process.send!({ id: c.id, error: String((err as Error)?.stack ?? err) }),
    );
  });
  process.send({ ready: true });
} else {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, ca: { type: 'string' }, token: { type: 'string' }, agents: { type: 'string' }, checkins: { type: 'string' }, 'interval-ms': { type: 'string' } },
  });
  if (!values.url || !values.ca || !values.token) throw new Error('usage: --url URL --ca FILE --token ppe_… [--agents N] [--checkins K] [--interval-ms MS]');
  const n = Number(values.agents ?? 1000);
  await handle({ cmd: 'init', url: values.url, ca: readFileSync(values.ca, 'utf8') });
  const out = {
    enrol: await handle({ cmd: 'enrol', count: n, token: values.token }),
    connect: await handle({ cmd: 'connect', count: n, concurrency: 500 }),
    first: await handle({ cmd: 'first', count: n }),
    checkins: await handle({ cmd: 'checkins', count: n, n: Number(values.checkins ?? 3), intervalMs: Number(values['interval-ms'] ?? 10_000), changeRate: 0.02 }),
    storm: await handle({ cmd: 'storm', count: n }),
  };
  await handle({ cmd: 'close' });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exit(0);
}
