// Every address the site links to, in one place: page routes, copied evidence files, keys and
// downloads. The site is served from the root of its host (see docs/site.md).
import type { AuditRow, Control, Finding, Framework } from './model-types.ts';

export interface Period {
  start: string;
  end: string;
}

export const hostUrl = (hostId: string): string => `/hosts/${hostId}/`;
export const findingAnchor = (findingId: string): string => findingId;
export const findingUrl = (f: Pick<Finding, 'host_id' | 'id'>): string => `${hostUrl(f.host_id)}#${findingAnchor(f.id)}`;
export const frameworkUrl = (framework: Framework): string => `/controls/${framework}/`;
export const controlUrl = (c: Pick<Control, 'framework'>, slug: string): string => `${frameworkUrl(c.framework)}${slug}/`;
export const policyUrl = (slug: string): string => `/policies/${slug}/`;
export const exceptionUrl = (id: string): string => `/exceptions/${id}/`;
export const auditMonthUrl = (month: string): string => `/audit/${month}/`;
export const auditAnchor = (seq: number): string => `audit-${seq}`;
/** The audit month page holding an entry, at the entry's row. */
export const auditEntryUrl = (row: Pick<AuditRow, 'seq' | 'time'>): string => `${auditMonthUrl(row.time.slice(0, 7))}#${auditAnchor(row.seq)}`;
export const evidenceUrl = (repoPath: string): string => `/evidence/${repoPath}`;
export const signatureUrl = (repoPath: string): string => `/evidence/${repoPath}.asc`;
export const keyUrl = (fingerprint: string): string => `/keys/${fingerprint}.asc`;
export const packsDir = 'packs';
export const exportsDir = 'exports';

/** evidence-pack-pci-dss-2025-01-01-to-2025-12-31.pdf */
export function packFileName(framework: Framework, period: Period): string {
  return `evidence-pack-${framework}-${period.start}-to-${period.end}.pdf`;
}
