// The audit log's pure core: chaining across months, canonical lines, and chain checking.
import { describe, expect, it } from 'vitest';
import { appendEntries, checkAuditChain, emptyTail, lineHash } from '../../evidence/audit-log.ts';
import { isPatchproofError } from '../../evidence/errors.ts';

const actor = { type: 'system' as const, id: 'patchproof' };
const dec = new TextDecoder();

describe('audit log', () => {
  it('chains entries by line hash with a global seq across months', () => {
    const times = [new Date('2024-01-31T23:59:59Z'), new Date('2024-02-01T00:00:00Z'), new Date('2024-02-02T00:00:00Z')];
    let tail = emptyTail();
    const files: { path: string; text: string }[] = [];
    for (const time of times) {
      const r = appendEntries(tail, [{ actor, action: 'repo.initialised', time }], () => time);
      tail = r.tail;
      for (const f of r.files) {
        const i = files.findIndex((x) => x.path === f.path);
        const text = dec.decode(f.content as Uint8Array);
        if (i >= 0) files[i] = { path: f.path, text };
        else files.push({ path: f.path, text });
      }
    }
    expect(files.map((f) => f.path)).toEqual(['audit/2024/01.jsonl', 'audit/2024/02.jsonl']);
    const lines = files.flatMap((f) => f.text.split('\n').filter(Boolean));
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3]);
    expect(JSON.parse(lines[1]!).prev).toBe(lineHash(lines[0]!));
    expect(JSON.parse(lines[0]!).prev).toBeNull();
    expect(checkAuditChain(files)).toEqual([]);
    // An entry dated in an earlier month still goes to the newest file.
    const late = appendEntries(tail, [{ actor, action: 'key.created', time: new Date('2024-01-15T00:00:00Z') }], () => new Date());
    expect(late.files[0]!.path).toBe('audit/2024/02.jsonl');
  });

  it('finds edited, dropped and reordered lines', () => {
    let tail = emptyTail();
    const r = appendEntries(tail, [1, 2, 3].map((i) => ({ actor, action: 'token.created', details: { i }, time: new Date('2024-05-01T00:00:00Z') })), () => new Date());
    tail = r.tail;
    const text = dec.decode(r.files[0]!.content as Uint8Array);
    const lines = text.split('\n').filter(Boolean);
    const path = 'audit/2024/05.jsonl';
    expect(checkAuditChain([{ path, text: [lines[0], lines[2]].join('\n') + '\n' }]).length).toBeGreaterThan(0);
    expect(checkAuditChain([{ path, text: [lines[0], lines[2], lines[1]].join('\n') + '\n' }]).length).toBeGreaterThan(0);
    expect(checkAuditChain([{ path, text: text.replace('"i":2', '"i":7') }]).length).toBeGreaterThan(0);
  });

  it('refuses entries that do not match the schema', () => {
    expect(() => appendEntries(emptyTail(), [{ actor, action: 'NotAnAction' }], () => new Date())).toThrow();
    try {
      appendEntries(emptyTail(), [{ actor: { type: 'cli', id: 'bad id with spaces' }, action: 'a.b' }], () => new Date());
    } catch (e) {
      expect(isPatchproofError(e, 'EVD_SCHEMA_INVALID')).toBe(true);
    }
  });
});
