// Collector home: init refuses to overwrite, the first commit verifies with stock git + gpg, the
// key is private, and rotation closes the old key's window.
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, loadHome, rotateKey } from '../../evidence/home.ts';
import { openReader } from '../../evidence/reader.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fsckClean, git, gpgHomeWith, haveTool, removeDir, steppingClock, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const hasTools = haveTool('git') && haveTool('gpg');

describe('home', () => {
  it('initialises a home whose evidence repository verifies with stock tools', async () => {
    const root = tempDir();
    dirs.push(root);
    const home = join(root, 'home');
    const { paths, config, fingerprint, commit } = await initHome({ home, org: 'Example Corp', clock: steppingClock() });
    expect(config).toMatchObject({ schema: 'patchproof.config/v1', org: 'Example Corp', collector_id: 'collector-1' });
    expect(statSync(paths.signingKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.secrets).mode & 0o777).toBe(0o700);
    expect(statSync(paths.state).isDirectory()).toBe(true);
    const reader = await openReader(paths.evidenceRepo);
    expect(await reader.head()).toBe(commit);
    expect(await reader.readText('README.md')).toContain('gpg --verify');
    const keys = await reader.keys();
    expect(keys.file.keys[0]).toMatchObject({ fingerprint, valid_until: null });
    expect((await reader.auditEntries()).map((e) => e.action)).toEqual(['key.created', 'repo.initialised']);
    const tree = git(paths.evidenceRepo, ['ls-tree', '-r', '--name-only', 'HEAD']).stdout;
    expect(tree).not.toMatch(/PRIVATE|secrets/);
    for (const f of tree.trim().split('\n')) expect(reader.odb.readTyped((reader.listSync(f.split('/').slice(0, -1).join('/')).find((e) => e.name === f.split('/').pop())!).oid, 'blob').toString()).not.toContain('PRIVATE KEY');
    await expect(initHome({ home, org: 'Again' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_REPO_EXISTS'));
    const loaded = await loadHome(home);
    expect(loaded.signer.fingerprint).toBe(fingerprint);
    if (!hasTools) return;
    expect(fsckClean(paths.evidenceRepo).ok).toBe(true);
    const env = { GNUPGHOME: gpgHomeWith([keys.armored[fingerprint]!]) };
    dirs.push(join(env.GNUPGHOME, '..'));
    expect(git(paths.evidenceRepo, ['verify-commit', commit], env).status).toBe(0);
  });

  it('refuses a non-empty directory and a group-readable key', async () => {
    const root = tempDir();
    dirs.push(root);
    mkdirSync(join(root, 'busy'));
    writeFileSync(join(root, 'busy', 'x'), 'x');
    await expect(initHome({ home: join(root, 'busy'), org: 'X' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_REPO_EXISTS'));
    const { paths } = await initHome({ home: join(root, 'h'), org: 'X' });
    const { chmodSync } = await import('node:fs');
    chmodSync(paths.signingKey, 0o644);
    await expect(loadHome(join(root, 'h'))).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_KEY_PERMISSIONS'));
  });

  it('rotates the key: old window closes, new key signs later commits, audit records it', async () => {
    const root = tempDir();
    dirs.push(root);
    const home = join(root, 'home');
    const clock = steppingClock(new Date('2024-04-01T00:00:00Z'), 60_000);
    const { fingerprint } = await initHome({ home, org: 'X', clock });
    const rotated = await rotateKey(home, { clock });
    expect(rotated.oldFingerprint).toBe(fingerprint);
    const loaded = await loadHome(home, { clock });
    expect(loaded.signer.fingerprint).toBe(rotated.newFingerprint);
    expect(statSync(loaded.paths.signingKey).mode & 0o777).toBe(0o600);
    const store = await loaded.openStore();
    await store.commit([{ path: 'x/after-rotation', content: 'x' }], { message: 'after' });
    await store.close();
    const reader = await openReader(loaded.paths.evidenceRepo);
    const keys = (await reader.keys()).file.keys;
    expect(keys).toHaveLength(2);
    expect(keys[0]!.valid_until).not.toBeNull();
    expect(keys[1]).toMatchObject({ fingerprint: rotated.newFingerprint, valid_until: null });
    expect((await reader.auditEntries()).map((e) => e.action)).toEqual(['key.created', 'repo.initialised', 'key.rotated']);
    expect(YAML.parse(readFileSync(join(home, 'config.yaml'), 'utf8')).signing_key).toContain(rotated.newFingerprint);
  });
});

describe('rotation recovery', () => {
  it('finishes a rotation that crashed after its commit but before config.yaml was updated', async () => {
    const root = tempDir();
    dirs.push(root);
    const home = join(root, 'home');
    const clock = steppingClock(new Date('2024-04-01T00:00:00Z'), 60_000);
    await initHome({ home, org: 'X', clock });
    const before = readFileSync(join(home, 'config.yaml'), 'utf8');
    const rotated = await rotateKey(home, { clock });
    writeFileSync(join(home, 'config.yaml'), before); // as if the process died before the last step
    const loaded = await loadHome(home, { clock });
    expect(loaded.signer.fingerprint).toBe(rotated.newFingerprint);
    expect(YAML.parse(readFileSync(join(home, 'config.yaml'), 'utf8')).signing_key).toContain(rotated.newFingerprint);
  });
});
