// Whole-repository verification: every commit signed by a key trusted before it and inside its
// window, every evidence file signed and never changed or deleted after its commit, per-host
// chains without gaps, an unbroken audit chain, and (optionally) no rewritten history.
import { resolve } from 'node:path';
import { EvidenceReader } from './reader.ts';
import { parseReportPath } from './paths.ts';
import { walkHistory, topoCommits } from './verify-history.ts';
import { checkAudit, checkHostChain } from './verify-chains.ts';
import { verifyJobsParallel, type CandidateKey, type SignatureJob, type SignatureOutcome } from './verify-signatures.ts';
import type { KeysFile } from './types.gen.ts';
import type { VerifyProblem } from './verify-codes.ts';

export { VERIFY_CODES, type VerifyCode, type VerifyProblem } from './verify-codes.ts';

export interface VerifyProgress {
  phase: 'history' | 'signatures' | 'chains';
  done: number;
  total: number;
}

export interface VerifyOptions {
  /** A commit id seen earlier (e.g. in the last audit): it must still be an ancestor of HEAD. */
  expectAncestor?: string;
  /** Fingerprints published out of band: the root commit's keys must be among them. */
  trustedFingerprints?: readonly string[];
  onProgress?: (p: VerifyProgress) => void;
  /** Worker threads for signatures (default: available cores). */
  workers?: number;
}

export interface VerifyStats {
  commits: number;
  signatures: number;
  files: number;
  hosts: number;
  reports: number;
  auditEntries: number;
  ms: number;
  signatureMs: number;
}

export interface VerifyReport {
  ok: boolean;
  head: string | null;
  problems: VerifyProblem[];
  stats: VerifyStats;
}

type KeyRow = KeysFile['keys'][number];

function windowProblem(row: KeyRow | undefined, fingerprint: string, created: Date, path: string, commit?: string): VerifyProblem | null {
  const at = commit ? { commit } : {};
  if (!row) return { code: path.startsWith('commit:') ? 'VRF_COMMIT_UNKNOWN_KEY' : 'VRF_FILE_SIGNATURE_INVALID', path, ...at, message: `signed by ${fingerprint}, a key never admitted by a trusted commit` };
  if (row.revoked) return { code: 'VRF_KEY_REVOKED', path, ...at, message: `signed by revoked key ${fingerprint}` };
  const t = created.getTime();
  if (t < Date.parse(row.valid_from) || (row.valid_until !== null && t >= Date.parse(row.valid_until))) {
    return { code: 'VRF_KEY_OUTSIDE_WINDOW', path, ...at, message: `signed at ${created.toISOString()} by ${fingerprint}, outside its window [${row.valid_from}, ${row.valid_until ?? '∞'})` };
  }
  return null;
}

function sortProblems(problems: VerifyProblem[]): VerifyProblem[] {
  return problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Report files at HEAD as jobs (signature + chain facts), grouped by host; walks trees by id. */
function collectReports(reader: EvidenceReader, head: string, problems: VerifyProblem[]): { jobs: SignatureJob[]; byHost: Map<string, { path: string; oid: string; seq: number }[]> } {
  const odb = reader.odb;
  const jobs: SignatureJob[] = [];
  const byHost = new Map<string, { path: string; oid: string; seq: number }[]>();
  const hosts = odb.entryAt(odb.commit(head).tree, 'hosts');
  if (!hosts || hosts.mode !== '40000') return { jobs, byHost };
  for (const host of odb.tree(hosts.oid)) {
    if (host.mode !== '40000') continue;
    const list: { path: string; oid: string; seq: number }[] = [];
    const walk = (treeOid: string, dir: string, depth: number): void => {
      const entries = odb.tree(treeOid);
      const names = new Map(entries.map((e) => [e.name, e]));
      for (const e of entries) {
        const p = `${dir}/${e.name}`;
        if (e.mode === '40000') {
          if (depth < 3) walk(e.oid, p, depth + 1);
          continue;
        }
        if (depth !== 3 || !e.name.endsWith('.json')) continue;
        const parsed = parseReportPath(p);
        if (!parsed) {
          problems.push({ code: 'VRF_PATH_MISMATCH', path: p, message: 'not a valid report path' });
          continue;
        }
        list.push({ path: p, oid: e.oid, seq: parsed.seq });
        const sig = names.get(`${e.name}.asc`);
        jobs.push({ path: p, data: e.oid, sig: sig && sig.mode !== '40000' ? sig.oid : null });
      }
    };
    const reports = odb.child(host.oid, 'reports');
    if (reports && reports.mode === '40000') walk(reports.oid, `hosts/${host.name}/reports`, 0);
    list.sort((a, b) => a.seq - b.seq || (a.path < b.path ? -1 : 1));
    byHost.set(host.name, list);
  }
  return { jobs, byHost };
}

export async function verifyRepository(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const reader = new EvidenceReader(resolve(dir));
  const stats: VerifyStats = { commits: 0, signatures: 0, files: 0, hosts: 0, reports: 0, auditEntries: 0, ms: 0, signatureMs: 0 };
  const problems: VerifyProblem[] = [];
  try {
    const head = reader.odb.head();
    if (!head) {
      problems.push({ code: 'VRF_REPO_EMPTY', path: 'refs/heads/main', message: 'the repository has no commits' });
      return { ok: false, head: null, problems, stats: { ...stats, ms: performance.now() - t0 } };
    }
    if (opts.expectAncestor !== undefined) {
      const want = opts.expectAncestor.toLowerCase();
      const history = topoCommits(reader.odb, head);
      const found = /^[0-9a-f]{7,40}$/.test(want) && history.some((c) => c.startsWith(want));
      if (!found) {
        problems.push({ code: 'VRF_NOT_ANCESTOR', path: `commit:${want}`, commit: want, message: `commit ${want} is no longer in the history of HEAD: the history was rewritten` });
      }
    }
    const { jobs, byHost } = collectReports(reader, head, problems);
    const candidates: CandidateKey[] = reader
      .listSync('keys', head)
      .filter((e) => e.type === 'blob' && e.name.endsWith('.asc'))
      .map((e) => ({ fingerprint: e.name.slice(0, -4), armored: new TextDecoder().decode(reader.odb.readTyped(e.oid, 'blob')) }));
    let signed = 0;
    const tSig = performance.now();
    const signaturesDone = verifyJobsParallel(reader.dir, reader.odb, candidates, jobs, {
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      onDone: (n) => opts.onProgress?.({ phase: 'signatures', done: (signed += n), total: jobs.length }),
    }).then((r) => {
      stats.signatureMs = performance.now() - tSig;
      return r;
    });
    signaturesDone.catch(() => undefined);

    const history = await walkHistory(reader.odb, head, problems, (done, total) => opts.onProgress?.({ phase: 'history', done, total }));
    stats.commits = history.commits;
    if (opts.trustedFingerprints) {
      const allowed = new Set(opts.trustedFingerprints.map((f) => f.toUpperCase()));
      const rootKeys = [...history.trusted.keys()].filter((f) => !allowed.has(f));
      for (const f of rootKeys) problems.push({ code: 'VRF_KEYS_INVALID', path: 'keys/keys.yaml', message: `key ${f} is not among the fingerprints you trust` });
    }
    for (const s of history.signatures) {
      const p = windowProblem(history.trusted.get(s.fingerprint), s.fingerprint, s.created, s.path, s.commit);
      if (p) problems.push(p);
    }

    const outcomes: SignatureOutcome[] = await signaturesDone;
    const byPath = new Map(outcomes.map((o) => [o.path, o]));
    let hostsDone = 0;
    for (const [hostId, list] of byHost) {
      problems.push(...checkHostChain(hostId, list.map((r) => ({ path: r.path, seq: r.seq, facts: byPath.get(r.path)!.facts }))));
      stats.reports += list.length;
      opts.onProgress?.({ phase: 'chains', done: ++hostsDone, total: byHost.size });
    }
    stats.hosts = byHost.size;
    const audit = reader.auditFiles(head);
    problems.push(...checkAudit(audit));
    stats.auditEntries = audit.reduce((n, f) => n + f.text.split('\n').filter((l) => l !== '').length, 0);

    for (const o of outcomes) problems.push(...fileProblems(o, history.trusted));
    const signedFiles = jobs.filter((j) => j.sig !== null).length;
    stats.files = signedFiles;
    stats.signatures = signedFiles + history.signatures.length;
    return { ok: problems.length === 0, head, problems: sortProblems(problems), stats: { ...stats, ms: performance.now() - t0 } };
  } finally {
    reader.close();
  }
}

function fileProblems(o: SignatureOutcome, trusted: Map<string, KeyRow>): VerifyProblem[] {
  if (o.reason === 'missing') return [{ code: 'VRF_FILE_SIGNATURE_MISSING', path: o.path, message: o.message ?? 'signature missing' }];
  const envelope = o.facts.envelope;
  if (!o.ok) {
    return [{ code: 'VRF_FILE_SIGNATURE_INVALID', path: o.path, message: o.reason === 'unknown-key' ? `signature is by ${o.fingerprint ?? 'an unknown key'}, which is not a trusted key` : (o.message ?? 'signature does not verify') }];
  }
  const fpr = o.fingerprint!;
  const p = windowProblem(trusted.get(fpr), fpr, new Date(o.created!), o.path);
  if (p) return [p];
  if (envelope && envelope.key_fingerprint.toUpperCase() !== fpr) {
    return [{ code: 'VRF_FILE_SIGNATURE_INVALID', path: o.path, message: `signed by ${fpr}, but the envelope names key ${envelope.key_fingerprint}` }];
  }
  return [];
}
