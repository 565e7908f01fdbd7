// The fleet the compliance-evaluate bench judges: hosts with ~700 packages patched on a weekly or
// monthly cadence against a year of advisories, deterministic (seeded), generated day by day so a
// real repository of 1,000 hosts × 365 reports can be written without holding it in memory.
import YAML from 'yaml';
import { seededRandom } from '../cli/demo/rng.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { GitStore, type StoreFile } from '../evidence/git-store.ts';
import { initHome, loadHome } from '../evidence/home.ts';
import { inventorySha256, renderPackagesTsv } from '../evidence/packages-tsv.ts';
import { envelopeBytes, reportFiles } from '../evidence/report-envelope.ts';
import type { ExceptionRecord, HostMeta, HostRecord, Package, ReportEnvelope } from '../evidence/types.gen.ts';
import type { EvidenceSnapshot, SnapshotHost, SnapshotInventory, SnapshotReport } from '../compliance/evidence-snapshot.ts';
import { writeSnapshot } from '../compliance/osv-snapshot.ts';
import type { OsvRecord } from '../compliance/osv-types.ts';

export interface Size { hosts: number; days: number; sources: number; perHost: number; advisories: number; inYear: number }

const DAY = 86_400_000;
export const START = Date.parse('2026-01-01T00:00:00Z');
export const PERIOD = { start: '2026-01-01', end: '2026-12-31' };
const SEVERITY = ['Critical', 'Important', 'Moderate', 'Low'];
const FAKE_FINGERPRINT = 'A'.repeat(40);

interface Adv { id: string; eco: 'deb' | 'rpm'; name: string; fixedK: number; published: number }

function advisories(size: Size, rnd: () => number): { records: OsvRecord[]; byName: Map<string, Adv[]> } {
  const records: OsvRecord[] = [];
  const byName = new Map<string, Adv[]>();
  const bump = new Map<string, number>();
  for (let i = 0; i < size.advisories; i++) {
    const eco = i % 10 < 7 ? 'deb' : 'rpm';
    const inYear = i < size.inYear;
    const n = Math.floor(rnd() * size.sources);
    const name = eco === 'deb' ? (i % 50 === 0 && inYear ? 'linux' : `src${n}`) : `bin${n}a`;
    const k = inYear ? (bump.get(name) ?? 0) + 1 : 0;
    if (inYear) bump.set(name, k);
    const published = inYear ? START + Math.floor(rnd() * (size.days - 5)) * DAY + 3_600_000 : START - (1 + Math.floor(rnd() * 700)) * DAY;
    const fixed = eco === 'deb' ? (inYear ? `1.${k}-1` : '0.9-1') : inYear ? `1.${k}-1.el9` : '0.9-1.el9';
    const id = eco === 'deb' ? `DSA-${5000 + i}-1` : `ALSA-2026:${1000 + i}`;
    const sev = SEVERITY[Math.floor(rnd() * 4)]!;
    records.push({
      id, modified: new Date(published).toISOString(), published: new Date(published).toISOString(), aliases: [`CVE-2026-${10000 + i}`],
      summary: `${sev}: ${name} security update`,
      affected: [{ package: { ecosystem: eco === 'deb' ? 'Debian:12' : 'AlmaLinux:9', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
    });
    if (inYear) byName.set(name, [...(byName.get(name) ?? []), { id, eco, name, fixedK: k, published }]);
  }
  return { records, byName };
}

interface HostPlan { id: string; eco: 'deb' | 'rpm'; packages: Package[]; patchEvery: number; offset: number; stopAt: number; rebootLag: number }

function planHost(i: number, size: Size, rnd: () => number): HostPlan {
  const eco = i % 10 < 7 ? 'deb' : 'rpm';
  const chosen = new Set<number>();
  while (chosen.size < size.perHost / 2) chosen.add(Math.floor(rnd() * size.sources));
  const packages: Package[] = [];
  for (const n of [...chosen].sort((a, b) => a - b)) {
    for (const suffix of ['a', 'b']) {
      packages.push(eco === 'deb'
        ? { name: `bin${n}${suffix}`, arch: 'amd64', version: '1.0-1', source: `src${n}`, source_version: '1.0-1' }
        : { name: `bin${n}${suffix}`, arch: 'x86_64', version: '1.0-1.el9', source: `bin${n}${suffix}`, source_version: '1.0-1.el9' });
    }
  }
  if (eco === 'deb') packages.push({ name: 'linux-image-6.1.0-0-amd64', arch: 'amd64', version: '1.0-1', source: 'linux', source_version: '1.0-1' });
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    id: `h_${(i + 1).toString(16).padStart(16, '0')}`, eco, packages,
    patchEvery: rnd() < 0.1 ? 30 : 7, offset: Math.floor(rnd() * 7),
    stopAt: rnd() < 0.02 ? Math.floor(rnd() * size.days) : size.days, rebootLag: rnd() < 0.2 ? 3 : 0,
  };
}

function envelopeBase(plan: HostPlan, fingerprint: string): Omit<ReportEnvelope, 'seq' | 'previous' | 'report_id' | 'agent_seq' | 'reason' | 'collected_at' | 'received_at' | 'inventory' | 'changes' | 'kernel'> {
  const deb = plan.eco === 'deb';
  return {
    schema: 'patchproof.report/v1', host_id: plan.id, clock_skew_ms: 0, collector: { id: 'collector-1', key_fingerprint: fingerprint },
    agent_version: '1.0.0', hostname: `host-${plan.id.slice(-4)}`, os: deb ? { id: 'debian', version_id: '12' } : { id: 'almalinux', version_id: '9.5' },
    arch: 'x86_64', package_manager: deb ? 'dpkg' : 'rpm', pending: [], warnings: [], anomalies: [],
  };
}

/** Applies every fix published before `t` (packages upgraded to the highest fixed version; new kernel ABI). */
function patched(plan: HostPlan, current: Package[], byName: Map<string, Adv[]>, t: number, kernelAbi: { n: number }): Package[] | null {
  let changed = false;
  const out: Package[] = [];
  for (const p of current) {
    const list = byName.get(plan.eco === 'deb' ? p.source! : p.name);
    const k = list ? Math.max(0, ...list.filter((a) => a.published < t).map((a) => a.fixedK)) : 0;
    const want = plan.eco === 'deb' ? `1.${k}-1` : `1.${k}-1.el9`;
    if (k === 0 || p.source_version === want) out.push(p);
    else if (p.source === 'linux') {
      kernelAbi.n++;
      out.push(p, { ...p, name: `linux-image-6.1.0-${kernelAbi.n}-amd64`, version: want, source_version: want });
      changed = true;
    } else {
      out.push({ ...p, version: want, source_version: want });
      changed = true;
    }
  }
  if (!changed) return null;
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kernels = out.filter((p) => p.source === 'linux').sort((a, b) => Number(a.name.split('-')[4]) - Number(b.name.split('-')[4]));
  return kernels.length > 2 ? out.filter((p) => p.source !== 'linux' || kernels.slice(-2).includes(p)) : out;
}

export interface HostDay {
  /** With the whole envelope, which the repository writer signs. */
  report: SnapshotReport & { readonly envelope: ReportEnvelope };
  /** Set on the days the inventory changed (and the first). */
  inventory: SnapshotInventory | null;
  /** real: the exact envelope bytes and packages.tsv text (when the inventory changed). */
  bytes: Uint8Array | null;
  tsv: string | null;
}

/**
 * One host's reports, day by day. `real` computes true hashes (inventory sha256, the envelope chain)
 * so the reports can be committed; otherwise cheap stand-ins keep the in-memory run fast.
 */
function* hostDays(plan: HostPlan, size: Size, byName: Map<string, Adv[]>, real: boolean, fingerprint: string): Generator<HostDay> {
  const base = envelopeBase(plan, fingerprint);
  let current = plan.packages;
  let sha = '';
  let versions = 0;
  let previous: string | null = null;
  let running = '6.1.0-0-amd64';
  const abi = { n: 0 };
  let pendingReboot = -1;
  for (let d = 0; d < Math.min(size.days, plan.stopAt); d++) {
    const t = START + d * DAY + 6 * 3_600_000 + (parseInt(plan.id.slice(-3), 16) % 3600) * 1000;
    let changes: ReportEnvelope['changes'] = [];
    let inventory: SnapshotInventory | null = null;
    const next = (d - plan.offset) % plan.patchEvery === 0 ? patched(plan, current, byName, t, abi) : null;
    if (next || versions === 0) {
      if (next) {
        const old = new Map(current.map((p) => [p.name, p]));
        changes = next.filter((p) => old.get(p.name) !== p).map((p) => ({ name: p.name, arch: p.arch, action: old.has(p.name) ? 'upgrade' : 'install', from: old.get(p.name)?.version ?? null, to: p.version, when: new Date(t - 60_000).toISOString(), when_source: 'log' }));
        current = next;
        if (abi.n > 0 && running !== `6.1.0-${abi.n}-amd64`) pendingReboot = d + plan.rebootLag;
      }
      sha = real ? inventorySha256(current) : sha256Hex(`${plan.id}:${versions}`);
      versions++;
      inventory = { sha256: sha, commit: null, packages: current };
    }
    if (d === pendingReboot && plan.eco === 'deb') running = `6.1.0-${abi.n}-amd64`;
    const installed = current.filter((p) => p.source === 'linux').map((p) => p.name.slice('linux-image-'.length));
    const iso = new Date(t).toISOString();
    const envelope: ReportEnvelope = {
      ...base, seq: d + 1, agent_seq: d + 1, previous, report_id: `r_${plan.id.slice(2)}_${d + 1}`, reason: d === 0 ? 'first' : changes.length > 0 ? 'changed' : 'heartbeat',
      collected_at: iso, received_at: iso, inventory: { path: `hosts/${plan.id}/packages.tsv`, sha256: sha, count: current.length }, changes,
      kernel: { running: plan.eco === 'deb' ? running : '5.14.0-503.11.1.el9_5.x86_64', installed: plan.eco === 'deb' ? installed : ['5.14.0-503.11.1.el9_5.x86_64'], reboot_required: false, reboot_reason: null },
    };
    const path = `hosts/${plan.id}/reports/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z-${String(d + 1).padStart(6, '0')}.json`;
    const bytes = real ? envelopeBytes(envelope) : null;
    const bytesSha = bytes ? sha256Hex(bytes) : sha256Hex(`${plan.id}:r${d}`);
    yield { report: { path, commit: null, sha256: bytesSha, envelope }, inventory, bytes, tsv: real && inventory ? renderPackagesTsv(current) : null };
    previous = bytesSha;
  }
}

function hostRecord(plan: HostPlan): HostRecord {
  const base = envelopeBase(plan, FAKE_FINGERPRINT);
  return { schema: 'patchproof.host/v1', host_id: plan.id, hostname: base.hostname, os: base.os, enrolled_at: new Date(START - DAY).toISOString(), enrolled_via: 'tok_000000000001', group: plan.eco === 'deb' ? 'debian' : 'alma', collector_id: 'collector-1' };
}

const META: HostMeta = { in_scope: true, owner: 'ops', classification: 'internal' };

function exceptionsFor(records: OsvRecord[]): ExceptionRecord[] {
  return records.slice(0, 20).map((r, i) => ({
    id: `EXC-${String(i + 1).padStart(4, '0')}`, title: `Deferred ${r.id}`, advisories: [r.id], hosts: [i % 2 ? 'group:debian' : '*'],
    reason: 'Vendor certification pending.', risk_assessment: { likelihood: 'low', impact: 'medium', summary: 'Internal only.' },
    compensating_controls: ['Network isolation.'], planned_remediation: '2026-09-30', expires: i % 3 ? '2026-12-31' : '2026-06-30',
    requested_by: 'ops', approver: i === 7 ? 'ops' : 'risk-owner', approved_at: '2026-02-01',
  } as ExceptionRecord));
}

/** The whole fleet as an in-memory EvidenceSnapshot (no repository), plus its advisories. */
export function fleet(size: Size): { evidence: EvidenceSnapshot; records: OsvRecord[] } {
  const rnd = seededRandom(42); // the same fleet on every run
  const { records, byName } = advisories(size, rnd);
  const hosts: SnapshotHost[] = Array.from({ length: size.hosts }, (_, i) => {
    const plan = planHost(i, size, rnd);
    const reports: SnapshotReport[] = [];
    const inventories: SnapshotInventory[] = [];
    for (const day of hostDays(plan, size, byName, false, FAKE_FINGERPRINT)) {
      reports.push(day.report);
      if (day.inventory) inventories.push(day.inventory);
    }
    return {
      host: hostRecord(plan), host_file: { path: `hosts/${plan.id}/host.yaml`, commit: null, sha256: sha256Hex(plan.id) },
      meta: META, meta_file: { path: `hosts/${plan.id}/meta.yaml`, commit: null, sha256: sha256Hex(`${plan.id}m`) }, reports, inventories,
    };
  });
  const evidence: EvidenceSnapshot = {
    repo_commit: null, simulated: true, hosts, exceptions: exceptionsFor(records.slice(0, size.inYear)).map((record) => ({ path: `exceptions/${record.id}.yaml`, commit: null, sha256: sha256Hex(record.id), record, history: [] })),
    keys: [{ fingerprint: FAKE_FINGERPRINT, file: `keys/${FAKE_FINGERPRINT}.asc`, collector_id: 'collector-1', valid_from: '2025-01-01T00:00:00Z', valid_until: null }], audit: [],
  };
  return { evidence, records };
}

export interface WrittenRepo { home: string; repo: string; advisories: string; reports: number; inventoryVersions: number; commits: number; files: number }

/**
 * Writes the fleet as a real signed evidence repository: host files and exceptions in one commit,
 * then one commit per day with every host's signed report (packages.tsv when it changed), as the
 * collector's group commit would. Not fsync'd (a bench fixture), otherwise the production store.
 */
export async function writeFleetRepo(dir: string, size: Size, log: (m: string) => void = () => {}): Promise<WrittenRepo> {
  const home = `${dir}/home`;
  let now = Date.parse('2025-12-30T00:00:00Z');
  const clock = (): Date => new Date((now += 1000));
  await initHome({ home, org: 'Bench Ltd', clock, simulated: true });
  const loaded = await loadHome(home, { clock });
  const rnd = seededRandom(42); // the same fleet on every run
  const { records, byName } = advisories(size, rnd);
  const advisoriesDir = `${dir}/advisories`;
  writeSnapshot(advisoriesDir, records);
  const plans = Array.from({ length: size.hosts }, (_, i) => planHost(i, size, rnd));
  const days = plans.map((p) => hostDays(p, size, byName, true, loaded.signer.fingerprint));
  const store = await GitStore.open(loaded.paths.evidenceRepo, { signer: loaded.signer, clock, durable: false, author: { name: 'patchproof collector-1', email: 'collector-1@patchproof.invalid' } });
  let reports = 0;
  let versions = 0;
  let files = 0;
  try {
    const first: StoreFile[] = plans.flatMap((p) => [
      { path: `hosts/${p.id}/host.yaml`, content: YAML.stringify(hostRecord(p)) },
      { path: `hosts/${p.id}/meta.yaml`, content: YAML.stringify(META) },
    ]);
    for (const x of exceptionsFor(records.slice(0, size.inYear))) first.push({ path: `exceptions/${x.id}.yaml`, content: YAML.stringify(x) });
    await store.commit(first, { message: 'hosts and exceptions', date: new Date(START - DAY) });
    files += first.length;
    for (let d = 0; d < size.days; d++) {
      const batch: StoreFile[] = [];
      for (const gen of days) {
        const next = gen.next();
        if (next.done) continue;
        const day = next.value;
        const out = await reportFiles(day.report.envelope, loaded.signer, { packagesTsv: day.tsv });
        if (out.path !== day.report.path) throw new Error(`bench fleet: path ${out.path} != ${day.report.path}`);
        batch.push(...out.files);
        reports++;
        if (day.inventory) versions++;
      }
      await store.commit(batch, { message: `evidence ${new Date(START + d * DAY).toISOString().slice(0, 10)}`, date: new Date(START + d * DAY + 7 * 3_600_000) });
      files += batch.length;
      if ((d + 1) % 30 === 0 || d + 1 === size.days) log(`wrote day ${d + 1}/${size.days} (${reports} reports)`);
    }
  } finally {
    await store.close();
  }
  return { home, repo: loaded.paths.evidenceRepo, advisories: advisoriesDir, reports, inventoryVersions: versions, commits: size.days + 2, files };
}
