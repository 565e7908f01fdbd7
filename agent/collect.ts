// What the agent reports: detects the package manager, gathers inventory, pending updates, change
// history and host facts into one schema-valid report body. Partial failures become coded warnings.
import type { HistoryEvent, OsInfo, Package, PendingUpdate, ReportBody } from '../evidence/types.gen.ts';
import { inventorySha256, sortPackages } from '../evidence/packages-tsv.ts';
import { agtError, type AgtCode } from './errors.ts';
import { defaultExec, type Exec } from './exec.ts';
import { eventFits, keepFitting, packageFits, pendingFits } from './conform.ts';
import { distroArch, type HostFacts, type HostProbe, nodeProbe, readHostFacts } from './host-facts.ts';
import { installedKernels, kernelInfo, sortKernels } from './kernel-state.ts';
import { isoSeconds, LIMITS } from './report-fields.ts';
import { apkSource } from './sources/apk.ts';
import { dpkgSource } from './sources/dpkg.ts';
import { type LocalTime, systemLocalTime } from './sources/local-time.ts';
import { rpmSource } from './sources/rpm.ts';
import type { CollectCache, PackageManager, PackageSource, SourceContext } from './sources/types.ts';
import { zypperSource } from './sources/zypper.ts';
import { agentVersion } from './version.ts';
import { WarningList } from './warnings.ts';

export type { CollectCache, PackageSource, SourceContext } from './sources/types.ts';

export interface CollectOptions {
  /** Filesystem root prefix for tests; default '/'. */
  readonly root?: string;
  readonly exec?: Exec;
  readonly now?: () => Date;
  /** Only log events after this instant (the previous report). */
  readonly since?: Date;
  /** Override detection, e.g. the demo's simulated source; the first that detects is used. */
  readonly sources?: readonly PackageSource[];
  /** Zone for the zone-less times in package logs; default the host's zone. */
  readonly localTime?: LocalTime;
  /** node:os facts (hostname, kernel, interfaces); injectable for tests. */
  readonly probe?: HostProbe;
  /** Keep one across collections to skip re-running unchanged update simulations. */
  readonly cache?: CollectCache;
}

export interface Collected {
  readonly body: ReportBody & { packages: Package[]; pending: PendingUpdate[] };
}

/** When even node:os fails: enough to build a valid body, with a warning saying why. */
const UNKNOWN_HOST: HostFacts = Object.freeze({ hostname: 'localhost', os: { id: 'linux' }, machine: 'unknown', kernelRelease: '', addresses: [], rebootFlag: { present: false, packages: [] } });

const OPTION_KEYS = new Set(['root', 'exec', 'now', 'since', 'sources', 'localTime', 'probe', 'cache']);

/** Detection order: dpkg and apk first (an rpm binary on Debian is not the system's manager), zypper before dnf. */
export function defaultSources(): PackageSource[] {
  return [dpkgSource(), apkSource(), zypperSource(), rpmSource()];
}

/** Without any package manager the report still needs one: guess from os-release. */
export function guessManager(os: OsInfo): PackageManager {
  const ids = [os.id, ...(os.id_like ?? [])];
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'dpkg';
  if (ids.includes('alpine')) return 'apk';
  return 'rpm';
}

async function settle<T>(work: () => Promise<T>, fallback: T, warn: (e: unknown) => void): Promise<T> {
  try {
    return await work();
  } catch (e) {
    warn(e);
    return fallback;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function pickSource(ctx: SourceContext, candidates: readonly PackageSource[]): Promise<PackageSource | null> {
  for (const s of candidates) {
    if (await settle(() => s.detect(ctx), false, () => undefined)) return s;
  }
  return null;
}

function capped<T>(items: T[], what: string, code: AgtCode, warn: (c: AgtCode, m: string) => void, keepLast = false): T[] {
  if (items.length <= LIMITS.items) return items;
  warn(code, `${items.length} ${what}; only ${LIMITS.items} reported`);
  return keepLast ? items.slice(-LIMITS.items) : items.slice(0, LIMITS.items);
}

export async function collect(options: CollectOptions = {}): Promise<Collected> {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw agtError('AGT_OPTION_INVALID', `collect(): unknown option ${JSON.stringify(key)}`);
  }
  const warnings = new WarningList();
  const now = options.now ?? (() => new Date());
  const ctx: SourceContext = {
    root: options.root ?? '/',
    exec: options.exec ?? defaultExec,
    now,
    localTime: options.localTime ?? systemLocalTime,
    ...(options.cache ? { cache: options.cache } : {}),
    warn: (code, message) => warnings.add(code, message),
  };
  const collectedAt = isoSeconds(now());
  const factsPromise = settle(() => readHostFacts(ctx, options.probe ?? nodeProbe), UNKNOWN_HOST, (e) => ctx.warn('AGT_HOST_FACT_UNAVAILABLE', describe(e)));
  const source = await pickSource(ctx, options.sources ?? defaultSources());
  if (!source) ctx.warn('AGT_NO_PACKAGE_MANAGER', 'no dpkg, rpm or apk database found: the inventory is empty');

  const [installed, pending, history, facts] = await Promise.all([
    source ? settle(() => source.installed(ctx), [] as Package[], (e) => ctx.warn('AGT_INVENTORY_FAILED', describe(e))) : [],
    source ? settle(() => source.pending(ctx), [] as PendingUpdate[], (e) => ctx.warn('AGT_PENDING_FAILED', describe(e))) : [],
    source ? settle(() => source.history(ctx, options.since), [] as HistoryEvent[], (e) => ctx.warn('AGT_LOG_UNREADABLE', describe(e))) : [],
    factsPromise,
  ]);
  const manager = source?.manager ?? guessManager(facts.os);
  const kernels = source?.kernels
    ? await settle(async () => sortKernels((await source.kernels!(ctx)).map((release) => ({ release, pkg: '', version: '' }))), [], (e) => ctx.warn('AGT_KERNEL_UNKNOWN', describe(e)))
    : installedKernels(installed, manager);

  const packages = fitting(installed, packageFits, 'AGT_INVENTORY_LINE_INVALID', 'package(s) with fields the report cannot carry', ctx);
  const unique = sortPackages(dedupe(packages));
  const reported = capped(unique, 'packages', 'AGT_INVENTORY_TOO_LARGE', ctx.warn);
  const pend = capped(fitting(pending, pendingFits, 'AGT_PENDING_LINE_INVALID', 'pending update(s) with unusable fields', ctx).sort(byNameArch), 'pending updates', 'AGT_INVENTORY_TOO_LARGE', ctx.warn);
  const events = capped(fitting(history, eventFits, 'AGT_LOG_LINE_INVALID', 'history event(s) with unusable fields', ctx).sort(byTime), 'history events', 'AGT_HISTORY_TRUNCATED', ctx.warn, true);

  return { body: buildBody(collectedAt, facts, manager, reported, pend, events, kernels, warnings) };
}

function buildBody(
  collectedAt: string,
  facts: HostFacts,
  manager: PackageManager,
  packages: Package[],
  pending: PendingUpdate[],
  history: HistoryEvent[],
  kernels: ReturnType<typeof installedKernels>,
  warnings: WarningList,
): ReportBody & { packages: Package[]; pending: PendingUpdate[] } {
  const kernel = kernelInfo({ running: facts.kernelRelease, kernels, flag: facts.rebootFlag, ...(facts.kernelBuild ? { runningBuild: facts.kernelBuild } : {}) });
  return {
    collected_at: collectedAt,
    agent_version: agentVersion(),
    hostname: facts.hostname,
    ...(facts.machine_id ? { machine_id: facts.machine_id } : {}),
    os: facts.os,
    arch: distroArch(facts.machine, manager),
    kernel,
    ...(facts.boot_time ? { boot_time: facts.boot_time } : {}),
    ...(facts.uptime_s !== undefined ? { uptime_s: facts.uptime_s } : {}),
    ...(facts.addresses.length > 0 ? { addresses: facts.addresses } : {}),
    package_manager: manager,
    inventory_sha256: inventorySha256(packages),
    inventory_count: packages.length,
    packages,
    pending,
    history,
    warnings: warnings.toArray(),
  };
}

function fitting<T>(items: readonly T[], fits: (item: T) => boolean, code: AgtCode, what: string, ctx: SourceContext): T[] {
  const { kept, dropped } = keepFitting(items, fits);
  if (dropped > 0) ctx.warn(code, `${dropped} ${what} left out`);
  return kept;
}

function dedupe(packages: readonly Package[]): Package[] {
  const seen = new Set<string>();
  return packages.filter((p) => {
    const k = `${p.name}\u0000${p.arch}\u0000${p.version}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function byNameArch(a: PendingUpdate, b: PendingUpdate): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0;
}

function byTime(a: HistoryEvent, b: HistoryEvent): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : 0;
}
