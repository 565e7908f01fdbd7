// Builds hand-written evidence for SLA scenario tests: hosts with daily, hash-chained report
// envelopes (schema-valid), the packages.tsv versions they name, exceptions and policies.
import { canonicalBytes } from '../../evidence/canonical-json.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import { inventorySha256, renderPackagesTsv } from '../../evidence/packages-tsv.ts';
import type { ExceptionRecord, HostMeta, KernelInfo, OsInfo, Package, PendingUpdate, ReportEnvelope } from '../../evidence/types.gen.ts';
import type { EvidenceSnapshot, SnapshotHost, SnapshotInventory, SnapshotReport } from '../../compliance/evidence-snapshot.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';

export const FINGERPRINT = 'A'.repeat(40);
const DAY = 86_400_000;

export interface HostEvent {
  readonly date: string;
  /** Packages installed or upgraded (by name + arch). */
  readonly set?: readonly Package[];
  readonly remove?: readonly string[];
  readonly running?: string;
  readonly installedKernels?: readonly string[];
  readonly pending?: readonly PendingUpdate[];
}

export interface HostSpec {
  readonly id: string;
  readonly hostname: string;
  readonly os?: OsInfo;
  readonly group?: string;
  readonly enrolled?: string;
  readonly meta?: HostMeta | null;
  /** Daily reports at 06:00Z from start to end (inclusive). */
  readonly start: string;
  readonly end: string;
  readonly skipDates?: readonly string[];
  /** Seq numbers whose reports are dropped after building (a chain gap). */
  readonly dropSeq?: readonly number[];
  readonly packages: readonly Package[];
  readonly kernel?: { running: string; installed: string[] };
  readonly events?: readonly HostEvent[];
  /** Collector key named in the envelopes (a real one when written to a signed repository). */
  readonly fingerprint?: string;
}

export function pkg(name: string, version: string, source?: string, sourceVersion?: string, arch = 'amd64'): Package {
  return { name, arch, version, source: source ?? name, source_version: sourceVersion ?? version };
}

export const DEFAULT_META: HostMeta = { owner: 'Platform Team', purpose: 'web', classification: 'confidential', environment: 'production', in_scope: true };

function key(p: Package): string {
  return `${p.name}\u0000${p.arch}`;
}

function changesBetween(prev: Map<string, Package>, next: Map<string, Package>, when: string): ReportEnvelope['changes'] {
  const out: ReportEnvelope['changes'] = [];
  for (const [k, p] of next) {
    const old = prev.get(k);
    if (!old) out.push({ name: p.name, arch: p.arch, action: 'install', from: null, to: p.version, when, when_source: 'log', by: 'root', command: 'apt-get upgrade' });
    else if (old.version !== p.version) out.push({ name: p.name, arch: p.arch, action: 'upgrade', from: old.version, to: p.version, when, when_source: 'log', by: 'root', command: 'apt-get upgrade' });
  }
  for (const [k, p] of prev) if (!next.has(k)) out.push({ name: p.name, arch: p.arch, action: 'remove', from: p.version, to: null, when, when_source: 'log' });
  return out;
}

interface Draft {
  envelope: Omit<ReportEnvelope, 'previous' | 'seq'>;
  packages: Package[];
}

function drafts(spec: HostSpec): Draft[] {
  const out: Draft[] = [];
  let current = new Map(spec.packages.map((p) => [key(p), p]));
  let kernel: KernelInfo = { running: spec.kernel?.running ?? '6.1.0-20-amd64', installed: [...(spec.kernel?.installed ?? [spec.kernel?.running ?? '6.1.0-20-amd64'])], reboot_required: false, reboot_reason: null };
  let pending: PendingUpdate[] = [];
  let prevSent = new Map(current);
  const skip = new Set(spec.skipDates ?? []);
  for (let t = Date.parse(`${spec.start}T06:00:00Z`); t <= Date.parse(`${spec.end}T06:00:00Z`); t += DAY) {
    const date = new Date(t).toISOString().slice(0, 10);
    for (const ev of spec.events ?? []) {
      if (ev.date !== date) continue;
      const next = new Map(current);
      for (const p of ev.set ?? []) next.set(key(p), p);
      for (const name of ev.remove ?? []) for (const k of [...next.keys()]) if (k.startsWith(`${name}\u0000`)) next.delete(k);
      current = next;
      if (ev.running !== undefined || ev.installedKernels !== undefined) {
        const installed = [...(ev.installedKernels ?? kernel.installed)];
        const running = ev.running ?? kernel.running;
        const latest = [...installed].sort().pop() ?? running;
        kernel = { running, installed, reboot_required: running !== latest, reboot_reason: running !== latest ? 'kernel update' : null };
      }
      if (ev.pending) pending = [...ev.pending];
    }
    if (skip.has(date)) continue;
    const when = new Date(t).toISOString();
    const packages = [...current.values()];
    out.push({
      packages,
      envelope: {
        schema: 'patchproof.report/v1', report_id: `r_${spec.id.slice(2)}_${t}`, host_id: spec.id, agent_seq: out.length + 1,
        reason: out.length === 0 ? 'first' : 'heartbeat', collected_at: when, received_at: when, clock_skew_ms: 0,
        collector: { id: 'collector-1', key_fingerprint: spec.fingerprint ?? FINGERPRINT }, agent_version: '1.0.0', hostname: spec.hostname,
        os: spec.os ?? { id: 'debian', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)' }, arch: 'x86_64',
        kernel: { ...kernel, installed: [...kernel.installed] }, package_manager: 'dpkg',
        inventory: { path: `hosts/${spec.id}/packages.tsv`, sha256: inventorySha256(packages), count: packages.length },
        changes: changesBetween(prevSent, current, when), pending: [...pending], warnings: [], anomalies: [],
      },
    });
    prevSent = new Map(current);
  }
  for (const d of out) if (d.envelope.changes.length > 0 && d.envelope.reason !== 'first') d.envelope = { ...d.envelope, reason: 'changed' };
  return out;
}

export function reportPathOf(e: Pick<ReportEnvelope, 'host_id' | 'received_at' | 'seq'>): string {
  const iso = new Date(e.received_at).toISOString();
  return `hosts/${e.host_id}/reports/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z-${String(e.seq).padStart(6, '0')}.json`;
}

export interface BuiltHost {
  readonly snapshot: SnapshotHost;
  /** Exact bytes per report path (for writing a real repository). */
  readonly bytes: ReadonlyMap<string, Uint8Array>;
  /** packages.tsv text per report path, where the inventory changed. */
  readonly tsv: ReadonlyMap<string, string>;
}

/** Chains the drafts (seq, previous = sha256 of the previous envelope's bytes) into a host. */
export function buildHost(spec: HostSpec): BuiltHost {
  const reports: SnapshotReport[] = [];
  const inventories = new Map<string, SnapshotInventory>();
  const bytesByPath = new Map<string, Uint8Array>();
  const tsv = new Map<string, string>();
  let previous: string | null = null;
  let lastSha = '';
  const drop = new Set(spec.dropSeq ?? []);
  drafts(spec).forEach((d, i) => {
    const envelope: ReportEnvelope = { ...d.envelope, seq: i + 1, previous };
    const bytes = canonicalBytes(envelope);
    const sha = sha256Hex(bytes);
    previous = sha;
    if (!inventories.has(envelope.inventory.sha256)) inventories.set(envelope.inventory.sha256, { sha256: envelope.inventory.sha256, commit: null, packages: d.packages });
    if (drop.has(envelope.seq)) return;
    const path = reportPathOf(envelope);
    if (envelope.inventory.sha256 !== lastSha) tsv.set(path, renderPackagesTsv(d.packages));
    lastSha = envelope.inventory.sha256;
    bytesByPath.set(path, bytes);
    reports.push({ path, commit: null, sha256: sha, envelope });
  });
  const enrolled = spec.enrolled ?? `${spec.start}T05:00:00Z`;
  const meta = spec.meta === undefined ? DEFAULT_META : spec.meta;
  return {
    bytes: bytesByPath,
    tsv,
    snapshot: {
      host: { schema: 'patchproof.host/v1', host_id: spec.id, hostname: spec.hostname, os: spec.os ?? { id: 'debian', version_id: '12' }, enrolled_at: enrolled, enrolled_via: 'tok_000000000001', group: spec.group ?? 'default', collector_id: 'collector-1' },
      host_file: { path: `hosts/${spec.id}/host.yaml`, commit: null, sha256: sha256Hex(spec.id) },
      meta,
      meta_file: meta ? { path: `hosts/${spec.id}/meta.yaml`, commit: null, sha256: sha256Hex(`${spec.id}meta`) } : null,
      reports,
      inventories: [...inventories.values()],
    },
  };
}

export function exception(over: Partial<ExceptionRecord> & { id: string }): ExceptionRecord {
  return {
    title: `Exception ${over.id}`, hosts: ['*'], reason: 'Vendor application not yet certified with the update.',
    risk_assessment: { likelihood: 'low', impact: 'medium', summary: 'Service is internal only.' },
    compensating_controls: ['Host is reachable only from the admin VLAN.'], planned_remediation: '2025-06-30',
    expires: '2025-06-30', requested_by: 'Alice Example', approver: 'Rita Riskowner', approved_at: '2025-01-20',
    ...over,
  } as ExceptionRecord;
}

export function snapshotOf(hosts: readonly BuiltHost[], exceptions: readonly ExceptionRecord[] = []): EvidenceSnapshot {
  return {
    repo_commit: null,
    simulated: false,
    hosts: hosts.map((h) => h.snapshot),
    exceptions: exceptions.map((record) => ({
      path: `exceptions/${record.id}.yaml`, commit: null, sha256: sha256Hex(JSON.stringify(record)), record,
      history: [{ commit: '1'.repeat(40), time: `${record.approved_at ?? '2025-01-01'}T12:00:00Z`, author: record.requested_by, message: `exception ${record.id}` }],
    })),
    keys: [{ fingerprint: FINGERPRINT, file: `keys/${FINGERPRINT}.asc`, collector_id: 'collector-1', valid_from: '2024-01-01T00:00:00Z', valid_until: null }],
    audit: [],
  };
}

/** A Debian 12 OSV record for one source package. */
export function debianAdvisory(o: {
  id: string; source: string; fixed?: string; published: string; summary?: string; cvss?: string; aliases?: string[]; ecosystem?: string;
}): OsvRecord {
  const events = o.fixed ? [{ introduced: '0' }, { fixed: o.fixed }] : [{ introduced: '0' }];
  return {
    id: o.id, modified: o.published, published: o.published, aliases: o.aliases ?? [], summary: o.summary ?? `${o.source} security update`,
    ...(o.cvss ? { severity: [{ type: 'CVSS_V3' as const, score: o.cvss }] } : {}),
    affected: [{ package: { ecosystem: o.ecosystem ?? 'Debian:12', name: o.source }, ranges: [{ type: 'ECOSYSTEM', events }] }],
  };
}

export const CVSS_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
export const CVSS_MEDIUM = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L';
