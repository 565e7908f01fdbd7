// What we write is accepted by stock tools alone: git fsck --strict, git verify-commit for every
// commit and gpg --verify for every evidence file, using only the repository's keys/*.asc.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initHome, loadHome, rotateKey } from '../../evidence/home.ts';
import { fsckClean, git, haveTool, removeDir, steppingClock, tempDir, writeFleet } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe.runIf(haveTool('git') && haveTool('gpg'))('stock git + gpg', () => {
  it('accept every commit and every evidence file, across a key rotation', async () => {
    const root = tempDir('pp-stock-');
    dirs.push(root);
    const home = join(root, 'home');
    const clock = steppingClock(new Date('2024-02-01T00:00:00Z'), 60_000);
    await initHome({ home, org: 'Stock', clock });
    let loaded = await loadHome(home, { clock });
    let store = await loaded.openStore();
    await writeFleet(store, loaded.signer, { hosts: 4, perHost: 3, start: new Date('2024-03-01T00:00:00Z') });
    await store.close();
    await rotateKey(home, { clock });
    loaded = await loadHome(home, { clock });
    store = await loaded.openStore();
    await store.commit([{ path: 'after/rotation.txt', content: 'signed by the new key\n' }], { message: 'after rotation' });
    await store.close();
    const repo = loaded.paths.evidenceRepo;

    expect(fsckClean(repo)).toMatchObject({ ok: true });
    const work = join(root, 'checkout');
    mkdirSync(work);
    execFileSync('sh', ['-c', `git --git-dir "${repo}" archive HEAD | tar -x -C "${work}"`]);
    const gnupg = join(root, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    const keyFiles = readdirSync(join(work, 'keys')).filter((f) => f.endsWith('.asc'));
    expect(keyFiles).toHaveLength(2);
    for (const k of keyFiles) execFileSync('gpg', ['--batch', '--quiet', '--import', join(work, 'keys', k)], { env, stdio: 'ignore' });

    const commits = git(repo, ['rev-list', 'main']).stdout.trim().split('\n');
    expect(commits.length).toBe(6); // init, 3 rounds, rotation, one more
    for (const c of commits) {
      const r = git(repo, ['verify-commit', c], { GNUPGHOME: gnupg });
      expect(r.status, `${c}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toContain('Good signature');
    }
    const reports = execFileSync('find', [join(work, 'hosts'), '-name', '*.json'], { encoding: 'utf8' }).trim().split('\n');
    expect(reports).toHaveLength(12);
    for (const f of reports) {
      const r = spawnSync('gpg', ['--batch', '--verify', `${f}.asc`, f], { env, encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
  });
});
