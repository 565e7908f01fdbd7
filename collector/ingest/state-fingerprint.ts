// What "the host's state changed" means: a hash over the reported facts that matter as evidence
// (identity, OS, kernel and reboot state, inventory hash, pending updates), excluding what moves
// on every check-in (collected_at, uptime, warnings, history). Computable from a report body and
// from a written envelope alike, so it can be re-derived from the repository.
import { canonicalJson } from '../../evidence/canonical-json.ts';
import { sha256Hex } from '../../evidence/hash.ts';
import type { PendingUpdate, ReportBody, ReportEnvelope } from '../../evidence/types.gen.ts';

type Facts = Pick<ReportBody, 'hostname' | 'machine_id' | 'os' | 'arch' | 'kernel' | 'boot_time' | 'addresses' | 'package_manager' | 'agent_version'> & { pending: PendingUpdate[] };

function pendingKey(p: PendingUpdate): string {
  return `${p.name}\t${p.arch}\t${p.candidate}`;
}

export function stateFingerprint(facts: Facts, inventorySha256: string): string {
  return sha256Hex(
    canonicalJson({
      hostname: facts.hostname,
      machine_id: facts.machine_id ?? null,
      os: facts.os,
      arch: facts.arch,
      kernel: facts.kernel,
      boot_time: facts.boot_time ? new Date(facts.boot_time).toISOString() : null,
      addresses: [...(facts.addresses ?? [])].sort(),
      package_manager: facts.package_manager,
      pending: [...facts.pending].sort((a, b) => (pendingKey(a) < pendingKey(b) ? -1 : pendingKey(a) > pendingKey(b) ? 1 : 0)),
      agent_version: facts.agent_version,
      inventory_sha256: inventorySha256,
    }),
  );
}

export function envelopeFingerprint(e: ReportEnvelope): string {
  return stateFingerprint(e, e.inventory.sha256);
}
