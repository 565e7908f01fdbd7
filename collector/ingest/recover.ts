// Re-derives a host's ingest state from the evidence repository, the source of truth: used when
// the state database has no row for the host, or a write was in flight when the process died.
import { sha256Hex } from '../../evidence/hash.ts';
import { parseReportPath, repoPaths } from '../../evidence/paths.ts';
import { pendingSha256 } from '../../evidence/pending-list.ts';
import { parseEnvelope } from '../../evidence/report-envelope.ts';
import { emptyHostState, type HostState } from '../state/host-state.ts';
import { envelopeFingerprint } from './state-fingerprint.ts';

export interface RepoView {
  list(dir: string): Promise<{ name: string; type: 'blob' | 'tree'; oid: string }[]>;
  readFile(path: string): Promise<Uint8Array | null>;
  head(): Promise<string | null>;
}

async function lastTree(repo: RepoView, dir: string): Promise<string | null> {
  const names = (await repo.list(dir)).filter((e) => e.type === 'tree' && /^\d+$/.test(e.name)).map((e) => e.name);
  names.sort((a, b) => Number(a) - Number(b));
  return names.length === 0 ? null : `${dir}/${names[names.length - 1]}`;
}

/** Path of the host's newest envelope (latest day directory, highest seq in it), or null. */
export async function latestReportPath(repo: RepoView, hostId: string): Promise<string | null> {
  let dir: string | null = `${repoPaths.hostDir(hostId)}/reports`;
  for (let level = 0; level < 3 && dir !== null; level++) dir = await lastTree(repo, dir);
  if (dir === null) return null;
  let best: { path: string; seq: number } | null = null;
  for (const e of await repo.list(dir)) {
    if (e.type !== 'blob' || !e.name.endsWith('.json')) continue;
    const parsed = parseReportPath(`${dir}/${e.name}`);
    if (parsed && (best === null || parsed.seq > best.seq)) best = { path: `${dir}/${e.name}`, seq: parsed.seq };
  }
  return best?.path ?? null;
}

/**
 * The state the repository implies for a host. `known` (the database's row, possibly behind)
 * contributes what the repository cannot know: liveness after the last envelope.
 */
export async function deriveHostState(repo: RepoView, hostId: string, known: HostState | null): Promise<HostState> {
  const path = await latestReportPath(repo, hostId);
  const base = known ?? emptyHostState(hostId);
  if (path === null) return { ...emptyHostState(hostId), agent_seq: base.agent_seq, pending_anomalies: base.pending_anomalies };
  const bytes = await repo.readFile(path);
  if (bytes === null) return base;
  const e = parseEnvelope(bytes);
  if (known !== null && known.seq >= e.seq) return known;
  const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
  return {
    host_id: hostId,
    seq: e.seq,
    last_hash: sha256Hex(bytes),
    last_report_id: e.report_id,
    last_path: path,
    last_commit: await repo.head(),
    last_written_at: e.received_at,
    inventory_sha256: e.inventory.sha256,
    inventory_count: e.inventory.count,
    pending_sha256: pendingSha256(e.pending),
    agent_seq: Math.max(e.agent_seq, base.agent_seq),
    last_report_at: later(e.received_at, base.last_report_at),
    state_sha256: envelopeFingerprint(e),
    // Anomalies that were waiting rode on the envelope the database never heard about.
    pending_anomalies: [],
  };
}
