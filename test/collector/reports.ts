// Synthetic agent reports for collector tests.
import { inventorySha256 } from '../../evidence/packages-tsv.ts';
import type { ResolvedReport } from '../../collector/ingest/pending.ts';
import type { HistoryEvent, Package, PendingUpdate, ReportBody } from '../../evidence/types.gen.ts';

export function makePackages(n: number, version = '1.0-1'): Package[] {
  return Array.from({ length: n }, (_, i) => ({ name: `pkg${String(i).padStart(5, '0')}`, arch: 'amd64', version }));
}

export function withVersion(packages: Package[], name: string, version: string): Package[] {
  return packages.map((p) => (p.name === name ? { ...p, version } : p));
}

export interface BodyOpts {
  packages: Package[];
  includePackages?: boolean;
  collectedAt?: string;
  history?: HistoryEvent[];
  hostname?: string;
  kernel?: ReportBody['kernel'];
}

export function reportBody(o: BodyOpts): ReportBody & { pending: PendingUpdate[] } {
  return {
    collected_at: o.collectedAt ?? new Date().toISOString(),
    agent_version: '0.1.0',
    hostname: o.hostname ?? 'web-01',
    os: { id: 'debian', version_id: '12' },
    arch: 'amd64',
    kernel: o.kernel ?? { running: '6.1.0-18-amd64', installed: ['6.1.0-18-amd64'], reboot_required: false },
    package_manager: 'dpkg',
    inventory_sha256: inventorySha256(o.packages),
    inventory_count: o.packages.length,
    ...(o.includePackages === false ? {} : { packages: o.packages }),
    pending: [],
    history: o.history ?? [],
    warnings: [],
  };
}

export function reportId(tag: string, seq: number): string {
  return `rep_${tag}_${String(seq).padStart(10, '0')}`;
}

export function reportMsg(seq: number, body: ResolvedReport['body'], tag = 'aaaa'): ResolvedReport {
  return { type: 'report', report_id: reportId(tag, seq), seq, body };
}
