import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMO_MAX_AGE_MS, memoByFiles } from '../../../agent/sources/memo.ts';
import { testContext } from '../helpers/source-fixtures.ts';

describe('memoByFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'pp-memo-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), 'a');

  it('reuses the value (and its warnings) until a watched file changes or it gets old', async () => {
    const cache = new Map<string, unknown>();
    let now = Date.parse('2026-11-22T00:00:00Z');
    let runs = 0;
    const work = async (c: { warn: (code: 'AGT_PENDING_FAILED', m: string) => void }) => {
      runs++;
      c.warn('AGT_PENDING_FAILED', 'partial');
      return [runs];
    };
    const ctx = () => testContext({ root, cache, now: () => new Date(now) });
    expect(await memoByFiles(ctx(), 'k', ['/var/lib/dpkg/status', '/missing'], work)).toEqual([1]);
    const second = ctx();
    expect(await memoByFiles(second, 'k', ['/var/lib/dpkg/status', '/missing'], work)).toEqual([1]);
    expect(second.warnings).toEqual([{ code: 'AGT_PENDING_FAILED', message: 'partial' }]);
    const later = new Date('2026-11-22T01:00:00Z');
    utimesSync(join(root, 'var/lib/dpkg/status'), later, later);
    expect(await memoByFiles(ctx(), 'k', ['/var/lib/dpkg/status', '/missing'], work)).toEqual([2]);
    now += MEMO_MAX_AGE_MS;
    expect(await memoByFiles(ctx(), 'k', ['/var/lib/dpkg/status', '/missing'], work)).toEqual([3]);
    expect(await memoByFiles(testContext({ root }), 'k', ['/var/lib/dpkg/status'], work)).toEqual([4]);
  });
});
