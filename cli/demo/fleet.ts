// Drives the simulated fleet through the demo window on one virtual clock: each host is the real
// agent (enrolment, runner, spool, WebSocket transport over TLS) collecting from a simulated
// package source, talking to the real collector (a thread of this process); admin events happen
// on their simulated day.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, guessManager, type CollectCache } from '../../agent/collect.ts';
import { distroArch, readHostFacts } from '../../agent/host-facts.ts';
import { agentVersion } from '../../agent/version.ts';
import { yieldToEventLoop, type ManualClock } from '../../agent/clock.ts';
import { enroll } from '../../agent/enroll.ts';
import type { AgentLog } from '../../agent/log.ts';
import { createAgentRunner, type AgentRunner, type CollectFn } from '../../agent/runner.ts';
import { StateStore } from '../../agent/state.ts';
import { demoError } from './errors.ts';
import { exceptionYaml, personId } from './exceptions.ts';
import { buildHostModel } from './host-model.ts';
import { simulatedProbe, writeHostRoot } from './host-root.ts';
import { loadBaseInventory, OS_INFO } from './inventories.ts';
import { loadRepo, type RepoDistro, type RepoFile } from './package-repo.ts';
import { seededRandom } from './rng.ts';
import { ADMIN_EVENTS, DEMO_SEED, EXCEPTIONS, FLEET, REAL_HOST_ENROL_DAY, type HostPlan } from './scenario.ts';
import { simulatedSource } from './simulated-source.ts';
import { DEMO_DAYS, DEMO_WINDOW_END, dayToDate } from './window.ts';

/** The admin side of the scenario, implemented by the demo command against the collector. */
export interface AdminActions {
  createEnrolToken(): Promise<string>;
  putMeta(hostId: string, meta: Record<string, unknown>): Promise<void>;
  commitException(id: string, yamlText: string, message: string, actor: string): Promise<void>;
}

export interface FleetOptions {
  dataDir: string;
  /** Agent state directories and simulated host roots go below this. */
  workDir: string;
  serverUrl: string;
  caPem: string;
  clock: ManualClock;
  admin: AdminActions;
  /** Include this machine's own agent (real collect()), enrolled on the last day. */
  realHost: boolean;
  progress: (line: string) => void;
}

export interface FleetHost {
  hostname: string;
  hostId: string;
  plan: HostPlan | null;
  runner: AgentRunner;
  state: StateStore;
  stopped: boolean;
}

export interface FleetResult {
  hosts: FleetHost[];
  reports: number;
}

/** The daily check-in round starts at 06:00 UTC; each distribution has its own slot (null: this machine). */
const ROUND_HOUR = 6;
const ROUND_SLOT_MINUTES = 5;
const ROUND_SLOTS: readonly (RepoDistro | null)[] = ['almalinux-9', 'debian-12', 'ubuntu-24.04', 'alpine-3.22', null];
/** The fleet is enrolled the day before the window opens, so day 0 already has evidence. */
const ENROL_DAY = -1;
/**
 * The agents' own check-in timer, pushed out of the way: the driver triggers every check-in.
 * The runner places a host's next check-in at a phase in [0, interval) derived from its host id,
 * so the chance that it falls inside the 183-day window is 183 days / 2^52 ms, about 4 in a million.
 */
const AGENT_OWN_INTERVAL_MS = 2 ** 52;

type Event = { at: Date; order: number; run: () => Promise<void> };

/** A host's meta.yaml as its owner would write it; null for a host nobody described. */
function metaRecord(plan: HostPlan, extraTags: readonly string[] = []): Record<string, unknown> | null {
  const m = plan.meta;
  if (!m) return null;
  return {
    owner: m.owner,
    purpose: m.purpose,
    classification: m.classification,
    environment: m.environment,
    in_scope: true,
    frameworks: [...m.frameworks],
    tags: [plan.distro, ...(m.tags ?? []), ...extraTags],
  };
}

const REAL_HOST_META = {
  owner: 'you',
  purpose: 'the machine running `patchproof demo` (real package data)',
  classification: 'internal',
  environment: 'demo',
  in_scope: true,
  frameworks: ['soc2'],
  tags: ['real-host'],
};

export class Fleet {
  readonly #o: FleetOptions;
  readonly #hosts: FleetHost[] = [];
  readonly #repos = new Map<RepoDistro, RepoFile>();
  readonly #random = seededRandom(DEMO_SEED);
  #token = '';
  #reports = 0;
  #agentProblems = 0;

  constructor(options: FleetOptions) {
    this.#o = options;
  }

  #repo(distro: RepoDistro): RepoFile {
    let r = this.#repos.get(distro);
    if (!r) this.#repos.set(distro, (r = loadRepo(this.#o.dataDir, distro)));
    return r;
  }

  #byName(hostname: string): FleetHost {
    const h = this.#hosts.find((x) => x.hostname === hostname);
    if (!h) throw new Error(`scenario names unknown host ${hostname}`);
    return h;
  }

  /**
   * Waits until each target host has spooled a report past `seq` and emptied its spool (acked,
   * or rejected for good). An agent waiting on its backoff timer is helped along by moving the
   * virtual clock a second at a time, as a real collector outage would pass.
   */
  async #settleAll(targets: Map<FleetHost, number>): Promise<void> {
    const done = (h: FleetHost, seq: number) => h.stopped || (h.state.state.next_seq > seq && h.state.spool.entries().length === 0);
    for (let spins = 0; ; spins++) {
      await Promise.all(this.#hosts.filter((h) => !h.stopped).map((h) => h.runner.idle()));
      const waiting = [...targets].filter(([h, seq]) => !done(h, seq));
      if (waiting.length === 0) return;
      if (spins > 5000) throw demoError('CLI_DEMO_STUCK', `no acknowledgement for ${waiting.map(([h]) => h.hostname).join(', ')} at ${this.#o.clock.now().toISOString()}`);
      if (spins < 100) await yieldToEventLoop();
      else if (spins % 10 === 0) await this.#o.clock.advance(1000, () => yieldToEventLoop());
      else await new Promise((r) => setTimeout(r, 2));
    }
  }

  async #enrol(hostname: string, plan: HostPlan | null, index: number): Promise<FleetHost> {
    const o = this.#o;
    const dir = join(o.workDir, hostname);
    await mkdir(dir, { recursive: true });
    const state = await StateStore.open(join(dir, 'agent-state'), { sync: false });
    let collectFn: CollectFn;
    let facts: Parameters<typeof enroll>[0]['facts'];
    if (plan) {
      const repo = this.#repo(plan.distro);
      const model = buildHostModel(plan, repo, loadBaseInventory(o.dataDir, plan.distro), index);
      const source = simulatedSource(model, repo);
      const root = await writeHostRoot(join(dir, 'root'), OS_INFO[plan.distro], DEMO_SEED, hostname);
      const address = `10.${20 + (index >> 8)}.${index & 0xff}.${10 + (index % 200)}`;
      const probe = simulatedProbe(hostname, address, source, () => o.clock.now());
      collectFn = (opts) => collect({ ...opts, sources: [source], root, probe });
      facts = async () => (await collect({ now: () => o.clock.now(), sources: [source], root, probe })).body;
    } else {
      // This machine: the real collect(), with the cache the agent keeps across check-ins (the
      // slow apt/dnf update simulation is reused while the package database is unchanged).
      const cache: CollectCache = new Map();
      collectFn = (opts) => collect({ ...opts, cache });
      facts = async () => {
        const f = await readHostFacts({ root: '/', now: () => o.clock.now(), warn: () => undefined });
        return { hostname: f.hostname, os: f.os, arch: distroArch(f.machine, guessManager(f.os)), agent_version: agentVersion(), ...(f.machine_id ? { machine_id: f.machine_id } : {}) };
      };
    }
    await enroll({ server: o.serverUrl, token: this.#token, state, facts, ca: { pem: o.caPem }, now: () => o.clock.now(), log: this.#agentLog(hostname) });
    const credentials = await state.credentials();
    const runner = createAgentRunner({
      state,
      collect: collectFn,
      clock: o.clock,
      random: this.#random,
      intervalMs: AGENT_OWN_INTERVAL_MS,
      jitterMs: 0,
      log: this.#agentLog(hostname),
    });
    const host: FleetHost = { hostname, hostId: credentials.host_id, plan, runner, state, stopped: false };
    this.#hosts.push(host);
    // start() checks in at once: the host's first report.
    void runner.start().catch((err: Error) => o.progress(`  agent ${hostname} stopped: ${err.message}`));
    await this.#settleAll(new Map([[host, 1]]));
    this.#reports++;
    return host;
  }

  /** Agents log quietly; their warnings and errors are shown (the first few) as progress. */
  #agentLog(hostname: string): AgentLog {
    const shown = (level: string) => (msg: string, fields?: { code?: string }) => {
      if (this.#agentProblems++ < 20) this.#o.progress(`  agent ${hostname} ${level}: ${msg}${fields?.code ? ` (${fields.code})` : ''}`);
      else if (this.#agentProblems === 21) this.#o.progress('  (further agent warnings not shown)');
    };
    return { debug: () => undefined, info: () => undefined, warn: shown('warning'), error: shown('error') };
  }

  #events(): Event[] {
    const o = this.#o;
    const events: Event[] = [];
    const add = (at: Date, order: number, run: () => Promise<void>) => events.push({ at, order, run });
    add(dayToDate(ENROL_DAY, 8), 0, async () => {
      this.#token = await o.admin.createEnrolToken();
      o.progress('  enrolment token created through the admin API');
    });
    FLEET.forEach((plan, i) => {
      const day = plan.enrolDay ?? ENROL_DAY;
      add(dayToDate(day, 9 + (i * 3) / 60), 1, async () => {
        const h = await this.#enrol(plan.hostname, plan, i);
        if ((i + 1) % 10 === 0 || i === FLEET.length - 1) o.progress(`  enrolled ${i + 1}/${FLEET.length} simulated hosts (latest ${h.hostname} = ${h.hostId})`);
      });
      const meta = metaRecord(plan);
      if (meta) add(dayToDate(day, 12 + i / 60), 2, () => o.admin.putMeta(this.#byName(plan.hostname).hostId, meta));
    });
    if (o.realHost) {
      add(dayToDate(REAL_HOST_ENROL_DAY, 0.5), 1, async () => {
        const h = await this.#enrol('this-machine', null, FLEET.length);
        o.progress(`  this machine's own agent enrolled as ${h.hostId} (real packages, real collect())`);
        await o.admin.putMeta(h.hostId, REAL_HOST_META);
      });
    }
    for (const x of EXCEPTIONS) {
      add(dayToDate(x.requestDay, 10), 3, () => this.#commitException(x.id, false));
      if (x.approveDay !== null) add(dayToDate(x.approveDay, 15), 3, () => this.#commitException(x.id, true));
    }
    for (const e of ADMIN_EVENTS) {
      add(dayToDate(e.day, e.hour), 4, async () => {
        const host = this.#byName(e.hostname);
        await o.admin.putMeta(host.hostId, { ...metaRecord(host.plan!, ['decommissioned']), decommissioned_at: e.date });
        o.progress(`  ${e.date}: ${e.hostname} recorded as decommissioned (meta.yaml decommissioned_at, admin commit)`);
      });
    }
    return events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
  }

  async #commitException(id: string, approved: boolean): Promise<void> {
    const x = EXCEPTIONS.find((e) => e.id === id)!;
    const hostIds = x.hostnames.map((n) => this.#byName(n).hostId);
    const yamlText = exceptionYaml(x, hostIds, approved);
    const verb = approved ? 'approved' : 'requested';
    // The requester commits the request, the risk owner the approval: the audit log says who.
    const actor = personId(approved ? x.record.approver : x.record.requested_by);
    await this.#o.admin.commitException(id, yamlText, `exception ${id} ${verb}: ${x.record.title}`, actor);
    this.#o.progress(`  ${this.#o.clock.now().toISOString().slice(0, 10)}: exception ${id} ${verb} (${x.hostnames.join(', ')})`);
  }

  /**
   * One check-in round. Each distribution's hosts check in together at their slot (as a cron
   * schedule per image would have it), and the slot is settled — every report acknowledged —
   * before the clock moves on: received_at is then exactly the slot time, run after run, and
   * one slot's reports share a group commit.
   */
  async #round(day: number): Promise<void> {
    const o = this.#o;
    const active = this.#hosts.filter((h) => !h.stopped);
    for (const [slot, distro] of ROUND_SLOTS.entries()) {
      const group = active.filter((h) => (h.plan?.distro ?? null) === distro);
      if (group.length === 0) continue;
      await o.clock.runUntil(dayToDate(day, ROUND_HOUR + (slot * ROUND_SLOT_MINUTES) / 60), () => yieldToEventLoop());
      const targets = new Map(group.map((h) => [h, h.state.state.next_seq] as const));
      for (const h of group) h.runner.collectNow();
      await this.#settleAll(targets);
    }
    this.#reports += active.length;
    for (const h of active) {
      const last = h.plan?.lastDay;
      if (last !== undefined && day >= last) {
        await h.runner.stop();
        h.stopped = true;
        o.progress(`  ${dayToDate(day).toISOString().slice(0, 10)}: ${h.hostname}'s agent stops reporting`);
      }
    }
  }

  async run(): Promise<FleetResult> {
    const o = this.#o;
    const events = this.#events();
    let next = 0;
    const runEventsUntil = async (t: number) => {
      while (next < events.length && events[next]!.at.getTime() <= t) {
        const e = events[next++]!;
        await o.clock.runUntil(e.at, () => yieldToEventLoop());
        await e.run();
      }
    };
    const started = performance.now();
    for (let day = 0; day < DEMO_DAYS; day++) {
      await runEventsUntil(dayToDate(day, ROUND_HOUR).getTime() - 1);
      if (this.#hosts.some((h) => !h.stopped)) await this.#round(day);
      await runEventsUntil(dayToDate(day + 1).getTime() - 1);
      if (day % 30 === 29 || day === DEMO_DAYS - 1) {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        o.progress(`  day ${day + 1}/${DEMO_DAYS} (${dayToDate(day).toISOString().slice(0, 10)}): ${this.#reports} check-ins so far, ${secs} s`);
      }
    }
    await o.clock.runUntil(new Date(Date.parse(DEMO_WINDOW_END) - 60_000), () => yieldToEventLoop());
    for (const h of this.#hosts) {
      if (!h.stopped) {
        await h.runner.stop();
        h.stopped = true;
      }
    }
    return { hosts: this.#hosts, reports: this.#reports };
  }
}
