// History walk for verification: every commit's signature is checked against the keys trusted
// before it, keys/ may only grow or narrow, and committed evidence may never change or vanish.
import YAML from 'yaml';
import type { KeysFile } from './types.gen.ts';
import type { ObjectDb } from './git-odb.ts';
import { isTreeMode } from './git-objects.ts';
import { Verifier } from './sign.ts';
import { check } from './schema.ts';
import type { VerifyProblem } from './verify-codes.ts';
import { HOST_ID_RE } from './paths.ts';

export interface Change {
  path: string;
  before: string | null;
  after: string | null;
}

/**
 * Blob-level differences between two trees, descending only into subtrees whose ids differ. With
 * `intoNewTrees` false, a subtree that only the newer side has is not walked (it can hold only
 * additions), which is all the history checks need.
 */
export function diffTrees(odb: ObjectDb, a: string | null, b: string | null, prefix = '', out: Change[] = [], intoNewTrees = true): Change[] {
  if (a === b) return out;
  const left = new Map((a ? odb.tree(a) : []).map((e) => [e.name, e]));
  const right = new Map((b ? odb.tree(b) : []).map((e) => [e.name, e]));
  for (const name of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(name);
    const r = right.get(name);
    if (l && r && l.oid === r.oid && l.mode === r.mode) continue;
    const path = prefix + name;
    const lTree = l && isTreeMode(l.mode) ? l.oid : null;
    const rTree = r && isTreeMode(r.mode) ? r.oid : null;
    if (lTree || (rTree && intoNewTrees)) diffTrees(odb, lTree, rTree, `${path}/`, out, intoNewTrees);
    const lBlob = l && !isTreeMode(l.mode) ? l.oid : null;
    const rBlob = r && !isTreeMode(r.mode) ? r.oid : null;
    if (lBlob !== rBlob) out.push({ path, before: lBlob, after: rBlob });
  }
  return out;
}

/** Every commit reachable from `head`, parents before children. */
export function topoCommits(odb: ObjectDb, head: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const stack: { oid: string; expanded: boolean }[] = [{ oid: head, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      order.push(top.oid);
      continue;
    }
    if (seen.has(top.oid)) continue;
    seen.add(top.oid);
    stack.push({ oid: top.oid, expanded: true });
    for (const p of odb.commit(top.oid).parents) if (!seen.has(p)) stack.push({ oid: p, expanded: false });
  }
  return order;
}

export const REPORT_FILE_RE = /^hosts\/h_[0-9a-f]{16}\/reports\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.json(\.asc)?$/;
const KEY_FILE_RE = /^keys\/[0-9A-F]{40,64}\.asc$/;
const AUDIT_RE = /^audit\/\d{4}\/\d{2}\.jsonl$/;

type KeyRow = KeysFile['keys'][number];
export interface TrustedState {
  rows: Map<string, KeyRow>;
}

export interface SignatureSeen {
  where: string;
  path: string;
  commit: string;
  fingerprint: string;
  created: Date;
}

export interface HistoryResult {
  commits: number;
  verifier: Verifier;
  /** Final (narrowest) window for every admitted key. */
  trusted: Map<string, KeyRow>;
  /** Good commit signatures, for the window check against the final key set. */
  signatures: SignatureSeen[];
}

const decoder = new TextDecoder();

function parseKeys(odb: ObjectDb, tree: string): KeysFile | string {
  const entry = odb.entryAt(tree, 'keys/keys.yaml');
  if (!entry) return 'keys/keys.yaml is missing';
  try {
    const value = YAML.parse(decoder.decode(odb.readTyped(entry.oid, 'blob'))) as unknown;
    const problem = check('keys', value);
    return problem === null ? (value as KeysFile) : `keys/keys.yaml does not match its schema: ${problem}`;
  } catch (err) {
    return `keys/keys.yaml is unreadable: ${(err as Error).message}`;
  }
}

/** Only narrowing is allowed: setting or moving valid_until earlier, and revoking. */
function narrowed(old: KeyRow, next: KeyRow): boolean {
  const same = (k: keyof KeyRow) => JSON.stringify(old[k] ?? null) === JSON.stringify(next[k] ?? null);
  if (!same('fingerprint') || !same('file') || !same('collector_id') || !same('valid_from') || !same('algorithm') || !same('user_id')) return false;
  if (old.revoked && !next.revoked) return false;
  if (old.valid_until !== null && (next.valid_until === null || Date.parse(next.valid_until) > Date.parse(old.valid_until))) return false;
  return true;
}

/**
 * Admits the keys of a correctly signed commit into the trusted state. New keys are added; known
 * keys may only narrow; anything else is reported and ignored (the earlier entry stays in force).
 */
function admitKeys(odb: ObjectDb, commit: string, tree: string, state: TrustedState, verifier: Verifier, problems: VerifyProblem[]): void {
  const keys = parseKeys(odb, tree);
  if (typeof keys === 'string') {
    problems.push({ code: 'VRF_KEYS_INVALID', path: 'keys/keys.yaml', commit, message: keys });
    return;
  }
  const listed = new Set<string>();
  for (const row of keys.keys) {
    listed.add(row.fingerprint);
    const known = state.rows.get(row.fingerprint);
    if (known) {
      if (JSON.stringify(known) === JSON.stringify(row)) continue;
      if (!narrowed(known, row)) {
        problems.push({ code: 'VRF_KEY_CHANGED', path: 'keys/keys.yaml', commit, message: `entry for key ${row.fingerprint} was changed other than by closing or revoking it` });
        continue;
      }
      state.rows.set(row.fingerprint, row); // windows are applied from the final rows, after the walk
      continue;
    }
    const file = odb.entryAt(tree, row.file);
    if (!file) {
      problems.push({ code: 'VRF_KEYS_INVALID', path: row.file, commit, message: `key file for ${row.fingerprint} is missing` });
      continue;
    }
    state.rows.set(row.fingerprint, row);
    verifier.add(toTrusted(row, decoder.decode(odb.readTyped(file.oid, 'blob'))));
  }
  for (const fpr of state.rows.keys()) {
    if (!listed.has(fpr)) problems.push({ code: 'VRF_KEY_CHANGED', path: 'keys/keys.yaml', commit, message: `key ${fpr} was removed from keys.yaml (it stays trusted within its window)` });
  }
}

function toTrusted(row: KeyRow, armored: string) {
  return { fingerprint: row.fingerprint, publicKeyArmored: armored, validFrom: new Date(row.valid_from), validUntil: row.valid_until === null ? null : new Date(row.valid_until), revoked: row.revoked === true };
}

/** Walks every commit from the root: signatures, key admission, immutability of evidence. */
export async function walkHistory(odb: ObjectDb, head: string, problems: VerifyProblem[], onProgress?: (done: number, total: number) => void): Promise<HistoryResult> {
  const order = topoCommits(odb, head);
  const verifier = new Verifier();
  const state: TrustedState = { rows: new Map() };
  const signatures: SignatureSeen[] = [];
  let done = 0;
  for (const oid of order) {
    const c = odb.commit(oid);
    const where = `commit:${oid}`;
    const parentTree = c.parents[0] ? odb.commit(c.parents[0]).tree : null;
    const changes = diffTrees(odb, parentTree, c.tree, '', [], false);
    if (c.parents.length === 0) admitKeys(odb, oid, c.tree, state, verifier, problems);
    let signedOk = false;
    if (c.gpgsig === undefined || c.signedPayload === null) {
      problems.push({ code: 'VRF_COMMIT_UNSIGNED', path: where, commit: oid, message: `commit ${oid.slice(0, 12)} is not signed` });
    } else {
      const r = await verifier.verifyDetachedRaw(c.signedPayload, c.gpgsig);
      if (r.ok) {
        signedOk = true;
        signatures.push({ where, path: where, commit: oid, fingerprint: r.fingerprint, created: r.created });
      } else if (r.reason === 'unknown-key') {
        problems.push({ code: 'VRF_COMMIT_UNKNOWN_KEY', path: where, commit: oid, message: `commit ${oid.slice(0, 12)} is ${r.message}` });
      } else {
        problems.push({ code: 'VRF_COMMIT_BAD_SIGNATURE', path: where, commit: oid, message: `commit ${oid.slice(0, 12)}: ${r.message}` });
      }
    }
    for (const ch of changes) checkChange(ch, oid, odb, problems);
    checkHostEntries(odb, parentTree, c.tree, oid, problems);
    if (c.parents.length > 0 && signedOk && changes.some((ch) => ch.path.startsWith('keys/'))) admitKeys(odb, oid, c.tree, state, verifier, problems);
    onProgress?.(++done, order.length);
  }
  await verifier.ready();
  return { commits: order.length, verifier, trusted: state.rows, signatures };
}

/**
 * Flags every entry of hosts/ that a commit adds under a name that is not a host id (the store
 * refuses to write one, so it came from outside): reported once, at the commit that added it.
 */
function checkHostEntries(odb: ObjectDb, parentTree: string | null, tree: string, commit: string, problems: VerifyProblem[]): void {
  const after = odb.entryAt(tree, 'hosts');
  if (!after || !isTreeMode(after.mode)) return;
  const before = parentTree ? odb.entryAt(parentTree, 'hosts') : null;
  if (before && before.oid === after.oid) return;
  const bad = odb.tree(after.oid).filter((e) => !HOST_ID_RE.test(e.name));
  if (bad.length === 0) return;
  const known = new Set(before && isTreeMode(before.mode) ? odb.tree(before.oid).map((e) => e.name) : []);
  for (const e of bad) {
    if (known.has(e.name)) continue;
    problems.push({ code: 'VRF_HOST_PATH_INVALID', path: `hosts/${e.name}`, commit, message: `hosts/${e.name} was added in ${commit.slice(0, 12)}, but "${e.name}" is not a host id (h_ and 16 lowercase hex digits)` });
  }
}

function checkChange(ch: Change, commit: string, odb: ObjectDb, problems: VerifyProblem[]): void {
  if (ch.before === null) return; // additions are checked at HEAD
  if (REPORT_FILE_RE.test(ch.path) || KEY_FILE_RE.test(ch.path)) {
    if (ch.after === null) problems.push({ code: 'VRF_FILE_DELETED', path: ch.path, commit, message: `committed evidence was deleted in ${commit.slice(0, 12)}` });
    else problems.push({ code: KEY_FILE_RE.test(ch.path) ? 'VRF_KEY_CHANGED' : 'VRF_FILE_MODIFIED', path: ch.path, commit, message: `committed evidence was modified in ${commit.slice(0, 12)}` });
    return;
  }
  if (AUDIT_RE.test(ch.path)) {
    const before = odb.readTyped(ch.before, 'blob');
    const after = ch.after === null ? null : odb.readTyped(ch.after, 'blob');
    if (after === null) problems.push({ code: 'VRF_AUDIT_CHAIN_BROKEN', path: ch.path, commit, message: `audit file deleted in ${commit.slice(0, 12)}` });
    else if (after.length < before.length || Buffer.compare(Buffer.from(after.subarray(0, before.length)), Buffer.from(before)) !== 0) {
      problems.push({ code: 'VRF_AUDIT_CHAIN_BROKEN', path: ch.path, commit, message: `audit file rewritten (not appended to) in ${commit.slice(0, 12)}` });
    }
  }
}
