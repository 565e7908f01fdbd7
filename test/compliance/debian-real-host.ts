// A Debian 12 host built from the real fixtures: the captured dpkg-query inventory, dpkg.log and
// apt history.log read by the agent's own parsers, and the collector's own change attribution.
// Earlier inventories are the captured one with the logged events after that instant undone.
import { readFileSync } from 'node:fs';
import { attributeEvents, parseAptHistory } from '../../agent/sources/apt-history.ts';
import { parseAptSimulate } from '../../agent/sources/apt-simulate.ts';
import { parseDpkgLog } from '../../agent/sources/dpkg-log.ts';
import { parseDpkgQuery } from '../../agent/sources/dpkg-query.ts';
import { fixedOffset } from '../../agent/sources/local-time.ts';
import { attributeTimes, diffInventories } from '../../collector/ingest/changes.ts';
import { parseOsRelease } from '../../compliance/ecosystem.ts';
import type { SnapshotInventory, SnapshotReport } from '../../compliance/evidence-snapshot.ts';
import { canonicalBytes } from '../../evidence/canonical-json.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import { inventorySha256, renderPackagesTsv } from '../../evidence/packages-tsv.ts';
import type { HistoryEvent, HostMeta, OsInfo, Package, PendingUpdate, ReportEnvelope } from '../../evidence/types.gen.ts';
import { fixturePath } from './fixtures.ts';
import { DEFAULT_META, reportPathOf, type BuiltHost } from './scenario.ts';

export const DEBIAN_HOST_ID = 'h_00000000000d1b12';
const DAY = 86_400_000;

function text(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

/** The fixture's six columns (Package, Version, Architecture, source:Package, source:Version, Status) in the agent's seven. */
export function capturedInventory(): Package[] {
  const lines = text('inventories/debian-12-local-host/dpkg-query.tsv').split('\n').filter((l) => l !== '');
  const query = lines.map((l) => {
    const [pkg, version, arch, src, srcVersion, status] = l.split('\t');
    return [pkg, pkg, arch, version, src, srcVersion, status].join('\t');
  });
  const parsed = parseDpkgQuery(`${query.join('\n')}\n`);
  if (parsed.invalid.length > 0) throw new Error(`dpkg-query fixture: ${parsed.invalid.length} invalid lines`);
  return parsed.items;
}

/** Every dpkg.log action with the apt transaction (command, requester) it belongs to; the logs' clock was UTC. */
export function loggedEvents(): HistoryEvent[] {
  const utc = fixedOffset(0);
  const events = parseDpkgLog(text('logs/debian-12-local-host/dpkg.log'), utc);
  const txs = parseAptHistory(text('logs/debian-12-local-host/apt-history.log'), utc);
  if (events.invalid.length > 0 || txs.invalid.length > 0) throw new Error('log fixtures have unparsed lines');
  return attributeEvents(events.items, txs.items);
}

/** The captured pending list: the apt simulation the agent runs, recorded on the same machine. */
export function capturedPending(): PendingUpdate[] {
  return parseAptSimulate(text('inventories/debian-12-local-host/apt-get-s-upgrade.txt')).items;
}

function osInfo(): OsInfo {
  const osr = parseOsRelease(text('inventories/debian-12-local-host/os-release'));
  return { id: osr.id, version_id: osr.version_id!, pretty_name: 'Debian GNU/Linux 12 (bookworm)' };
}

const key = (name: string, arch: string): string => `${name}\u0000${arch}`;

/**
 * The inventory as it was at `ms`: the captured one with every logged event after `ms` undone, newest
 * first. The logs name binary versions only, so an undone row's source version is the binary's older
 * version when the two were equal, else the older version less a binNMU suffix (+bN).
 */
export function inventoryAt(captured: readonly Package[], events: readonly HistoryEvent[], ms: number): Package[] {
  const rows = new Map(captured.map((p) => [key(p.name, p.arch), p]));
  const later = events.filter((e) => Date.parse(e.time) > ms).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  for (const e of later) {
    const k = key(e.name, e.arch ?? 'amd64');
    const row = rows.get(k);
    if (e.action === 'install') {
      if (row?.version === e.to) rows.delete(k);
    } else if ((e.action === 'upgrade' || e.action === 'downgrade') && row && e.from) {
      const sourceVersion = row.source_version === row.version ? e.from : e.from.replace(/\+b\d+$/, '');
      rows.set(k, { ...row, version: e.from, source_version: sourceVersion });
    } else if (e.action !== 'reinstall') {
      throw new Error(`cannot undo ${e.action} of ${e.name}: the fixture logs have none`);
    }
  }
  return [...rows.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0));
}

export interface DebianHostOptions {
  /** First and last day of the 06:00Z daily reports (inclusive). */
  readonly start: string;
  readonly end: string;
  /** Extra reports at these instants (an agent reporting right after a change). */
  readonly extra?: readonly string[];
  /** The captured pending list is sent from this instant on (it was captured 2026-11-22). */
  readonly pendingFrom?: string;
  readonly meta?: HostMeta;
  readonly fingerprint: string;
}

/** The host, its signed-repository bytes and packages.tsv versions, ready for writeHostsRepo(). */
export function buildDebianHost(o: DebianHostOptions): BuiltHost {
  const captured = capturedInventory();
  const events = loggedEvents();
  const pending = capturedPending();
  const times: number[] = [];
  for (let t = Date.parse(`${o.start}T06:00:00Z`); t <= Date.parse(`${o.end}T06:00:00Z`); t += DAY) times.push(t);
  for (const x of o.extra ?? []) times.push(Date.parse(x));
  times.sort((a, b) => a - b);
  const os = osInfo();
  const reports: SnapshotReport[] = [];
  const inventories = new Map<string, SnapshotInventory>();
  const bytes = new Map<string, Uint8Array>();
  const tsv = new Map<string, string>();
  let prev: { packages: Package[]; sha: string; at: string; envSha: string } | null = null;
  times.forEach((t, i) => {
    const at = new Date(t).toISOString().replace('.000Z', 'Z');
    const packages = inventoryAt(captured, events, t);
    const sha = inventorySha256(packages);
    const changed = prev !== null && prev.sha !== sha;
    // The agent sends the log events since its previous collection; the collector times each change by them.
    const since = prev === null ? Number.NEGATIVE_INFINITY : Date.parse(prev.at);
    const history = events.filter((e) => Date.parse(e.time) > since && Date.parse(e.time) <= t);
    const changes = changed ? attributeTimes(diffInventories(prev!.packages, packages), history, at, prev!.at) : [];
    const envelope: ReportEnvelope = {
      schema: 'patchproof.report/v1', report_id: `r_d1b12_${t}`, host_id: DEBIAN_HOST_ID, seq: i + 1, agent_seq: i + 1,
      previous: prev?.envSha ?? null, reason: i === 0 ? 'first' : changed ? 'changed' : 'heartbeat',
      collected_at: at, received_at: at, clock_skew_ms: 0,
      collector: { id: 'collector-1', key_fingerprint: o.fingerprint }, agent_version: '1.0.0', hostname: 'debian-12-local-host',
      os, arch: 'x86_64',
      // A container: no kernel package is installed, so the running kernel (not in the fixtures) is not judged.
      kernel: { running: '6.1.0-0-cloud-amd64', installed: [], reboot_required: false, reboot_reason: null },
      package_manager: 'dpkg',
      inventory: { path: `hosts/${DEBIAN_HOST_ID}/packages.tsv`, sha256: sha, count: packages.length },
      changes, pending: o.pendingFrom !== undefined && t >= Date.parse(o.pendingFrom) ? pending : [], warnings: [], anomalies: [],
    };
    const b = canonicalBytes(envelope);
    const envSha = sha256Hex(b);
    const path = reportPathOf(envelope);
    if (!inventories.has(sha)) inventories.set(sha, { sha256: sha, commit: null, packages });
    if (prev === null || changed) tsv.set(path, renderPackagesTsv(packages));
    bytes.set(path, b);
    reports.push({ path, commit: null, sha256: envSha, envelope });
    prev = { packages, sha, at, envSha };
  });
  const meta = o.meta ?? DEFAULT_META;
  return {
    bytes,
    tsv,
    snapshot: {
      host: { schema: 'patchproof.host/v1', host_id: DEBIAN_HOST_ID, hostname: 'debian-12-local-host', os, enrolled_at: `${o.start}T05:00:00Z`, enrolled_via: 'tok_000000000001', group: 'default', collector_id: 'collector-1' },
      host_file: { path: `hosts/${DEBIAN_HOST_ID}/host.yaml`, commit: null, sha256: sha256Hex(DEBIAN_HOST_ID) },
      meta,
      meta_file: { path: `hosts/${DEBIAN_HOST_ID}/meta.yaml`, commit: null, sha256: sha256Hex(`${DEBIAN_HOST_ID}meta`) },
      reports,
      inventories: [...inventories.values()],
    },
  };
}
