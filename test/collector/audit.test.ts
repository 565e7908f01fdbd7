// Audit actors: a CLI actor's id is the bare user name (the type says `cli`), so entries the
// collector writes now, and entries written before with `cli:` in the id, both render once.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createEnrolToken, type RecordAudit } from '../../collector/admin-actions.ts';
import { actors } from '../../collector/audit.ts';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import { singlePolicy } from '../compliance/policy-fixtures.ts';
import { manualClock } from '../../collector/clock.ts';
import { makeHome, removeHomes, startTestCollector, T0, type TestCollector } from './helpers.ts';

let c: TestCollector | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});
afterAll(removeHomes);

describe('actors.cli', () => {
  it('is the bare user name, sanitised to the audit id alphabet, never empty', () => {
    expect(actors.cli('dana.kim')).toEqual({ type: 'cli', id: 'dana.kim' });
    expect(actors.cli('ana maría/ops')).toEqual({ type: 'cli', id: 'ana_mar_a_ops' });
    expect(actors.cli('')).toEqual({ type: 'cli', id: 'unknown' });
    expect(actors.cli('x'.repeat(300)).id).toHaveLength(128);
    const own = actors.cli();
    expect(own.id).toBe(userInfo().username.replace(/[^A-Za-z0-9@._:-]/g, '_').slice(0, 128) || 'unknown');
    expect(own.id.startsWith('cli:')).toBe(false);
  });
});

describe('CLI actors in the evidence repository and the model', () => {
  it('commits new entries without a doubled prefix; an entry already written with one renders once', async () => {
    const clock = manualClock(T0);
    const { home } = await makeHome(clock);
    c = await startTestCollector({ clock, home });
    const sink = c.sink;
    const record: RecordAudit = async (input, label) => void (await sink.write([], label, [input]));
    const ctx = { state: c.state, actor: actors.cli('dana.kim'), source: null, now: clock(), record };
    const { token } = await createEnrolToken(ctx, {});
    // The state database names who created it with the type, as before.
    expect(token.created_by).toBe('cli:dana.kim');
    // As the collector wrote CLI actors before: the type repeated in the id.
    await c.sink.write([], 'old-style entry', [{ actor: { type: 'cli', id: 'cli:priya.nair' }, action: 'exception.committed', target: { type: 'exception', id: 'EXC-0001' }, time: clock() }]);
    const written = (await c.sink.reader.auditEntries()).filter((e) => e.actor.type === 'cli');
    expect(written.map((e) => [e.action, e.actor])).toEqual([
      ['token.created', { type: 'cli', id: 'dana.kim' }],
      ['exception.committed', { type: 'cli', id: 'cli:priya.nair' }],
    ]);
    await c.shutdown();
    c = undefined;

    const model = evaluate({ evidence: await loadEvidence(join(home, 'evidence')), policies: singlePolicy(), advisories: null, period: { start: '2025-01-01', end: '2025-01-31' }, organisation: 'Example Ltd' });
    expect(model.audit.filter((a) => a.actor.startsWith('cli:')).map((a) => [a.action, a.actor])).toEqual([
      ['token.created', 'cli:dana.kim'],
      ['exception.committed', 'cli:priya.nair'],
    ]);
  });
});
