// Policy texts for tests: an SLA policy in two versions (a mid-period revision shortens High to
// 7 days) and a document-only policy, built from one template so the differences are visible.
import { parsePolicyFiles } from '../../compliance/policy-load.ts';
import type { Policy } from '../../compliance/policy.ts';

export interface SlaPolicyOptions {
  version: string;
  effective: string;
  supersedes?: string;
  high?: string;
  clockStart?: 'fix-published' | 'first-detected';
  unfixed?: 'report-only' | 'clock-from-detection';
  kernelReboot?: boolean;
  staleAfter?: string;
  cadence?: string;
}

export function slaPolicyText(o: SlaPolicyOptions): string {
  return `---
id: patch-management
title: Patch Management Policy
version: "${o.version}"
${o.supersedes ? `supersedes: "${o.supersedes}"\n` : ''}owner: Head of Infrastructure
approved_by: CISO
approved_at: "2023-12-15"
effective: "${o.effective}"
review_by: "2026-12-31"
scope: All Linux servers.
severity_classes:
  - { id: critical, label: Critical, sla: 72h, definition: Worst., vendor_labels: [critical], cvss: { min: 9.0, max: 10.0 } }
  - { id: high, label: High, sla: ${o.high ?? '14d'}, definition: Bad., vendor_labels: [high, important], cvss: { min: 7.0, max: 8.9 } }
  - { id: medium, label: Medium, sla: 30d, definition: Meh., vendor_labels: [medium, moderate], cvss: { min: 4.0, max: 6.9 } }
  - { id: low, label: Low, sla: 90d, definition: Minor., vendor_labels: [low, negligible], cvss: { min: 0.0, max: 3.9 } }
unrated_class: medium
clock_start: ${o.clockStart ?? 'fix-published'}
kernel_requires_reboot: ${o.kernelReboot ?? true}
stale_after: ${o.staleAfter ?? '72h'}
evidence_cadence: ${o.cadence ?? '24h'}
unfixed: ${o.unfixed ?? 'report-only'}
controls: [soc2:CC7.1, pci-dss:6.3.3]
---

# Patch Management Policy

Body.
`;
}

export const DOC_POLICY = `---
id: change-management-patches
title: Change Management for Patches
version: "1.0"
owner: Head of Infrastructure
approved_by: CTO
approved_at: "2023-12-15"
effective: "2024-01-01"
review_by: "2026-12-31"
scope: Package changes.
controls: [soc2:CC8.1]
---

Body.
`;

/** v1.0 in force from 2024-01-01, v2.0 (High 7d) from 2025-02-15, plus a document policy. */
export function twoVersionPolicies(): Policy[] {
  return parsePolicyFiles({
    'patch-management@1.0.mdx': slaPolicyText({ version: '1.0', effective: '2024-01-01' }),
    'patch-management.mdx': slaPolicyText({ version: '2.0', effective: '2025-02-15', supersedes: '1.0', high: '7d' }),
    'change-management-patches.mdx': DOC_POLICY,
  });
}

export function singlePolicy(o: Partial<SlaPolicyOptions> = {}): Policy[] {
  return parsePolicyFiles({ 'patch-management.mdx': slaPolicyText({ version: '1.0', effective: '2024-01-01', ...o }) });
}
