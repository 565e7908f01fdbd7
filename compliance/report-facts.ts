// What the judgement reads of a report envelope, and the projection the loader keeps of each one. The
// rest of an envelope (collector, addresses, warnings…) is never judged nor cited, and a host's daily
// envelopes mostly repeat the one before, so parts equal to the previous report's are shared.
import type { ReportEnvelope } from '../evidence/types.gen.ts';

/** The envelope fields compliance/ reads; a full ReportEnvelope is one too (in-memory evidence). */
export type ReportFacts = Pick<ReportEnvelope, 'seq' | 'previous' | 'received_at' | 'hostname' | 'os' | 'inventory' | 'kernel' | 'pending' | 'changes'>;

const NONE = Object.freeze([]) as unknown as never[];

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameKernel(a: ReportEnvelope['kernel'], b: ReportEnvelope['kernel']): boolean {
  return a.running === b.running && a.reboot_required === b.reboot_required && (a.reboot_reason ?? null) === (b.reboot_reason ?? null)
    && 'reboot_reason' in a === 'reboot_reason' in b && sameStrings(a.installed, b.installed) && sameStrings(a.reboot_packages, b.reboot_packages);
}

/**
 * The facts of `envelope`, sharing every part equal to `prev` (the host's previous report, if any)
 * and `previous` with `prevSha256` (that report's sha256) when they are equal.
 */
export function projectReport(envelope: ReportEnvelope, prev: ReportFacts | null, prevSha256: string | null): ReportFacts {
  const e = envelope;
  const inv = e.inventory;
  return {
    seq: e.seq,
    previous: e.previous !== null && e.previous === prevSha256 ? prevSha256 : e.previous,
    received_at: e.received_at,
    hostname: prev && prev.hostname === e.hostname ? prev.hostname : e.hostname,
    os: prev && sameJson(prev.os, e.os) ? prev.os : e.os,
    inventory: prev && prev.inventory.sha256 === inv.sha256 && prev.inventory.count === inv.count && prev.inventory.path === inv.path
      ? prev.inventory
      : { path: prev?.inventory.path === inv.path ? prev.inventory.path : inv.path, sha256: inv.sha256, count: inv.count },
    kernel: prev && sameKernel(prev.kernel, e.kernel) ? prev.kernel : e.kernel,
    pending: e.pending.length === 0 ? NONE : prev && sameJson(prev.pending, e.pending) ? prev.pending : e.pending,
    changes: e.changes.length === 0 ? NONE : e.changes,
  };
}
