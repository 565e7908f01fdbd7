// Tampering with an evidence repository, by hand with plain git or with a stolen/foreign key:
// every case must be caught by `verify` with the right code and path.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHome, loadHome, rotateKey } from '../../evidence/home.ts';
import { GitStore } from '../../evidence/git-store.ts';
import { openReader } from '../../evidence/reader.ts';
import { verifyRepository } from '../../evidence/verify.ts';
import { signerFromArmored } from '../../evidence/sign.ts';
import { buildEnvelope, reportFiles } from '../../evidence/report-envelope.ts';
import { main } from '../../cli/patchproof.ts';
import type { CliIO } from '../../cli/io.ts';
import { fixedKey, git, gpgHomeWith, haveTool, hostId, removeDir, renderPackagesTsv, sampleEnvelopeInput, samplePackages, steppingClock, tempDir, writeFleet } from '../evidence/helpers.ts';

const hasTools = haveTool('git') && haveTool('gpg');
let root: string;
let base: string; // a clean home to copy per case
let n = 0;
const START = new Date('2024-02-01T00:00:00Z');

beforeAll(async () => {
  root = tempDir('pp-tamper-');
  base = join(root, 'base');
  const clock = steppingClock(START, 60_000);
  await initHome({ home: base, org: 'Tamper Test', clock });
  const home = await loadHome(base, { clock });
  const store = await home.openStore();
  await writeFleet(store, home.signer, { hosts: 3, perHost: 3, start: new Date('2024-03-01T00:00:00Z') });
  await store.close();
});
afterAll(() => removeDir(root));

function copyHome(): { home: string; repo: string } {
  const home = join(root, `case-${++n}`);
  cpSync(base, home, { recursive: true });
  return { home, repo: join(home, 'evidence') };
}

const R = (host: number, seq: number) => `hosts/${hostId(host)}/reports/2024/03/01/${String(seq - 1).padStart(2, '0')}0000Z-${String(seq).padStart(6, '0')}.json`;

/** A commit made with plain git plumbing (no work tree needed): edits applied to HEAD's tree. */
function plainGitCommit(repo: string, edits: Record<string, string | null>, opts: { sign?: { gnupgHome: string; keyId: string } } = {}): string {
  const env = { GIT_INDEX_FILE: join(repo, 'tamper-index'), GIT_AUTHOR_NAME: 'mallory', GIT_AUTHOR_EMAIL: 'm@x', GIT_COMMITTER_NAME: 'mallory', GIT_COMMITTER_EMAIL: 'm@x', ...(opts.sign ? { GNUPGHOME: opts.sign.gnupgHome } : {}) };
  expect(git(repo, ['read-tree', 'HEAD'], env).status).toBe(0);
  for (const [path, content] of Object.entries(edits)) {
    if (content === null) {
      expect(git(repo, ['update-index', '--index-info'], env, `0 ${'0'.repeat(40)}\t${path}\n`).status).toBe(0);
    } else {
      const blob = git(repo, ['hash-object', '-w', '--stdin'], env, content).stdout.trim();
      expect(git(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], env).status).toBe(0);
    }
  }
  const tree = git(repo, ['write-tree'], env).stdout.trim();
  const args = ['commit-tree', tree, '-p', 'HEAD', '-m', 'innocent change'];
  if (opts.sign) args.push(`-S${opts.sign.keyId}`);
  const c = git(repo, args, env);
  expect(c.status, c.stderr).toBe(0);
  const commit = c.stdout.trim();
  expect(git(repo, ['update-ref', 'refs/heads/main', commit], env).status).toBe(0);
  return commit;
}

async function problemsOf(repo: string, opts: { expectAncestor?: string } = {}) {
  const r = await verifyRepository(repo, opts);
  return r.problems.map((p) => `${p.code} ${p.path}`);
}

async function read(repo: string, path: string): Promise<string> {
  const reader = await openReader(repo);
  try {
    return (await reader.readText(path))!;
  } finally {
    reader.close();
  }
}

describe.runIf(hasTools)('tamper suite', () => {
  it('a clean repository verifies, and the CLI exits 0', async () => {
    const { repo } = copyHome();
    expect(await problemsOf(repo)).toEqual([]);
    let out = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: () => undefined, stdin: async () => '', env: {}, cwd: root };
    expect(await main(['verify', '--repo', repo], io)).toBe(0);
    expect(out).toMatch(/^OK: 0 problem/m);
  });

  it('an edited report committed with plain git', async () => {
    const { repo } = copyHome();
    const original = await read(repo, R(1, 2));
    const commit = plainGitCommit(repo, { [R(1, 2)]: original.replace('"dpkg"', '"rpm"') });
    const p = await problemsOf(repo);
    expect(p).toContain(`VRF_FILE_MODIFIED ${R(1, 2)}`);
    expect(p).toContain(`VRF_FILE_SIGNATURE_INVALID ${R(1, 2)}`);
    expect(p).toContain(`VRF_CHAIN_BROKEN ${R(1, 3)}`);
    expect(p).toContain(`VRF_COMMIT_UNSIGNED commit:${commit}`);
    let out = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: () => undefined, stdin: async () => '', env: {}, cwd: root };
    expect(await main(['verify', '--repo', repo], io)).toBe(1);
    expect(out).toContain(`VRF_FILE_MODIFIED ${R(1, 2)}: `);
    out = '';
    expect(await main(['verify', '--repo', repo, '--json'], io)).toBe(1);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.code === 'VRF_FILE_MODIFIED')).toMatchObject({ path: R(1, 2) });
    expect(lines.at(-1).summary.ok).toBe(false);
  });

  it('a deleted report', async () => {
    const { repo } = copyHome();
    plainGitCommit(repo, { [R(2, 2)]: null, [`${R(2, 2)}.asc`]: null });
    const p = await problemsOf(repo);
    expect(p).toContain(`VRF_FILE_DELETED ${R(2, 2)}`);
    expect(p).toContain(`VRF_FILE_DELETED ${R(2, 2)}.asc`);
    expect(p).toContain(`VRF_SEQ_GAP ${R(2, 3)}`);
    expect(p).toContain(`VRF_CHAIN_BROKEN ${R(2, 3)}`);
  });

  it('reordered reports (contents and signatures swapped)', async () => {
    const { repo } = copyHome();
    const [a, b, sa, sb] = await Promise.all([R(3, 2), R(3, 3), `${R(3, 2)}.asc`, `${R(3, 3)}.asc`].map((p) => read(repo, p)));
    plainGitCommit(repo, { [R(3, 2)]: b!, [R(3, 3)]: a!, [`${R(3, 2)}.asc`]: sb!, [`${R(3, 3)}.asc`]: sa! });
    const p = await problemsOf(repo);
    expect(p).toContain(`VRF_FILE_MODIFIED ${R(3, 2)}`);
    expect(p).toContain(`VRF_PATH_MISMATCH ${R(3, 2)}`);
    expect(p).toContain(`VRF_CHAIN_BROKEN ${R(3, 2)}`);
  });

  it('an unsigned commit, even one that only adds a file', async () => {
    const { repo } = copyHome();
    const commit = plainGitCommit(repo, { 'notes.txt': 'hello\n' });
    expect(await problemsOf(repo)).toEqual([`VRF_COMMIT_UNSIGNED commit:${commit}`]);
  });

  it('a commit signed by another key, which also tries to trust that key', async () => {
    const { repo } = copyHome();
    const other = await fixedKey('other');
    const gnupgHome = gpgHomeWith([other.privateKeyArmored]);
    const keysYaml = (await read(repo, 'keys/keys.yaml')) + `  - fingerprint: ${other.fingerprint}\n    file: keys/${other.fingerprint}.asc\n    collector_id: collector-1\n    valid_from: "2020-01-01T00:00:00.000Z"\n    valid_until: null\n`;
    const commit = plainGitCommit(repo, { 'keys/keys.yaml': keysYaml, [`keys/${other.fingerprint}.asc`]: other.publicKeyArmored }, { sign: { gnupgHome, keyId: other.fingerprint } });
    expect(git(repo, ['verify-commit', commit], { GNUPGHOME: gnupgHome }).status).toBe(0); // gpg itself is happy…
    // …and a report signed by that key, committed by the real collector, is still refused.
    const home = await loadHome(join(repo, '..'), { clock: () => new Date('2024-03-02T00:00:00Z') });
    const store = await home.openStore();
    const otherSigner = await signerFromArmored(other.privateKeyArmored);
    const tsv = renderPackagesTsv(samplePackages(4, 1));
    const prev = new TextEncoder().encode(await read(repo, R(1, 3)));
    const env = buildEnvelope(sampleEnvelopeInput({ host: hostId(1), seq: 4, receivedAt: new Date('2024-03-01T03:00:00Z'), packagesTsv: tsv, fingerprint: other.fingerprint, count: 4 }), prev);
    const files = await reportFiles(env, otherSigner);
    await store.commit(files.files, { message: 'foreign report', date: new Date('2024-03-02T00:00:00Z') });
    await store.close();
    const p = await problemsOf(repo);
    expect(p).toContain(`VRF_COMMIT_UNKNOWN_KEY commit:${commit}`);
    expect(p).toContain(`VRF_FILE_SIGNATURE_INVALID ${R(1, 4)}`);
    expect(p.filter((x) => !x.includes(commit) && !x.includes(R(1, 4)))).toEqual([]);
  });

  it('a key used outside its window after rotation', async () => {
    const { home, repo } = copyHome();
    const clock = steppingClock(new Date('2024-05-01T00:00:00Z'), 60_000);
    const before = await loadHome(home, { clock });
    await rotateKey(home, { clock });
    expect(await problemsOf(repo)).toEqual([]); // rotation keeps old evidence valid
    const stale = await GitStore.open(repo, { signer: before.signer, clock });
    const commit = await stale.commit([{ path: 'late/by-old-key', content: 'x' }], { message: 'old key after its window' });
    await stale.close();
    expect(await problemsOf(repo)).toEqual([`VRF_KEY_OUTSIDE_WINDOW commit:${commit}`]);
  });

  it('a validly signed commit that widens a key window or revokes a key', async () => {
    const { home, repo } = copyHome();
    const loaded = await loadHome(home, { clock: steppingClock(new Date('2024-06-01T00:00:00Z')) });
    const keysYaml = await read(repo, 'keys/keys.yaml');
    const store = await loaded.openStore();
    await store.commit([{ path: 'keys/keys.yaml', content: keysYaml.replace(/valid_from: .*/, 'valid_from: 2000-01-01T00:00:00.000Z') }], { message: 'widen' });
    expect(await problemsOf(repo)).toEqual(['VRF_KEY_CHANGED keys/keys.yaml']);
    await store.commit([{ path: 'keys/keys.yaml', content: keysYaml.replace('valid_until: null', 'valid_until: null\n    revoked: true') }], { message: 'revoke' });
    await store.close();
    const p = await problemsOf(repo);
    expect(p).toContain(`VRF_KEY_REVOKED ${R(1, 1)}`);
    expect(p.filter((x) => x.startsWith('VRF_KEY_REVOKED commit:')).length).toBeGreaterThan(3);
  });

  it('a rewritten history is caught with --expect-ancestor', async () => {
    const { home, repo } = copyHome();
    const reader = await openReader(repo);
    const log = await reader.log();
    reader.close();
    const seen = log.at(-1)!.commit;
    writeFileSync(join(repo, 'refs', 'heads', 'main'), `${log.at(-2)!.commit}\n`);
    const loaded = await loadHome(home, { clock: steppingClock(new Date('2024-07-01T00:00:00Z')) });
    const store = await loaded.openStore();
    await store.commit([{ path: 'rewritten', content: 'x' }], { message: 'alternative history' });
    await store.close();
    expect(await problemsOf(repo)).toEqual([]);
    expect(await problemsOf(repo, { expectAncestor: log.at(-2)!.commit.slice(0, 10) })).toEqual([]);
    expect(await problemsOf(repo, { expectAncestor: seen })).toEqual([`VRF_NOT_ANCESTOR commit:${seen}`]);
    let out = '';
    const io: CliIO = { stdout: (s) => void (out += s), stderr: () => undefined, stdin: async () => '', env: {}, cwd: root };
    expect(await main(['verify', '--repo', repo, '--expect-ancestor', seen], io)).toBe(1);
    expect(out).toContain(`VRF_NOT_ANCESTOR commit:${seen}`);
  });

  it('a broken audit chain, signed or not', async () => {
    const { home, repo } = copyHome();
    const path = 'audit/2024/02.jsonl';
    const text = await read(repo, path);
    const loaded = await loadHome(home, { clock: steppingClock(new Date('2024-06-01T00:00:00Z')) });
    const store = await loaded.openStore();
    await store.commit([{ path, content: text.replace('"org":"Tamper Test"', '"org":"Someone Else"') }], { message: 'rewrite audit' });
    await store.close();
    const p = await problemsOf(repo);
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((x) => x === `VRF_AUDIT_CHAIN_BROKEN ${path}`)).toBe(true);
    const { repo: repo2 } = copyHome();
    const lines = text.trim().split('\n');
    plainGitCommit(repo2, { [path]: `${lines[1]}\n` });
    expect(await problemsOf(repo2)).toContain(`VRF_AUDIT_CHAIN_BROKEN ${path}`);
  });

  it('a report committed without its .asc, in a correctly signed commit', async () => {
    const { home, repo } = copyHome();
    const loaded = await loadHome(home, { clock: () => new Date('2024-03-02T00:00:00Z') });
    const store = await loaded.openStore();
    const tsv = renderPackagesTsv(samplePackages(4, 1));
    const prev = new TextEncoder().encode(await read(repo, R(2, 3)));
    const env = buildEnvelope(sampleEnvelopeInput({ host: hostId(2), seq: 4, receivedAt: new Date('2024-03-01T03:00:00Z'), packagesTsv: tsv, fingerprint: loaded.signer.fingerprint, count: 4 }), prev);
    const files = (await reportFiles(env, loaded.signer)).files;
    expect(files.map((f) => f.path)).toContain(`${R(2, 4)}.asc`);
    await store.commit(files.filter((f) => !f.path.endsWith('.asc')), { message: 'report without its signature', date: new Date('2024-03-02T00:00:00Z') });
    await store.close();
    expect(await problemsOf(repo)).toEqual([`VRF_FILE_SIGNATURE_MISSING ${R(2, 4)}`]);
  });

  it('a commit whose signature is by the collector key but does not match it', async () => {
    // Two forgeries of HEAD, both keeping a gpgsig whose issuer is the trusted key: the message
    // changed under an intact signature, and the signature's own bytes corrupted.
    const rewrite = (raw: string, edit: (header: string[], body: string) => { header: string[]; body: string }): string => {
      const cut = raw.indexOf('\n\n');
      const { header, body } = edit(raw.slice(0, cut).split('\n'), raw.slice(cut + 2));
      return `${header.join('\n')}\n\n${body}`;
    };
    const corruptSignature = (header: string[]): string[] => {
      const start = header.findIndex((l) => l.startsWith('gpgsig '));
      const end = header.findIndex((l, i) => i > start && l === ' -----END PGP SIGNATURE-----');
      const lines = header.slice(start + 1, end).map((l) => l.slice(1));
      const b64 = lines.slice(lines.indexOf('') + 1).filter((l) => !l.startsWith('=')).join('');
      const bytes = Buffer.from(b64, 'base64');
      bytes[bytes.length - 1]! ^= 0x01; // the last byte of the signature value itself
      const armored = ['-----BEGIN PGP SIGNATURE-----', '', ...(bytes.toString('base64').match(/.{1,64}/g) ?? []), '-----END PGP SIGNATURE-----'];
      return [...header.slice(0, start), `gpgsig ${armored[0]}`, ...armored.slice(1).map((l) => ` ${l}`), ...header.slice(end + 1)];
    };
    const cases: [string, (header: string[], body: string) => { header: string[]; body: string }][] = [
      ['message changed', (header, body) => ({ header, body: body.replace('reports round 3', 'reports round 3 (nothing to see)') })],
      ['signature corrupted', (header, body) => ({ header: corruptSignature(header), body })],
    ];
    for (const [what, edit] of cases) {
      const { repo } = copyHome();
      const raw = git(repo, ['cat-file', 'commit', 'HEAD']).stdout;
      expect(raw, what).toContain('reports round 3');
      const forged = rewrite(raw, edit);
      expect(forged, what).not.toBe(raw);
      const commit = git(repo, ['hash-object', '-t', 'commit', '-w', '--stdin'], {}, forged).stdout.trim();
      expect(git(repo, ['update-ref', 'refs/heads/main', commit]).status).toBe(0);
      const r = await verifyRepository(repo);
      expect(r.problems.map((p) => `${p.code} ${p.path}`), what).toEqual([`VRF_COMMIT_BAD_SIGNATURE commit:${commit}`]);
      expect(r.problems[0]!.commit, what).toBe(commit);
      expect(r.problems[0]!.message, what).toMatch(/bad signature/); // by the known key, not unreadable
      // Stock gpg agrees: the key is known, the signature is not good.
      const keyFile = git(repo, ['ls-tree', '--name-only', 'HEAD', 'keys/']).stdout.split('\n').find((f) => f.endsWith('.asc'))!;
      const v = git(repo, ['verify-commit', commit], { GNUPGHOME: gpgHomeWith([await read(repo, keyFile)]) });
      expect(v.status, what).not.toBe(0);
      expect(v.stderr, what).toMatch(/BAD signature/);
    }
  });

  it('a path under hosts/ that is not a host id, committed with plain git, unsigned or signed by the collector key', async () => {
    const bogus = 'hosts/web-1/host.yaml';
    {
      const { repo } = copyHome();
      const commit = plainGitCommit(repo, { [bogus]: 'host_id: web-1\n' });
      const r = await verifyRepository(repo);
      expect(r.problems.map((p) => `${p.code} ${p.path}`)).toEqual([`VRF_COMMIT_UNSIGNED commit:${commit}`, 'VRF_HOST_PATH_INVALID hosts/web-1']);
      expect(r.problems.find((p) => p.code === 'VRF_HOST_PATH_INVALID')!.commit).toBe(commit);
    }
    const { home, repo } = copyHome();
    const gnupgHome = gpgHomeWith([readFileSync(join(home, 'secrets', 'signing-key.asc'), 'utf8')]);
    const loaded = await loadHome(home, { clock: steppingClock(new Date('2024-06-01T00:00:00Z')) });
    const fingerprint = loaded.signer.fingerprint;
    const evilReport = 'hosts/h_ZZZZ/reports/2024/03/01/000000Z-000001.json';
    const commit = plainGitCommit(repo, { [bogus]: 'host_id: web-1\n', [evilReport]: '{}' }, { sign: { gnupgHome, keyId: fingerprint } });
    expect(git(repo, ['verify-commit', commit], { GNUPGHOME: gnupgHome }).status).toBe(0); // a good signature by the trusted key…
    // …a later, legitimate commit does not hide it, and it is reported once, at the commit that added it.
    const store = await loaded.openStore();
    await store.commit([{ path: 'notes/after.txt', content: 'later\n' }], { message: 'later commit' });
    await store.close();
    const r = await verifyRepository(repo);
    const host = r.problems.filter((p) => p.code === 'VRF_HOST_PATH_INVALID');
    expect(host.map((p) => [p.path, p.commit])).toEqual([['hosts/h_ZZZZ', commit], ['hosts/web-1', commit]]);
    expect(r.problems.filter((p) => !host.includes(p)).map((p) => `${p.code} ${p.path}`)).toEqual([`VRF_PATH_MISMATCH ${evilReport}`]);
  });
});
