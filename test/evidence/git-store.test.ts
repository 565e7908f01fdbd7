// The git store: signed commits stock git accepts, tree re-use, bad input refused with nothing
// written, the single-writer lock, and exact commit ids for a fixed key and clock.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitStore } from '../../evidence/git-store.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixedSigner, fsckClean, git, gpgHomeWith, haveTool, removeDir, steppingClock, tempDir } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
function repoDir(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d, 'evidence');
}
const hasGit = haveTool('git') && haveTool('gpg');

describe('GitStore', () => {
  it('writes signed commits that git fsck and git verify-commit accept', async () => {
    const { key, signer } = await fixedSigner();
    const dir = repoDir();
    const store = await GitStore.init(dir, { signer, clock: steppingClock() });
    const c1 = await store.commit([{ path: 'README.md', content: '# hi\n' }, { path: 'a/b/c.json', content: '{}\n' }], { message: 'first' });
    const c2 = await store.commit([{ path: 'a/b/d.json', content: '[]\n' }, { path: 'a/e.txt', content: new Uint8Array([1, 2, 3]) }], { message: 'second' });
    expect(await store.head()).toBe(c2);
    expect(new TextDecoder().decode((await store.readFile('a/b/c.json'))!)).toBe('{}\n');
    expect((await store.list('a/b')).map((e) => e.name).sort()).toEqual(['c.json', 'd.json']);
    expect(await store.readFile('nope/x')).toBeNull();
    await store.close();
    if (!hasGit) return;
    expect(fsckClean(dir)).toMatchObject({ ok: true });
    const env = { GNUPGHOME: gpgHomeWith([key.publicKeyArmored]) };
    dirs.push(join(env.GNUPGHOME, '..'));
    for (const c of [c1, c2]) expect(git(dir, ['verify-commit', c], env).status).toBe(0);
    expect(git(dir, ['show', `${c2}:a/b/d.json`]).stdout).toBe('[]\n');
    expect(git(dir, ['rev-list', '--count', 'main']).stdout.trim()).toBe('2');
  });

  it('re-uses unchanged subtrees of the parent commit', async () => {
    const { signer } = await fixedSigner();
    const dir = repoDir();
    const store = await GitStore.init(dir, { signer, clock: steppingClock() });
    await store.commit([{ path: 'x/1/a', content: 'a' }, { path: 'y/1/b', content: 'b' }], { message: 'one' });
    const before = (await store.list('')).find((e) => e.name === 'y')!.oid;
    await store.commit([{ path: 'x/2/c', content: 'c' }], { message: 'two' });
    expect((await store.list('')).find((e) => e.name === 'y')!.oid).toBe(before);
    expect((await store.list('x')).map((e) => e.name)).toEqual(['1', '2']);
    await store.close();
  });

  it('gives the exact same commit id for the same writes, key and clock', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { signer } = await fixedSigner();
      const store = await GitStore.init(repoDir(), { signer, clock: steppingClock() });
      await store.commit([{ path: 'a/b', content: 'x' }], { message: 'one' });
      ids.push(await store.commit([{ path: 'a/c', content: 'y' }, { path: 'd', content: 'z' }], { message: 'two' }));
      await store.close();
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toMatchSnapshot();
  });

  it('refuses bad paths, oversized records and file/dir clashes, writing nothing', async () => {
    const { signer } = await fixedSigner();
    const dir = repoDir();
    const store = await GitStore.init(dir, { signer, clock: steppingClock(), maxFileBytes: 1024 });
    const head = await store.commit([{ path: 'ok/file', content: 'x' }], { message: 'ok' });
    const packs = () => readdirSync(join(dir, 'objects', 'pack')).length;
    const before = packs();
    const bad: [string, string | Uint8Array, string][] = [
      ['../etc/passwd', 'x', 'EVD_PATH_INVALID'],
      ['/abs/path', 'x', 'EVD_PATH_INVALID'],
      ['a/\0b', 'x', 'EVD_PATH_INVALID'],
      ['a//b', 'x', 'EVD_PATH_INVALID'],
      ['a/./b', 'x', 'EVD_PATH_INVALID'],
      ['a\\b', 'x', 'EVD_PATH_INVALID'],
      ['.git/config', 'x', 'EVD_PATH_INVALID'],
      ['big', new Uint8Array(2048), 'EVD_RECORD_TOO_LARGE'],
      ['ok/file/child', 'x', 'EVD_PATH_INVALID'],
      ['ok', 'x', 'EVD_PATH_INVALID'],
    ];
    for (const [path, content, code] of bad) {
      await expect(store.commit([{ path: 'fine/one', content: 'y' }, { path, content }], { message: 'bad' })).rejects.toSatisfy((e) => isPatchproofError(e, code));
    }
    await expect(store.commit([{ path: 'p', content: 'x' }, { path: 'p/q', content: 'y' }], { message: 'clash' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
    expect(await store.head()).toBe(head);
    expect(packs()).toBe(before);
    expect(await store.readFile('fine/one')).toBeNull();
    await store.close();
  });

  it('allows one writer: a live holder gives EVD_LOCKED, a dead pid is taken over', async () => {
    const { signer } = await fixedSigner();
    const dir = repoDir();
    const store = await GitStore.init(dir, { signer });
    await expect(GitStore.open(dir, { signer })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_LOCKED'));
    await store.close();
    expect(existsSync(join(dir, 'patchproof.lock'))).toBe(false);
    writeFileSync(join(dir, 'patchproof.lock'), '999999999\n');
    const again = await GitStore.open(dir, { signer });
    await again.close();
    await expect(GitStore.init(dir, { signer })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_REPO_EXISTS'));
  });

  it.runIf(hasGit)('keeps working after git gc packs and merges everything', async () => {
    const { signer } = await fixedSigner();
    const dir = repoDir();
    const store = await GitStore.init(dir, { signer, clock: steppingClock() });
    for (let i = 0; i < 5; i++) await store.commit([{ path: `f/${i}`, content: `v${i}`.repeat(100) }, { path: 'same', content: `s${i}`.repeat(100) }], { message: `c${i}` });
    expect(await store.gc()).toBe(true);
    expect(readdirSync(join(dir, 'objects', 'pack')).filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    await store.commit([{ path: 'f/9', content: 'after gc' }], { message: 'after' });
    expect(new TextDecoder().decode((await store.readFile('f/3'))!)).toBe('v3'.repeat(100));
    await store.close();
    expect(fsckClean(dir).ok).toBe(true);
  });
});
