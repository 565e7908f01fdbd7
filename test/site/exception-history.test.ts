// Pairing an exception's git history with its audit entries: each change shows the commit author
// and who asked for it, from the audit entry committed with it.
import { describe, expect, it } from 'vitest';
import { exceptionChanges } from '../../site/lib/exception-history.ts';
import type { AuditRow } from '../../site/lib/model-types.ts';
import { indexModel } from '../../site/lib/site-data.ts';
import { auditEntryUrl } from '../../site/lib/urls.ts';
import { COLLECTOR_AUTHOR, makeFixture } from './fixtures/make-model.ts';

const AUTHOR = 'patchproof collector <collector@patchproof.invalid>';
const history = [
  { commit: 'a'.repeat(40), time: '2026-06-18T10:00:00Z', author: AUTHOR, message: 'exception EXC-0001 requested' },
  { commit: 'b'.repeat(40), time: '2026-06-19T15:00:01Z', author: AUTHOR, message: 'exception EXC-0001 updated (approved)' },
  { commit: 'c'.repeat(40), time: '2026-06-25T08:00:00Z', author: 'Jo Reviewer <jo@example.invalid>', message: 'fix a typo (reviewed merge)' },
];
const row = (seq: number, time: string, actor: string, extra: Partial<AuditRow> = {}): AuditRow => ({
  seq, time, actor, action: 'exception.updated', target: 'exception:EXC-0001', outcome: 'success', code: null, ...extra,
});

describe('exception history with audit actors', () => {
  it('gives each commit the audit entry written with it, sub-second times included', () => {
    const audit = [
      row(1, '2026-06-18T10:00:00.120Z', 'cli:priya.nair', { action: 'exception.created' }),
      row(2, '2026-06-19T15:00:01.900Z', 'api-key:ak_ciso'),
    ];
    const changes = exceptionChanges({ id: 'EXC-0001', history }, audit, '2026-04-01');
    expect(changes.map((c) => [c.commit[0], c.author, c.audit.map((a) => a.actor), c.noAudit])).toEqual([
      ['a', AUTHOR, ['cli:priya.nair'], null],
      ['b', AUTHOR, ['api-key:ak_ciso'], null],
      ['c', 'Jo Reviewer <jo@example.invalid>', [], 'not-audited'],
    ]);
  });

  it('an entry belongs to the first commit at or after it, never to an earlier one', () => {
    // Written at 15:00:00.7, committed in the group commit of 15:00:01 (not the request's commit).
    const changes = exceptionChanges({ id: 'EXC-0001', history }, [row(5, '2026-06-19T15:00:00.700Z', 'api-key:ak_ciso')], '2026-04-01');
    expect(changes.map((c) => c.audit.map((a) => a.seq))).toEqual([[], [5], []]);
  });

  it('ignores entries of other exceptions, other actions and refused attempts', () => {
    const audit = [
      row(1, '2026-06-18T09:59:59Z', 'cli:other', { target: 'exception:EXC-0002' }),
      row(2, '2026-06-18T09:59:59Z', 'cli:other', { action: 'host.meta-edited', target: 'exception:EXC-0001' }),
      row(3, '2026-06-18T09:59:59Z', 'api-key:ak_viewer', { outcome: 'refused', code: 'COL_FORBIDDEN' }),
      row(4, '2026-06-18T09:59:59Z', 'cli:other', { target: null }),
    ];
    expect(exceptionChanges({ id: 'EXC-0001', history }, audit, '2026-04-01').every((c) => c.audit.length === 0)).toBe(true);
  });

  it('says when a commit predates the period (its entry is not in the model)', () => {
    const changes = exceptionChanges({ id: 'EXC-0001', history }, [], '2026-06-19');
    expect(changes.map((c) => c.noAudit)).toEqual(['before-period', 'not-audited', 'not-audited']);
  });

  it('an audit entry after the last commit is not shown against any commit', () => {
    const changes = exceptionChanges({ id: 'EXC-0001', history }, [row(9, '2026-07-01T00:00:00Z', 'cli:late')], '2026-04-01');
    expect(changes.flatMap((c) => c.audit)).toEqual([]);
  });

  it('is part of the indexed model, and links each entry to its row on the audit month page', () => {
    const { model } = makeFixture({ hosts: 10 });
    const data = indexModel(model);
    const approved = model.exceptions.find((e) => e.history.length === 2)!;
    const changes = data.exceptionChanges.get(approved.id)!;
    expect(changes.map((c) => c.commit)).toEqual(approved.history.map((h) => h.commit));
    expect(changes.every((c) => c.author === COLLECTOR_AUTHOR)).toBe(true);
    // The request was committed before the period; the approval inside it, audited as the API key.
    expect(changes[0]!.noAudit).toBe('before-period');
    const entry = changes[1]!.audit[0]!;
    expect(entry).toMatchObject({ actor: 'api-key:ak_riskowner', action: 'exception.updated', target: `exception:${approved.id}` });
    expect(model.audit.filter((a) => a.seq === entry.seq)).toEqual([entry]);
    expect(auditEntryUrl(entry)).toBe(`/audit/${entry.time.slice(0, 7)}/#audit-${entry.seq}`);
  });
});
