// reader.walkChanges: one pass over history must report exactly what a full comparison of every
// commit's files with the previous commit's would, including removals (made with real git).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTreeContent, objectId, parseTree, renderTree, type TreeEntry, type TreeEntryChange } from '../../evidence/git-objects.ts';
import { seededRandom } from '../../cli/demo/rng.ts';
import { GitStore } from '../../evidence/git-store.ts';
import { openReader, type CommitInfo, type EvidenceReader } from '../../evidence/reader.ts';
import { fixedSigner, hostId, removeDir, steppingClock, tempDir } from './helpers.ts';

let root: string;
let dir: string;
let reader: EvidenceReader;

/** A commit removing `paths` (and nothing else), written by git itself. */
function gitRemove(paths: string[], message: string): void {
  const env = { ...process.env, GIT_INDEX_FILE: join(root, 'index'), GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
  const git = (...args: string[]): string => execFileSync('git', ['--git-dir', dir, ...args], { env, encoding: 'utf8' }).trim();
  git('read-tree', 'HEAD');
  git('rm', '--cached', '-r', '-q', ...paths);
  const tree = git('write-tree');
  const commit = git('commit-tree', tree, '-p', 'HEAD', '-m', message);
  git('update-ref', 'refs/heads/main', commit);
}

beforeAll(async () => {
  root = tempDir();
  dir = join(root, 'repo');
  const { signer } = await fixedSigner();
  const store = await GitStore.init(dir, { signer, clock: steppingClock() });
  const report = (h: number, day: string, seq: number): string => `hosts/${hostId(h)}/reports/2024/03/${day}/000000Z-${String(seq).padStart(6, '0')}.json`;
  await store.commit([
    { path: `hosts/${hostId(1)}/host.yaml`, content: 'a\n' },
    { path: `hosts/${hostId(2)}/host.yaml`, content: 'b\n' },
    { path: report(1, '01', 1), content: '{"n":1}\n' },
    { path: `${report(1, '01', 1)}.asc`, content: 'sig\n' },
    { path: 'exceptions/EXC-0001.yaml', content: 'x: 1\n' },
    { path: 'keys/keys.yaml', content: 'keys: []\n' },
  ], { message: 'one' });
  await store.commit([
    { path: report(1, '02', 2), content: '{"n":2}\n' },
    { path: report(2, '02', 1), content: '{"n":3}\n' },
    { path: `hosts/${hostId(2)}/host.yaml`, content: 'b2\n' },
    { path: 'keys/keys.yaml', content: 'keys: [1]\n' },
  ], { message: 'two' });
  await store.commit([{ path: 'keys/other.yaml', content: 'z\n' }], { message: 'outside the roots' });
  await store.commit([{ path: report(1, '02', 3), content: '{"n":4}\n' }, { path: 'exceptions/EXC-0002.yaml', content: 'x: 2\n' }], { message: 'three' });
  await store.close();
  gitRemove([`hosts/${hostId(1)}/reports/2024/03/02`, 'exceptions/EXC-0001.yaml'], 'remove a day and an exception');
  reader = await openReader(dir);
});
afterAll(() => {
  reader?.close();
  removeDir(root);
});

/** Every file under `roots` at `commit`, by listing trees (the slow, obvious way). */
function files(commit: string, roots: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of reader.listSync(d, commit)) {
      if (e.type === 'tree') walk(`${d}/${e.name}`);
      else out.set(`${d}/${e.name}`, e.oid);
    }
  };
  roots.forEach(walk);
  return out;
}

function expected(log: CommitInfo[], roots: string[]): string[] {
  const out: string[] = [];
  let before = new Map<string, string>();
  for (const c of log) {
    const now = files(c.commit, roots);
    for (const [p, oid] of now) if (before.get(p) !== oid) out.push(`${c.commit} ${p} ${oid}`);
    for (const p of before.keys()) if (!now.has(p)) out.push(`${c.commit} ${p} null`);
    before = now;
  }
  return out.sort();
}

describe('EvidenceReader.walkChanges', () => {
  it('reports every added, changed and removed file under the roots, per commit', async () => {
    const log = await reader.log();
    expect(log).toHaveLength(5);
    const got: string[] = [];
    const seen: number[] = [];
    reader.walkChanges(log, { roots: ['hosts', 'exceptions'], onChange: (c) => got.push(`${c.commit.commit} ${c.path} ${c.oid}`), onCommit: (_c, i) => seen.push(i) });
    expect(got.sort()).toEqual(expected(log, ['hosts', 'exceptions']));
    expect(got.some((l) => l.endsWith('/2024/03/02/000000Z-000003.json null'))).toBe(true);
    expect(got.some((l) => l.includes('keys/'))).toBe(false);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips file names and directories it is told to', async () => {
    const log = await reader.log();
    const got: string[] = [];
    reader.walkChanges(log, {
      roots: ['hosts'], skip: (name) => name.endsWith('.asc'), follow: (d) => d !== `hosts/${hostId(2)}`,
      onChange: (c) => got.push(c.path),
    });
    expect(got.length).toBeGreaterThan(0);
    expect(got.filter((p) => p.endsWith('.asc') || p.startsWith(`hosts/${hostId(2)}`))).toEqual([]);
  });

  it('starts from an empty tree, so a later first commit reports everything it holds', async () => {
    const log = await reader.log();
    const got: string[] = [];
    reader.walkChanges(log.slice(3), { roots: ['hosts'], onChange: (c) => got.push(`${c.commit.commit} ${c.path} ${c.oid}`) });
    const first = files(log[3]!.commit, ['hosts']);
    expect(got.filter((l) => l.startsWith(log[3]!.commit)).length).toBe(first.size);
  });

  it('resumes from a commit: two walks split anywhere report what one walk reports', async () => {
    const log = await reader.log();
    const whole: string[] = [];
    reader.walkChanges(log, { roots: ['hosts', 'exceptions'], onChange: (c) => whole.push(`${c.commit.commit} ${c.path} ${c.oid}`) });
    for (let cut = 1; cut < log.length; cut++) {
      const split: string[] = [];
      const on = (c: { commit: CommitInfo; path: string; oid: string | null }): void => void split.push(`${c.commit.commit} ${c.path} ${c.oid}`);
      reader.walkChanges(log.slice(0, cut), { roots: ['hosts', 'exceptions'], onChange: on });
      reader.walkChanges(log.slice(cut), { roots: ['hosts', 'exceptions'], onChange: on, from: log[cut - 1]! });
      expect(split).toEqual(whole);
    }
  });
});

describe('diffTreeContent', () => {
  const oid = (s: string): string => objectId('blob', new TextEncoder().encode(s));
  const tree = (entries: TreeEntry[]): Uint8Array => renderTree(entries);
  const blob = (name: string, s = name): TreeEntry => ({ mode: '100644', name, oid: oid(s) });
  const dirEntry = (name: string, s = name): TreeEntry => ({ mode: '40000', name, oid: oid(s) });

  it('returns only what differs: added, changed (with the old entry), removed', () => {
    const before = tree([blob('a'), blob('b'), dirEntry('d'), blob('e')]);
    const after = tree([blob('a'), blob('b', 'b2'), blob('c'), dirEntry('d')]);
    const { changed, removed } = diffTreeContent(before, after);
    expect(changed).toEqual([{ ...blob('b', 'b2'), old: blob('b') }, { ...blob('c'), old: null }]);
    expect(removed).toEqual([blob('e')]);
  });

  it('agrees with a plain merge of the parsed entries on 2,000 seeded random tree pairs, and rejects truncated trees', () => {
    const random = seededRandom(20261203);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const pieces = ['a', 'b', 'x', 'x.txt', 'x-1', 'é', '日本', ' ', 'name with space', '2026', '12', '31', 'z'];
    // Ids with NUL and space bytes in them too: a scan for either must stop at the name's end.
    const id = (): string => Buffer.from(Array.from({ length: 20 }, () => (random() < 0.15 ? pick([0x00, 0x20]) : Math.floor(random() * 256)))).toString('hex');
    const randomEntries = (): TreeEntry[] => {
      const byName = new Map<string, TreeEntry>();
      for (let n = Math.floor(random() * 12); n > 0; n--) {
        const name = Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(pieces)).join('');
        byName.set(name, { mode: pick(['100644', '100644', '40000', '100755', '120000']), name, oid: id() });
      }
      return [...byName.values()];
    };
    const mutate = (entries: TreeEntry[]): TreeEntry[] => {
      // Changed ids (some in their last byte only), and files turned into directories and back.
      const lastByte = (oid: string): string => `${oid.slice(0, 38)}${((parseInt(oid.slice(38), 16) + 1) % 256).toString(16).padStart(2, '0')}`;
      const out = entries.filter(() => random() > 0.2).map((e) => {
        const r = random();
        return r < 0.2 ? { ...e, oid: id() } : r < 0.3 ? { ...e, oid: lastByte(e.oid) } : r < 0.4 ? { ...e, mode: e.mode === '40000' ? '100644' : '40000' } : e;
      });
      for (const e of randomEntries()) if (random() < 0.3 && !out.some((o) => o.name === e.name)) out.push(e);
      return out;
    };
    // Independent of git-objects.ts: indexOf and TextDecoder.
    const parse = (bytes: Uint8Array): TreeEntry[] => {
      const buf = Buffer.from(bytes);
      const out: TreeEntry[] = [];
      for (let i = 0; i < buf.length; ) {
        const sp = buf.indexOf(0x20, i);
        const nul = buf.indexOf(0, sp);
        out.push({ mode: buf.toString('latin1', i, sp), name: new TextDecoder().decode(buf.subarray(sp + 1, nul)), oid: buf.toString('hex', nul + 1, nul + 21) });
        i = nul + 21;
      }
      return out;
    };
    const reference = (before: TreeEntry[], after: TreeEntry[], follow?: (name: string) => boolean) => {
      const key = (e: TreeEntry): string => (e.mode === '40000' ? `${e.name}/` : e.name);
      const keep = (e: TreeEntry): boolean => !follow || e.mode !== '40000' || follow(e.name);
      const changed: TreeEntryChange[] = [];
      const removed: TreeEntry[] = [];
      let i = 0;
      let j = 0;
      while (i < before.length || j < after.length) {
        const x = before[i];
        const y = after[j];
        if (x && y && x.mode === y.mode && x.name === y.name && x.oid === y.oid) [i, j] = [i + 1, j + 1];
        else if (x && y && x.name === y.name) {
          if (keep(y)) changed.push({ ...y, old: x });
          [i, j] = [i + 1, j + 1];
        } else if (x && (!y || key(x) < key(y))) {
          if (keep(x)) removed.push(x);
          i++;
        } else {
          if (keep(y!)) changed.push({ ...y!, old: null });
          j++;
        }
      }
      return { changed, removed };
    };
    for (let n = 0; n < 2000; n++) {
      const first = randomEntries();
      const before = random() < 0.1 ? null : tree(first);
      const after = tree(before ? mutate(first) : first);
      const follow = random() < 0.5 ? undefined : (name: string) => name.length % 2 === 0;
      expect(diffTreeContent(before, after, follow)).toEqual(reference(before ? parse(before) : [], parse(after), follow));
      expect(parseTree(after)).toEqual(parse(after));
      // Cut anywhere: at an entry's end it is the shorter tree, inside an entry always an error.
      const cut = after.subarray(0, Math.floor(random() * after.length));
      const ends: number[] = [];
      for (const e of parse(after)) ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(`${e.mode} ${e.name}`) + 21);
      if (cut.length === 0 || ends.includes(cut.length)) expect(parseTree(cut)).toEqual(parse(cut));
      else {
        expect(() => parseTree(cut)).toThrow('corrupt tree object');
        expect(() => diffTreeContent(null, cut)).toThrow('corrupt tree object');
        expect(() => diffTreeContent(cut, after)).toThrow('corrupt tree object');
      }
    }
  });

  it('treats a missing tree as empty and handles a file turned into a directory', () => {
    expect(diffTreeContent(null, tree([blob('a')])).changed).toEqual([{ ...blob('a'), old: null }]);
    const { changed, removed } = diffTreeContent(tree([blob('x'), blob('y')]), tree([dirEntry('x'), blob('y')]));
    expect(changed).toEqual([{ ...dirEntry('x'), old: blob('x') }]);
    expect(removed).toEqual([]);
  });
});
