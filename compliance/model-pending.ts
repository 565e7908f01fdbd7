// The host's current pending updates as the model shows them: what the package manager offers
// (installed → candidate, security flag, advisory ids, vendor severity) joined with the open findings
// on the same package or advisory, so each pending update carries the SLA clock it is racing.
import type { PendingUpdate } from '../evidence/types.gen.ts';
import type { ModelFinding, ModelPendingUpdate } from './model-types.ts';

/** Rows kept per host (security updates first); `pending_count` counts them all. */
export const MAX_PENDING_ROWS = 200;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stripArch(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(0, colon);
}

/** Open findings, earliest due first (no due date last), then by id. */
function byDue(a: ModelFinding, b: ModelFinding): number {
  if (a.due_at !== b.due_at) return a.due_at === null ? 1 : b.due_at === null ? -1 : cmp(a.due_at, b.due_at);
  return cmp(a.id, b.id);
}

/**
 * The pending list of the latest report, sorted (security first, then name, arch, candidate) and cut at
 * MAX_PENDING_ROWS; `findings` are the host's findings (only open ones are joined).
 */
export function pendingRows(pending: readonly PendingUpdate[], findings: readonly ModelFinding[]): ModelPendingUpdate[] {
  const open = findings.filter((f) => f.remediated_at === null).sort(byDue);
  const rows = pending.map((p): ModelPendingUpdate => {
    const name = stripArch(p.name);
    const ids = new Set(p.advisories ?? []);
    const covering = open.filter((f) => f.packages.includes(name) || ids.has(f.advisory_id) || f.aliases.some((a) => ids.has(a)));
    return {
      name, arch: p.arch, installed: p.installed, candidate: p.candidate, security: p.security,
      advisories: [...ids].sort(), severity: p.severity ?? null,
      findings: covering.map((f) => ({ id: f.id, advisory_id: f.advisory_id, due_at: f.due_at, status: f.status })),
    };
  });
  rows.sort((a, b) => Number(b.security) - Number(a.security) || cmp(a.name, b.name) || cmp(a.arch, b.arch) || cmp(a.candidate, b.candidate));
  return rows.slice(0, MAX_PENDING_ROWS);
}
