// Judgement at fleet scale: 1,000 hosts × a year of daily reports × ~700 packages against ~2,000
// advisories, generated in memory (pure engine), timed per phase with peak RSS; then loading a
// small real signed repository with load-evidence.ts, to time the read side per report.
import YAML from 'yaml';
import { canonicalBytes } from '../evidence/canonical-json.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { initHome, loadHome } from '../evidence/home.ts';
import { inventorySha256, renderPackagesTsv } from '../evidence/packages-tsv.ts';
import { reportFiles } from '../evidence/report-envelope.ts';
import type { StoreFile } from '../evidence/git-store.ts';
import type { ExceptionRecord, Package, ReportEnvelope } from '../evidence/types.gen.ts';
import type { EvidenceSnapshot, SnapshotHost, SnapshotInventory, SnapshotReport } from '../compliance/evidence-snapshot.ts';
import { renderCsvExports } from '../compliance/export-csv.ts';
import { loadEvidence } from '../compliance/load-evidence.ts';
import { assertModel, evaluate, modelText, type EvaluateProgress } from '../compliance/model.ts';
import { buildAdvisoryIndex } from '../compliance/osv-index.ts';
import type { OsvRecord } from '../compliance/osv-types.ts';
import { defaultPoliciesDir, loadPolicies } from '../compliance/policy-load.ts';

interface Ctx { log: (m: string) => void; tmpDir?: string; tmp?: string; quick?: boolean }
interface Size { hosts: number; days: number; sources: number; perHost: number; advisories: number; inYear: number }

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const PERIOD = { start: '2026-01-01', end: '2026-12-31' };
const SEVERITY = ['Critical', 'Important', 'Moderate', 'Low'];

/** Deterministic PRNG (mulberry32), so every run judges the same fleet. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function envelopeBase(plan: HostPlan): Omit<ReportEnvelope, 'seq' | 'previous' | 'report_id' | 'agent_seq' | 'reason' | 'collected_at' | 'received_at' | 'inventory' | 'changes' | 'kernel'> {
  const deb = plan.eco === 'deb';
  return {
    schema: 'patchproof.report/v1', host_id: plan.id, clock_skew_ms: 0, collector: { id: 'collector-1', key_fingerprint: 'A'.repeat(40) },
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

function hostHistory(plan: HostPlan, size: Size, byName: Map<string, Adv[]>, real: boolean): SnapshotHost & { tsv: Map<string, string> } {
  const base = envelopeBase(plan);
  const reports: SnapshotReport[] = [];
  const inventories: SnapshotInventory[] = [];
  const tsv = new Map<string, string>();
  let current = plan.packages;
  let sha = '';
  let previous: string | null = null;
  let running = '6.1.0-0-amd64';
  const abi = { n: 0 };
  let pendingReboot = -1;
  for (let d = 0; d < Math.min(size.days, plan.stopAt); d++) {
    const t = START + d * DAY + 6 * 3_600_000 + (parseInt(plan.id.slice(-3), 16) % 3600) * 1000;
    let changes: ReportEnvelope['changes'] = [];
    const next = (d - plan.offset) % plan.patchEvery === 0 ? patched(plan, current, byName, t, abi) : null;
    if (next || inventories.length === 0) {
      if (next) {
        const old = new Map(current.map((p) => [p.name, p]));
        changes = next.filter((p) => old.get(p.name) !== p).map((p) => ({ name: p.name, arch: p.arch, action: old.has(p.name) ? 'upgrade' : 'install', from: old.get(p.name)?.version ?? null, to: p.version, when: new Date(t - 60_000).toISOString(), when_source: 'log' }));
        current = next;
        if (abi.n > 0 && running !== `6.1.0-${abi.n}-amd64`) pendingReboot = d + plan.rebootLag;
      }
      sha = real ? inventorySha256(current) : sha256Hex(`${plan.id}:${inventories.length}`);
      inventories.push({ sha256: sha, commit: null, packages: current });
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
    const bytesSha = real ? sha256Hex(canonicalBytes(envelope)) : sha256Hex(`${plan.id}:r${d}`);
    if (real && (changes.length > 0 || d === 0)) tsv.set(path, renderPackagesTsv(current));
    reports.push({ path, commit: null, sha256: bytesSha, envelope });
    previous = bytesSha;
  }
  return {
    host: { schema: 'patchproof.host/v1', host_id: plan.id, hostname: base.hostname, os: base.os, enrolled_at: new Date(START - DAY).toISOString(), enrolled_via: 'tok_000000000001', group: plan.eco === 'deb' ? 'debian' : 'alma', collector_id: 'collector-1' },
    host_file: { path: `hosts/${plan.id}/host.yaml`, commit: null, sha256: sha256Hex(plan.id) },
    meta: { in_scope: true, owner: 'ops', classification: 'internal' }, meta_file: { path: `hosts/${plan.id}/meta.yaml`, commit: null, sha256: sha256Hex(`${plan.id}m`) },
    reports, inventories, tsv,
  };
}

function exceptionsFor(records: OsvRecord[]): ExceptionRecord[] {
  return records.slice(0, 20).map((r, i) => ({
    id: `EXC-${String(i + 1).padStart(4, '0')}`, title: `Deferred ${r.id}`, advisories: [r.id], hosts: [i % 2 ? 'group:debian' : '*'],
    reason: 'Vendor certification pending.', risk_assessment: { likelihood: 'low', impact: 'medium', summary: 'Internal only.' },
    compensating_controls: ['Network isolation.'], planned_remediation: '2026-09-30', expires: i % 3 ? '2026-12-31' : '2026-06-30',
    requested_by: 'ops', approver: i === 7 ? 'ops' : 'risk-owner', approved_at: '2026-02-01',
  } as ExceptionRecord));
}

function fleet(size: Size, real = false): { evidence: EvidenceSnapshot; records: OsvRecord[]; tsv: Map<string, string>[] } {
  const rnd = prng(42);
  const { records, byName } = advisories(size, rnd);
  const hosts = Array.from({ length: size.hosts }, (_, i) => hostHistory(planHost(i, size, rnd), size, byName, real));
  const evidence: EvidenceSnapshot = {
    repo_commit: null, simulated: true, hosts, exceptions: exceptionsFor(records.slice(0, size.inYear)).map((record) => ({ path: `exceptions/${record.id}.yaml`, commit: null, sha256: sha256Hex(record.id), record, history: [] })),
    keys: [{ fingerprint: 'A'.repeat(40), file: `keys/${'A'.repeat(40)}.asc`, collector_id: 'collector-1', valid_from: '2025-01-01T00:00:00Z', valid_until: null }], audit: [],
  };
  return { evidence, records, tsv: hosts.map((h) => h.tsv) };
}

function timer(): () => number {
  const t0 = performance.now();
  return () => Math.round(performance.now() - t0) / 1000;
}

/** CPU seconds (user + system) of this process: less sensitive to other load than wall time. */
function cpuTimer(): () => number {
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return Math.round((c.user + c.system) / 1000) / 1000;
  };
}

async function realRepo(ctx: Ctx, size: Size): Promise<Record<string, unknown>> {
  const { evidence, tsv } = fleet(size, true);
  const home = `${ctx.tmpDir ?? ctx.tmp}/home`;
  let now = Date.parse('2025-12-30T00:00:00Z');
  const clock = (): Date => new Date((now += 1000));
  await initHome({ home, org: 'Bench Ltd', clock, simulated: true });
  const loaded = await loadHome(home, { clock });
  const store = await loaded.openStore({ clock });
  const write = timer();
  await store.commit(evidence.hosts.flatMap((h) => [{ path: h.host_file.path, content: YAML.stringify(h.host) }, { path: h.meta_file!.path, content: YAML.stringify(h.meta) }]), { message: 'hosts' });
  for (let d = 0; d < size.days; d++) {
    const files: StoreFile[] = [];
    for (const [i, h] of evidence.hosts.entries()) {
      const r = h.reports[d];
      if (!r) continue;
      const env = { ...r.envelope, collector: { id: 'collector-1', key_fingerprint: loaded.signer.fingerprint } };
      files.push(...(await reportFiles(env, loaded.signer, { packagesTsv: tsv[i]!.get(r.path) ?? null })).files);
    }
    await store.commit(files, { message: `day ${d}`, date: new Date(START + d * DAY + 7 * 3_600_000) });
  }
  const writeSeconds = write();
  const gc = timer();
  const packed = await store.gc();
  const gcSeconds = gc();
  await store.close();
  const phases: Record<string, number> = {};
  let mark = timer();
  const load = timer();
  const loadedEvidence = await loadEvidence(loaded.paths.evidenceRepo, {
    onProgress: (p) => {
      if (p.done < p.total) return;
      phases[p.phase] = mark();
      mark = timer();
    },
  });
  const loadSeconds = load();
  const judged = timer();
  await loadEvidence(loaded.paths.evidenceRepo, { fileCommits: 'judged' });
  const judgedSeconds = judged();
  const reports = loadedEvidence.hosts.reduce((n, h) => n + h.reports.length, 0);
  return {
    hosts: size.hosts, reports, commits: size.days + 2, write_seconds: writeSeconds, git_gc: packed ? gcSeconds : 'git not installed', load_seconds: loadSeconds, load_phases: phases,
    load_ms_per_report: Math.round((loadSeconds * 1e6) / reports) / 1000, load_judged_commits_seconds: judgedSeconds,
    note: 're-keyed envelopes break the hash chain; chain-gap findings are expected here and irrelevant to timing',
  };
}

export async function run(ctx: Ctx): Promise<Record<string, unknown>> {
  const size: Size = ctx.quick
    ? { hosts: 100, days: 365, sources: 2000, perHost: 700, advisories: 2000, inYear: 400 }
    : { hosts: 1000, days: 365, sources: 2000, perHost: 700, advisories: 2000, inYear: 400 };
  const peakRss = (): number => Math.round(process.resourceUsage().maxRSS / 1000);
  {
    const gen = timer();
    const { evidence, records } = fleet(size);
    const generateSeconds = gen();
    const reports = evidence.hosts.reduce((n, h) => n + h.reports.length, 0);
    const versions = evidence.hosts.reduce((n, h) => n + h.inventories.length, 0);
    ctx.log(`generated ${size.hosts} hosts, ${reports} reports, ${versions} inventory versions, ${records.length} advisories in ${generateSeconds}s`);
    const policies = loadPolicies(defaultPoliciesDir());
    const idx = timer();
    const index = buildAdvisoryIndex(records);
    const indexSeconds = idx();
    const phases: Record<string, number> = {};
    let mark = timer();
    const onProgress = (p: EvaluateProgress): void => {
      if (p.phase === 'hosts' && p.done < p.total) return;
      phases[p.phase === 'hosts' ? 'hosts' : `before_${p.phase}`] = mark();
      mark = timer();
      if (p.phase === 'hosts') ctx.log(`judged ${p.total} hosts`);
    };
    const total = timer();
    const cpu = cpuTimer();
    const model = evaluate({ evidence, policies, advisories: { snapshot_hash: '0'.repeat(64), records, index }, period: PERIOD, organisation: 'Bench Ltd', onProgress, skipValidation: true });
    phases['after_controls'] = mark();
    const evaluateSeconds = total();
    const evaluateCpu = cpu();
    const restCpu = cpuTimer();
    const val = timer();
    assertModel(model);
    const validateSeconds = val();
    const ser = timer();
    const text = modelText(model);
    const serialiseSeconds = ser();
    const csv = timer();
    const csvBytes = Object.values(renderCsvExports(model)).reduce((n, s) => n + s.length, 0);
    const csvSeconds = csv();
    const validateJsonCsvCpu = restCpu();
    const peak = peakRss();
    const result: Record<string, unknown> = {
      hosts: size.hosts, reports, inventory_versions: versions, packages_per_host: size.perHost, advisories: records.length,
      findings: model.findings.length, host_findings: model.host_findings.length, adherence_pct: model.metrics.overall.adherence_pct,
      cpu_seconds: { evaluate: evaluateCpu, validate_json_csv: validateJsonCsvCpu },
      seconds: { generate: generateSeconds, index: indexSeconds, evaluate: evaluateSeconds, evaluate_phases: phases, validate: validateSeconds, canonical_json: serialiseSeconds, csv: csvSeconds },
      model_mb: Math.round(text.length / 1e5) / 10, csv_mb: Math.round(csvBytes / 1e5) / 10, peak_rss_mb: peak,
      target: { seconds: 20, rss_mb: 2000 },
    };
    ctx.log(`evaluate ${evaluateSeconds}s, validate ${validateSeconds}s, json ${serialiseSeconds}s, peak RSS ${peak} MB`);
    ctx.log('writing a small real signed repository to time load-evidence…');
    result['real_repo'] = await realRepo(ctx, { ...size, hosts: ctx.quick ? 3 : 10, days: ctx.quick ? 60 : 365, perHost: 200 });
    return result;
  }
}
