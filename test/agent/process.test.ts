// Real agent processes: kill -9 at random moments loses nothing, and the agent never listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../agent/state.ts';
import { credentialsFor } from './helpers/credentials.ts';
import { makePki, type TestPki } from './helpers/pki.ts';
import { StubCollector, type StubOptions } from './helpers/stub-collector.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/agent/fixtures/agent-process.ts');
// Type stripping needs Node ≥ 22.6; the project pins 24 in node_modules.
const NODE = Number(process.versions.node.split('.')[0]) >= 24 ? process.execPath : join(ROOT, 'node_modules/.bin/node');

let pki: TestPki;
const children = new Set<ChildProcess>();
const stubs: StubCollector[] = [];
beforeAll(() => void (pki = makePki()));
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  await Promise.all(stubs.splice(0).map((s) => s.stop()));
});

async function stub(options: StubOptions = {}) {
  const s = await new StubCollector({ tls: { cert: pki.certPem, key: pki.keyPem }, ...options }).start();
  stubs.push(s);
  return s;
}

async function enrolledDir(s: StubCollector): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'pp-proc-')), 'state');
  const store = await StateStore.open(dir);
  await store.saveCredentials(credentialsFor(s, { ca_pem: pki.caPem, pin_sha256: pki.pin }));
  return dir;
}

function agent(script: string, args: string[]): ChildProcess & { output: () => string; exited: Promise<number | null> } {
  const child = spawn(NODE, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (children.delete(child), r(code))));
  return Object.assign(child, { output: () => output, exited });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded PRNG: the kill moments and dropped acks are random but repeatable. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** Socket inodes held open by a process. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // fd closed while we looked
    }
  }
  return out;
}

/** inode → TCP state (hex, 0A = LISTEN) from the process's view of /proc/net/tcp{,6}. */
function tcpStates(pid: number): Map<string, string> {
  const states = new Map<string, string>();
  for (const file of ['tcp', 'tcp6']) {
    const path = `/proc/${pid}/net/${file}`;
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      states.set(f[9]!, f[3]!);
    }
  }
  return states;
}

/** inodes of UDP sockets and of listening unix sockets (flag __SO_ACCEPTCON). */
function otherReceivers(pid: number): Set<string> {
  const out = new Set<string>();
  for (const file of ['udp', 'udp6']) {
    const path = `/proc/${pid}/net/${file}`;
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').trim().split('\n').slice(1)) out.add(line.trim().split(/\s+/)[9]!);
  }
  const unix = `/proc/${pid}/net/unix`;
  if (existsSync(unix)) {
    for (const line of readFileSync(unix, 'utf8').trim().split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if ((Number.parseInt(f[3]!, 16) & 0x10000) !== 0) out.add(f[6]!);
    }
  }
  return out;
}

describe.skipIf(process.platform !== 'linux')('agent process', () => {
  it('opens no listening socket while running and connected', async () => {
    const s = await stub();
    const dir = await enrolledDir(s);
    const child = agent(FIXTURE, ['run', '--state', dir, '--interval', '0.2', '--log-level', 'warn']);
    await expect.poll(() => s.ackOrder.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const pid = child.pid!;
    const inodes = socketInodes(pid);
    const states = tcpStates(pid);
    const mine = [...inodes].filter((i) => states.has(i)).map((i) => states.get(i));
    expect(mine).toContain('01'); // the outbound, established connection to the collector
    expect(mine).not.toContain('0A');
    expect([...inodes].filter((i) => otherReceivers(pid).has(i))).toEqual([]);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).not.toMatch(/ppd_[A-Za-z0-9]/);
  }, 30_000);

  it('loses nothing to kill -9 at random moments: every report acked once, in seq order', async () => {
    const random = prng(20250301);
    const s = await stub({
      // Acknowledges only some reports: others are dropped unprocessed, or processed with the ack lost.
      onReport: (report, _conn, self) => {
        const roll = random();
        if (roll < 0.15) return 'drop';
        if (roll < 0.3) {
          self.defaultReply(report);
          return 'drop';
        }
        return 'default';
      },
    });
    const dir = await enrolledDir(s);
    for (let round = 0; round < 6; round++) {
      const hellos = s.hellos.length;
      const child = agent(FIXTURE, ['run', '--state', dir, '--interval', '0.05', '--log-level', 'error']);
      // Random moments *while it works* (after it connected): start-up time varies with machine load.
      await expect.poll(() => s.hellos.length, { timeout: 20_000, interval: 10 }).toBeGreaterThan(hellos);
      await sleep(Math.floor(random() * 500));
      child.kill('SIGKILL');
      await child.exited;
    }
    expect(s.ackOrder.length).toBeGreaterThan(0);
    // A last run that stays until its spool is empty: --once collects one more and flushes everything.
    let pending = -1;
    for (let tries = 0; tries < 20 && pending !== 0; tries++) {
      const last = agent(FIXTURE, ['run', '--state', dir, '--once', '--log-level', 'error']);
      await last.exited;
      pending = JSON.parse(last.output().split('\n').find((l) => l.startsWith('{')) ?? '{"pending":-1}').pending;
    }
    expect(pending).toBe(0);

    const store = await StateStore.open(dir);
    const n = store.state.next_seq - 1;
    expect(store.spool.entries()).toEqual([]);
    expect(store.state.last_acked_seq).toBe(n);
    // Every seq ever spooled was acknowledged exactly once as new, strictly in seq order.
    expect(s.ackOrder).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // Resends are the same report (same report_id), and nothing half-written ever went out.
    const ids = new Map<number, string>();
    for (const r of s.reports) {
      expect(ids.get(r.seq) ?? r.report_id).toBe(r.report_id);
      ids.set(r.seq, r.report_id);
    }
    expect(s.invalidFrames).toBe(0);
    expect(await store.spool.rejected()).toEqual([]);
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(s.reports.length).toBeGreaterThan(n); // there were resends
  }, 120_000);

  it.skipIf(!existsSync('/var/lib/dpkg/status') && !existsSync('/var/lib/rpm') && !existsSync('/lib/apk/db/installed'))(
    '`patchproof agent run --once` collects this host for real and delivers it',
    async () => {
      const s = await stub();
      const dir = await enrolledDir(s);
      const child = agent(join(ROOT, 'cli/patchproof.ts'), ['agent', 'run', '--state', dir, '--once']);
      expect(await child.exited).toBe(0);
      expect(s.ackOrder).toEqual([1]);
      expect(s.reports[0]!.body.packages!.length).toBeGreaterThan(0);
      const lines = child.output().split('\n').filter((l) => l.startsWith('{"time"'));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(JSON.parse(l)).toMatchObject({ level: expect.any(String), msg: expect.any(String) });
      expect(child.output()).not.toMatch(/ppd_[A-Za-z0-9]/);
    },
    60_000,
  );
});
