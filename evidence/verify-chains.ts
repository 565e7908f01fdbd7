// The state checks at HEAD: each host's report chain (schema, path, seq from 1 without gaps,
// `previous` = sha256 of the prior envelope's bytes) and the audit log's hash chain.
import type { ReportEnvelope } from './types.gen.ts';
import { check } from './schema.ts';
import { sha256Hex } from './hash.ts';
import { repoPaths } from './paths.ts';
import { checkAuditChain } from './audit-log.ts';
import type { VerifyProblem } from './verify-codes.ts';

/** What the chain checks need from one envelope file; computed where the bytes are read. */
export interface ReportFacts {
  sha256: string;
  envelope: { host_id: string; seq: number; previous: string | null; received_at: string; key_fingerprint: string } | null;
  problem: string | null;
}

export interface HostReport {
  path: string;
  seq: number;
  facts: ReportFacts;
}

const decoder = new TextDecoder();

export function reportFacts(bytes: Uint8Array): ReportFacts {
  const sha256 = sha256Hex(bytes);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return { sha256, envelope: null, problem: 'envelope is not JSON' };
  }
  const invalid = check('report', value);
  if (invalid) return { sha256, envelope: null, problem: `envelope does not match patchproof.report/v1: ${invalid}` };
  const e = value as ReportEnvelope;
  return { sha256, envelope: { host_id: e.host_id, seq: e.seq, previous: e.previous, received_at: e.received_at, key_fingerprint: e.collector.key_fingerprint }, problem: null };
}

/** Problems in one host's chain; `reports` in path-seq order. */
export function checkHostChain(hostId: string, reports: readonly HostReport[]): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  let expected = 1;
  let prevHash: string | null = null;
  for (const r of reports) {
    const env = r.facts.envelope;
    if (r.facts.problem) problems.push({ code: 'VRF_SCHEMA_INVALID', path: r.path, message: r.facts.problem });
    if (env) {
      let wanted: string | null = null;
      try {
        wanted = repoPaths.report(env.host_id, new Date(env.received_at), env.seq);
      } catch {
        wanted = null;
      }
      if (env.host_id !== hostId || env.seq !== r.seq || wanted !== r.path) {
        problems.push({ code: 'VRF_PATH_MISMATCH', path: r.path, message: `envelope (host ${env.host_id}, seq ${env.seq}, received ${env.received_at}) does not belong at this path` });
      }
    }
    if (r.seq !== expected) {
      problems.push({
        code: 'VRF_SEQ_GAP',
        path: r.path,
        message: r.seq < expected ? `seq ${r.seq} appears again` : `seq ${expected}${r.seq - 1 > expected ? `–${r.seq - 1}` : ''} missing before seq ${r.seq}`,
      });
    }
    if (env && (r.seq === 1 ? env.previous !== null : env.previous !== prevHash)) {
      problems.push({ code: 'VRF_CHAIN_BROKEN', path: r.path, message: `previous is ${env.previous ?? 'null'}, but the prior envelope hashes to ${prevHash ?? 'null (first report)'}` });
    }
    expected = Math.max(expected, r.seq) + 1;
    prevHash = r.facts.sha256;
  }
  return problems;
}

export function checkAudit(files: { path: string; text: string }[]): VerifyProblem[] {
  return checkAuditChain(files).map((p) => ({ code: 'VRF_AUDIT_CHAIN_BROKEN' as const, path: p.path, message: p.seq === null ? p.message : `seq ${p.seq}: ${p.message}` }));
}
