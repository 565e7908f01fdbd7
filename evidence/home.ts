// The collector's home: config.yaml, secrets/ (the private signing key, never in the evidence
// repository), state/, and the bare evidence repository whose first signed commit explains how to
// verify it with stock git + gpg. Also key rotation, which keeps old evidence verifiable.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import YAML from 'yaml';
import type { CollectorConfig, KeysFile } from './types.gen.ts';
import { assertValid } from './schema.ts';
import { evdError } from './errors.ts';
import { repoPaths } from './paths.ts';
import { generateSigningKey, loadSigner, signerFromArmored, writePrivateKey, type Clock, type Signer } from './sign.ts';
import { GitStore } from './git-store.ts';
import { ObjectDb } from './git-odb.ts';
import { AuditLog, type AuditInput } from './audit-log.ts';
import { writeFileAtomic } from './git-fs.ts';
import { evidenceReadme } from './readme.ts';

export type { Clock } from './sign.ts';

export interface HomePaths {
  home: string;
  config: string;
  secrets: string;
  signingKey: string;
  state: string;
  evidenceRepo: string;
}

export interface LoadedHome {
  paths: HomePaths;
  config: CollectorConfig;
  signer: Signer;
  openStore(opts?: { clock?: Clock }): Promise<GitStore>;
}

const SYSTEM_ACTOR: AuditInput['actor'] = { type: 'system', id: 'patchproof' };

function wholeSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function authorFor(collectorId: string): { name: string; email: string } {
  return { name: `patchproof ${collectorId}`, email: `${collectorId}@patchproof.invalid` };
}

function pathsFor(home: string, config: CollectorConfig): HomePaths {
  const abs = (p: string) => (isAbsolute(p) ? p : join(home, p));
  return { home, config: join(home, 'config.yaml'), secrets: join(home, 'secrets'), signingKey: abs(config.signing_key), state: join(home, 'state'), evidenceRepo: abs(config.evidence_repo) };
}

function keyEntry(fingerprint: string, collectorId: string, userId: string, validFrom: Date): KeysFile['keys'][number] {
  return { fingerprint, file: repoPaths.key(fingerprint), collector_id: collectorId, algorithm: 'ed25519', user_id: userId, valid_from: validFrom.toISOString(), valid_until: null };
}

/** Creates a new home; refuses an existing non-empty directory (EVD_REPO_EXISTS). */
export async function initHome(opts: { home: string; org: string; collectorId?: string; clock?: Clock; simulated?: boolean }): Promise<{ paths: HomePaths; config: CollectorConfig; fingerprint: string; commit: string }> {
  const home = resolve(opts.home);
  const clock = opts.clock ?? (() => new Date());
  const collectorId = opts.collectorId ?? 'collector-1';
  if ((await readdir(home).catch(() => [] as string[])).length > 0) {
    throw evdError('EVD_REPO_EXISTS', `${home} already exists and is not empty`, { data: { home } });
  }
  const config = assertValid<CollectorConfig>('config', {
    schema: 'patchproof.config/v1',
    org: opts.org,
    collector_id: collectorId,
    evidence_repo: 'evidence',
    signing_key: 'secrets/signing-key.asc',
    ...(opts.simulated ? { simulated: true } : {}),
  }, 'config.yaml');
  const paths = pathsFor(home, config);
  await mkdir(home, { recursive: true, mode: 0o750 });
  await mkdir(paths.state, { recursive: true, mode: 0o700 });
  const now = wholeSecond(clock());
  const userId = `patchproof ${collectorId} (${opts.org}) <${collectorId}@patchproof.invalid>`;
  const key = await generateSigningKey({ userId, date: now });
  await writePrivateKey(paths.signingKey, key.privateKeyArmored);
  await writeFileAtomic(paths.config, YAML.stringify(config), { mode: 0o640 });
  const signer = await signerFromArmored(key.privateKeyArmored, { clock });
  const store = await GitStore.init(paths.evidenceRepo, { signer, clock, author: authorFor(collectorId) });
  try {
    const keys: KeysFile = { keys: [keyEntry(key.fingerprint, collectorId, userId, key.created)] };
    const audit = await AuditLog.load(store, { clock });
    const { commit } = await audit.append(
      [
        { actor: SYSTEM_ACTOR, action: 'key.created', target: { type: 'key', id: key.fingerprint }, details: { algorithm: 'ed25519', collector_id: collectorId }, time: now },
        { actor: SYSTEM_ACTOR, action: 'repo.initialised', target: { type: 'repo', id: collectorId }, details: { org: opts.org }, time: now },
      ],
      [
        { path: repoPaths.readme, content: evidenceReadme({ org: opts.org, simulated: opts.simulated === true }) },
        { path: repoPaths.key(key.fingerprint), content: key.publicKeyArmored },
        { path: repoPaths.keysYaml, content: YAML.stringify(assertValid<KeysFile>('keys', keys, 'keys.yaml')) },
      ],
      `init: evidence repository for ${opts.org}\n\nSigning key ${key.fingerprint}.`,
    );
    return { paths, config, fingerprint: key.fingerprint, commit };
  } finally {
    await store.close();
  }
}

export async function loadHome(home: string, opts: { clock?: Clock } = {}): Promise<LoadedHome> {
  const root = resolve(home);
  let text: string;
  try {
    text = await readFile(join(root, 'config.yaml'), 'utf8');
  } catch (cause) {
    throw evdError('EVD_REPO_NOT_FOUND', `no collector home at ${root} (config.yaml missing)`, { cause, data: { home: root } });
  }
  let config = assertValid<CollectorConfig>('config', YAML.parse(text), 'config.yaml');
  let paths = pathsFor(root, config);
  let signer = await loadSigner(paths.signingKey, opts.clock ? { clock: opts.clock } : {});
  const successor = await rotatedSuccessor(paths, signer.fingerprint);
  if (successor) {
    // A rotation committed its keys but crashed before updating config.yaml: finish it.
    config = { ...config, signing_key: successor };
    await writeFileAtomic(paths.config, YAML.stringify(config), { mode: 0o640 });
    paths = pathsFor(root, config);
    signer = await loadSigner(paths.signingKey, opts.clock ? { clock: opts.clock } : {});
  }
  return {
    paths,
    config,
    signer,
    openStore: (o = {}) => GitStore.open(paths.evidenceRepo, { signer, clock: o.clock ?? opts.clock ?? (() => new Date()), author: authorFor(config.collector_id) }),
  };
}

/** The key file that replaced `fingerprint`, when keys.yaml at HEAD has closed its window. */
async function rotatedSuccessor(paths: HomePaths, fingerprint: string): Promise<string | null> {
  let keys: KeysFile;
  try {
    const odb = new ObjectDb(paths.evidenceRepo);
    try {
      const head = odb.head();
      const entry = head ? odb.entryAt(odb.commit(head).tree, repoPaths.keysYaml) : null;
      if (!entry) return null;
      keys = YAML.parse(new TextDecoder().decode(odb.readTyped(entry.oid, 'blob'))) as KeysFile;
    } finally {
      odb.close();
    }
  } catch {
    return null;
  }
  const mine = keys.keys?.find((k) => k.fingerprint === fingerprint);
  if (!mine || mine.valid_until === null) return null;
  for (const k of keys.keys.filter((x) => x.valid_until === null && !x.revoked && x.collector_id === mine.collector_id)) {
    const file = `secrets/signing-key-${k.fingerprint}.asc`;
    if ((await readdir(paths.secrets).catch(() => [] as string[])).includes(`signing-key-${k.fingerprint}.asc`)) return file;
  }
  return null;
}

/**
 * Rotates the signing key. The old key's window closes one second after now, so the rotation
 * commit it signs (at now) falls inside it; the new key's window opens at now. Pass an open
 * `store` (and its `audit`) when a collector holds the lock; it then signs with the new key.
 * `source` is the requester's address (admin API), recorded in the audit entry.
 */
export async function rotateKey(
  home: string,
  opts: { clock?: Clock; actor?: AuditInput['actor']; source?: string | null; store?: GitStore; audit?: AuditLog } = {},
): Promise<{ oldFingerprint: string; newFingerprint: string; commit: string }> {
  const clock = opts.clock ?? (() => new Date());
  const loaded = await loadHome(home, { clock });
  const store = opts.store ?? (await loaded.openStore({ clock }));
  try {
    const now = wholeSecond(clock());
    const oldFingerprint = store.signer.fingerprint;
    const raw = await store.readFile(repoPaths.keysYaml);
    const keys = assertValid<KeysFile>('keys', raw ? YAML.parse(new TextDecoder().decode(raw)) : { keys: [] }, 'keys.yaml');
    const old = keys.keys.find((k) => k.fingerprint === oldFingerprint);
    if (!old) throw evdError('EVD_KEY_INVALID', `the current signing key ${oldFingerprint} is not in keys/keys.yaml`);
    const userId = `patchproof ${loaded.config.collector_id} (${loaded.config.org}) <${loaded.config.collector_id}@patchproof.invalid>`;
    const key = await generateSigningKey({ userId, date: now });
    const keyFile = `secrets/signing-key-${key.fingerprint}.asc`;
    await writePrivateKey(join(loaded.paths.home, keyFile), key.privateKeyArmored);
    old.valid_until = new Date(now.getTime() + 1000).toISOString();
    keys.keys.push(keyEntry(key.fingerprint, loaded.config.collector_id, userId, key.created));
    const audit = opts.audit ?? (await AuditLog.load(store, { clock }));
    const { commit } = await audit.append(
      [{ actor: opts.actor ?? SYSTEM_ACTOR, action: 'key.rotated', ...(opts.source ? { source: opts.source } : {}), target: { type: 'key', id: key.fingerprint }, details: { previous: oldFingerprint, valid_until: old.valid_until }, time: now }],
      [
        { path: repoPaths.key(key.fingerprint), content: key.publicKeyArmored },
        { path: repoPaths.keysYaml, content: YAML.stringify(assertValid<KeysFile>('keys', keys, 'keys.yaml')) },
      ],
      `keys: rotate ${oldFingerprint} → ${key.fingerprint}`,
    );
    await writeFileAtomic(loaded.paths.config, YAML.stringify({ ...loaded.config, signing_key: keyFile }), { mode: 0o640 });
    store.setSigner(await signerFromArmored(key.privateKeyArmored, { clock }));
    return { oldFingerprint, newFingerprint: key.fingerprint, commit };
  } finally {
    if (!opts.store) await store.close();
  }
}
