// Hostile input to the store: traversal, absolute paths, NUL, host ids not ours (also as a
// hosts/<x>/ path segment), oversized records. Each is a coded error, and nothing reaches the repository.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitStore } from '../../evidence/git-store.ts';
import { GroupCommitter } from '../../evidence/group-commit.ts';
import { repoPaths } from '../../evidence/paths.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixedSigner, removeDir, steppingClock, tempDir } from '../evidence/helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('store input', () => {
  it('refuses hostile paths, host ids and sizes with coded errors and writes nothing', async () => {
    const d = tempDir();
    dirs.push(d);
    const { signer } = await fixedSigner();
    const dir = join(d, 'evidence');
    const store = await GitStore.init(dir, { signer, clock: steppingClock(), maxFileBytes: 64 * 1024 });
    const committer = new GroupCommitter(store, { windowMs: 5 });
    const objects = () => readdirSync(join(dir, 'objects', 'pack')).length + readdirSync(join(dir, 'objects')).length;
    const before = objects();
    const paths = ['../../etc/passwd', 'hosts/../../x', '/etc/shadow', 'hosts/h_0000000000000001/\0.json', 'hosts\\x', 'a/.git/hooks/pre-commit', ' x', 'a/b/', '', 'x'.repeat(600), 'caf\u00e9', 'a\nb'];
    for (const path of paths) {
      await expect(store.commit([{ path, content: 'x' }], { message: 'evil' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
      await expect(committer.add([{ path, content: 'x' }])).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_PATH_INVALID'));
    }
    for (const id of ['h_../../../../x', 'H_0000000000000001', 'h_000000000000001', 'h_00000000000000001', 'web-1', '']) {
      expect(() => repoPaths.hostDir(id)).toThrow(expect.objectContaining({ code: 'EVD_HOST_ID_INVALID' }));
      expect(() => repoPaths.report(id, new Date(), 1)).toThrow();
    }
    await expect(store.commit([{ path: 'big.json', content: new Uint8Array(64 * 1024 + 1) }], { message: 'big' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_RECORD_TOO_LARGE'));
    await expect(committer.add([{ path: 'ok.json', content: 'x' }, { path: 'big.json', content: 'y'.repeat(64 * 1024 + 1) }])).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_RECORD_TOO_LARGE'));
    await expect(store.commit([{ path: 'x', content: 42 as unknown as string }], { message: 'type' })).rejects.toSatisfy((e) => isPatchproofError(e, 'EVD_SCHEMA_INVALID'));
    await committer.close();
    expect(await store.head()).toBeNull();
    expect(objects()).toBe(before);
    await store.close();
  });

  it('refuses a hosts/<x>/ path whose <x> is not a host id, alone or beside good files', async () => {
    const d = tempDir();
    dirs.push(d);
    const { signer } = await fixedSigner();
    const dir = join(d, 'evidence');
    const store = await GitStore.init(dir, { signer, clock: steppingClock() });
    const committer = new GroupCommitter(store, { windowMs: 5 });
    const good = 'hosts/h_0123456789abcdef/host.yaml';
    const bad = ['hosts/web-1/host.yaml', 'hosts/H_0123456789ABCDEF/reports/2024/03/01/000000Z-000001.json', 'hosts/h_0123456789abcde/meta.yaml', 'hosts/h_0123456789abcdef0/packages.tsv', 'hosts/h_0123456789abcdeg/x', 'hosts/evil', 'hosts/h_/x'];
    for (const path of bad) {
      const segment = path.split('/')[1];
      const refused = (e: unknown) => isPatchproofError(e, 'EVD_HOST_ID_INVALID') && e.data.path === path && e.data.host_id === segment;
      await expect(store.commit([{ path, content: 'x' }], { message: 'evil' })).rejects.toSatisfy(refused);
      await expect(store.commit([{ path: good, content: 'ok' }, { path, content: 'x' }], { message: 'mixed' })).rejects.toSatisfy(refused);
      await expect(committer.add([{ path: good, content: 'ok' }, { path, content: 'x' }])).rejects.toSatisfy(refused);
    }
    expect(await store.head()).toBeNull();
    expect(readdirSync(join(dir, 'objects', 'pack'))).toEqual([]);
    // The same host-scoped file under a real host id, and files outside hosts/, are accepted.
    await committer.add([{ path: good, content: 'ok' }, { path: 'hostsfile.txt', content: 'not under hosts/' }]);
    await committer.close();
    expect(new TextDecoder().decode((await store.readFile(good))!)).toBe('ok');
    expect((await store.list('hosts')).map((e) => e.name)).toEqual(['h_0123456789abcdef']);
    await store.close();
  });
});
