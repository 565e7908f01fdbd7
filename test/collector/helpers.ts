// Test scaffolding: a fresh collector home in a temp dir and an in-process collector over it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { initHome } from '../../evidence/home.ts';
import { buildCollectorApp, type CollectorApp, type CollectorDeps } from '../../collector/app.ts';
import { manualClock, type ManualClock } from '../../collector/clock.ts';
import type { Role } from '../../collector/state/api-keys.ts';

export const T0 = '2025-01-06T09:00:00.000Z';

export interface TestCollector extends CollectorApp {
  readonly home: string;
  readonly clockCtl: ManualClock;
  readonly logs: string[];
  key(role: Role): string;
  close(): Promise<void>;
}

const madeDirs = new Set<string>();

/** Removes the temp dirs of homes made with makeHome (call from afterAll/afterEach). */
export async function removeHomes(): Promise<void> {
  await Promise.all([...madeDirs].map((d) => rm(d, { recursive: true, force: true })));
  madeDirs.clear();
}

export async function makeHome(clock: ManualClock, prefix = 'pp-col-'): Promise<{ dir: string; home: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  madeDirs.add(dir);
  const home = join(dir, 'home');
  await initHome({ home, org: 'Test Org', clock });
  return { dir, home };
}

/** A collector over a new home with a manual clock, one API key per role, logs captured. */
export async function startTestCollector(opts: { clock?: ManualClock; home?: string; options?: CollectorDeps['options'] } = {}): Promise<TestCollector> {
  const clockCtl = opts.clock ?? manualClock(T0);
  const made = opts.home ? { dir: null, home: opts.home } : await makeHome(clockCtl);
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const c = await buildCollectorApp({
    home: made.home,
    clock: clockCtl,
    logger: { level: 'info', stream },
    options: { commitWindowMs: 5, ...opts.options },
  });
  const keys = new Map<Role, string>();
  for (const role of ['owner', 'admin', 'operator', 'auditor'] as const) {
    keys.set(role, c.state.apiKeys.create({ name: `test ${role}`, role, created_by: 'test' }).secret);
  }
  return {
    ...c,
    home: made.home,
    clockCtl,
    logs,
    key: (role) => keys.get(role)!,
    close: async () => {
      await c.shutdown();
      if (made.dir) {
        await rm(made.dir, { recursive: true, force: true });
        madeDirs.delete(made.dir);
      }
    },
  };
}

export function bearer(secret: string): { authorization: string } {
  return { authorization: `Bearer ${secret}` };
}

export const enrolBody = (token: string, hostname = 'web-01.example.com') => ({
  token,
  hostname,
  os: { id: 'ubuntu', version_id: '24.04', pretty_name: 'Ubuntu 24.04 LTS' },
  arch: 'amd64',
  agent_version: '0.1.0',
});
