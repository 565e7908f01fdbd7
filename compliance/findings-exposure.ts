// Walks one host's reports in seq order and finds, per advisory, the spans of reports in which an
// affected version was installed. Matching runs only when packages.tsv changed, and then only for
// the packages whose version changed: a year of daily heartbeats costs one lookup per report.
import type { Package } from '../evidence/types.gen.ts';
import type { HostEcosystem } from './ecosystem.ts';
import { cmpError } from './errors.ts';
import type { SnapshotInventory, SnapshotReport } from './evidence-snapshot.ts';
import { isKernelPackage, latestInstalledKernel, newestKernelsOnly, runningKernelPackage } from './findings-kernel.ts';
import type { Matcher, MatchProblem, MatchRow } from './osv-matcher.ts';
import type { ReportFacts } from './report-facts.ts';

export interface Exposure {
  readonly advisory_id: string;
  /** Rows of the last report in which the advisory matched (one per affected binary). */
  rows: readonly MatchRow[];
  readonly kernel: boolean;
  /** Index (into the host's reports) of the first report showing an affected version. */
  readonly startIdx: number;
  /** First report whose inventory no longer has an affected version; null while open. */
  endIdx: number | null;
  /** Kernel only: first report at or after endIdx whose running kernel is not affected either. */
  runningEndIdx: number | null;
}

/** A span of reports in which an installed package's version did not parse, so it could not be judged. */
export interface UnjudgedSpan {
  readonly problem: MatchProblem;
  /** Index of the first report whose inventory had it. */
  readonly startIdx: number;
  /** First report whose inventory no longer had it (removed or changed); null while installed. */
  endIdx: number | null;
}

export interface HostExposures {
  readonly exposures: Exposure[];
  /** Installed versions that could not be parsed (those packages could not be judged), in report order. */
  readonly unjudged: UnjudgedSpan[];
}

function pkgKey(name: string, arch: string): string {
  const colon = name.indexOf(':');
  return `${colon < 0 ? name : name.slice(0, colon)}\u0000${arch}`;
}

/** Vendor severity per advisory id as the host's package manager reported it in `pending[]`. */
export function reportedSeverities(reports: readonly SnapshotReport[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of reports) {
    for (const p of r.envelope.pending) {
      if (!p.severity) continue;
      for (const id of p.advisories ?? []) if (!(id in out)) out[id] = p.severity;
    }
  }
  return out;
}

interface WalkState {
  /** The judged inventory (newest kernels only), sorted by name then arch. */
  visible: readonly Package[];
  rowsByPkg: Map<string, MatchRow[]>;
  open: Map<string, Exposure>;
  /** Installed packages whose version does not parse, by package key. */
  unjudged: Map<string, UnjudgedSpan>;
  /** Spans of such packages since removed or changed. */
  unjudgedClosed: UnjudgedSpan[];
}

function byNameArch(a: Package, b: Package): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0;
}

/** The inventory as judged, sorted (packages.tsv already is, so this is usually one pass). */
export function judgedInventory(host: HostEcosystem, packages: readonly Package[]): readonly Package[] {
  const list = newestKernelsOnly(host.versionOrder, packages);
  for (let i = 1; i < list.length; i++) {
    if (byNameArch(list[i - 1] as Package, list[i] as Package) > 0) return [...list].sort(byNameArch);
  }
  return list;
}

function samePackage(a: Package, b: Package): boolean {
  return a === b || (a.version === b.version && a.source === b.source && a.source_version === b.source_version);
}

/** Merge-walk of two sorted inventories: what was added or changed, and what went away. */
export function diffInventories(prev: readonly Package[], next: readonly Package[]): { changed: Package[]; removed: Package[] } {
  const changed: Package[] = [];
  const removed: Package[] = [];
  let i = 0;
  let j = 0;
  while (i < prev.length || j < next.length) {
    const a = prev[i];
    const b = next[j];
    const c = a === undefined ? 1 : b === undefined ? -1 : byNameArch(a, b);
    if (c < 0) (removed.push(a as Package), i++);
    else if (c > 0) (changed.push(b as Package), j++);
    else {
      if (!samePackage(a as Package, b as Package)) changed.push(b as Package);
      i++;
      j++;
    }
  }
  return { changed, removed };
}

function forget(state: WalkState, pkg: Package, idx: number): void {
  const key = pkgKey(pkg.name, pkg.arch);
  state.rowsByPkg.delete(key);
  const span = state.unjudged.get(key);
  if (span) {
    span.endIdx = idx;
    state.unjudged.delete(key);
    state.unjudgedClosed.push(span);
  }
}

/** Re-matches only what changed; false when the judged inventory is the same as before. */
function rematch(state: WalkState, next: readonly Package[], idx: number, host: HostEcosystem, matcher: Matcher, reported: Record<string, string>): boolean {
  const { changed, removed } = diffInventories(state.visible, next);
  state.visible = next;
  if (changed.length === 0 && removed.length === 0) return false;
  for (const pkg of removed) forget(state, pkg, idx);
  for (const pkg of changed) forget(state, pkg, idx);
  const { rows, problems } = matcher.matchHost({ ecosystem: host, packages: changed, reportedSeverity: reported });
  for (const row of rows) {
    const key = pkgKey(row.package, row.arch);
    const list = state.rowsByPkg.get(key);
    if (list) list.push(row);
    else state.rowsByPkg.set(key, [row]);
  }
  for (const problem of problems) state.unjudged.set(pkgKey(problem.package, problem.arch), { problem, startIdx: idx, endIdx: null });
  return true;
}

function byAdvisory(rowsByPkg: Map<string, MatchRow[]>): Map<string, MatchRow[]> {
  const out = new Map<string, MatchRow[]>();
  for (const rows of rowsByPkg.values()) {
    for (const row of rows) {
      const list = out.get(row.advisory_id);
      if (list) list.push(row);
      else out.set(row.advisory_id, [row]);
    }
  }
  return out;
}

function inventoryOf(index: Map<string, SnapshotInventory>, envelope: ReportFacts, path: string): SnapshotInventory {
  const inv = index.get(envelope.inventory.sha256);
  if (!inv) {
    throw cmpError('CMP_EVIDENCE_INVALID', `${path} names inventory ${envelope.inventory.sha256}, which no version of ${envelope.inventory.path} has`, {
      data: { path, sha256: envelope.inventory.sha256 },
    });
  }
  return inv;
}

function updateExposures(state: WalkState, current: Map<string, MatchRow[]>, idx: number, host: HostEcosystem, closed: Exposure[]): void {
  for (const [id, exp] of state.open) {
    if (current.has(id)) continue;
    exp.endIdx = idx;
    state.open.delete(id);
    closed.push(exp);
  }
  for (const [id, rows] of current) {
    const exp = state.open.get(id);
    if (exp) exp.rows = rows;
    else {
      const kernel = rows.some((r) => isKernelPackage(host.versionOrder, r.package));
      state.open.set(id, { advisory_id: id, rows, kernel, startIdx: idx, endIdx: null, runningEndIdx: null });
    }
  }
}

/** Spans of affected reports per advisory for one host; `reports` must already be cut at as_of. */
export function hostExposures(
  reports: readonly SnapshotReport[],
  inventories: readonly SnapshotInventory[],
  host: HostEcosystem,
  matcher: Matcher,
): HostExposures {
  const index = new Map(inventories.map((i) => [i.sha256, i]));
  const reported = reportedSeverities(reports);
  const state: WalkState = { visible: [], rowsByPkg: new Map(), open: new Map(), unjudged: new Map(), unjudgedClosed: [] };
  const closed: Exposure[] = [];
  let lastSha: string | null = null;
  reports.forEach((r, idx) => {
    const sha = r.envelope.inventory.sha256;
    if (sha === lastSha) return;
    lastSha = sha;
    const inv = inventoryOf(index, r.envelope, r.path);
    if (rematch(state, judgedInventory(host, inv.packages), idx, host, matcher, reported)) updateExposures(state, byAdvisory(state.rowsByPkg), idx, host, closed);
  });
  const exposures = [...closed, ...state.open.values()];
  for (const exp of exposures) if (exp.kernel && exp.endIdx !== null) exp.runningEndIdx = runningFixIdx(exp, reports, index, host, matcher);
  return { exposures, unjudged: [...state.unjudgedClosed, ...state.unjudged.values()] };
}

/** First report from the inventory fix on whose running kernel is no longer affected. */
function runningFixIdx(exp: Exposure, reports: readonly SnapshotReport[], index: Map<string, SnapshotInventory>, host: HostEcosystem, matcher: Matcher): number | null {
  const cache = new Map<string, boolean>();
  for (let j = exp.endIdx as number; j < reports.length; j++) {
    const env = (reports[j] as SnapshotReport).envelope;
    const key = `${env.inventory.sha256}\u0000${env.kernel.running}\u0000${env.kernel.reboot_required}`;
    let ok = cache.get(key);
    if (ok === undefined) {
      const packages = index.get(env.inventory.sha256)?.packages ?? [];
      const pkg = runningKernelPackage(host.versionOrder, env.kernel.running, packages);
      if (pkg) ok = !matcher.matchHost({ ecosystem: host, packages: [pkg] }).rows.some((r) => r.advisory_id === exp.advisory_id);
      else ok = !env.kernel.reboot_required && env.kernel.running === latestInstalledKernel(env.kernel.installed);
      cache.set(key, ok);
    }
    if (ok) return j;
  }
  return null;
}
