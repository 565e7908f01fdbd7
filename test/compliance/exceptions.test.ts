// Exception matching (advisory, CVE alias, package or source; hosts, groups, "*") and validity:
// approved, not self-approved, in force from its approval day to the end of its expiry day.
import { describe, expect, it } from 'vitest';
import { buildExceptionRules, excusingAt, exceptionNames, exceptionStatus, expiredBy } from '../../compliance/exceptions.ts';
import type { SnapshotException } from '../../compliance/evidence-snapshot.ts';
import { dateMs } from '../../compliance/sla-time.ts';
import { exception } from './scenario.ts';

const HOST = 'h_00000000000000aa';
const target = { host_id: HOST, group: 'web', advisory_id: 'DSA-5000-1', aliases: ['CVE-2025-5000'], packages: ['libssl3', 'openssl'], source: 'openssl' };
const asOf = dateMs('2025-04-01');

function rules(...records: ReturnType<typeof exception>[]) {
  return buildExceptionRules(records.map((record): SnapshotException => ({ path: `exceptions/${record.id}.yaml`, commit: null, sha256: '0'.repeat(64), record, history: [] })), asOf);
}

describe('exception matching', () => {
  it('matches by advisory id or CVE alias, case-insensitively', () => {
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', advisories: ['dsa-5000-1'] }))[0]!, target)).toBe(true);
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', advisories: ['CVE-2025-5000'] }))[0]!, target)).toBe(true);
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', advisories: ['CVE-2025-9999'] }))[0]!, target)).toBe(false);
  });

  it('matches by binary or source package; both lists must match when both are given', () => {
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', packages: ['libssl3'] }))[0]!, target)).toBe(true);
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', packages: ['openssl'] }))[0]!, target)).toBe(true);
    expect(exceptionNames(rules(exception({ id: 'EXC-0001', packages: ['openssl'], advisories: ['CVE-2025-1'] }))[0]!, target)).toBe(false);
  });

  it('matches hosts by id, group:NAME or *', () => {
    const named = (hosts: string[]) => exceptionNames(rules(exception({ id: 'EXC-0001', packages: ['openssl'], hosts: hosts as never }))[0]!, target);
    expect(named([HOST])).toBe(true);
    expect(named(['group:web'])).toBe(true);
    expect(named(['*'])).toBe(true);
    expect(named(['h_00000000000000bb', 'group:db'])).toBe(false);
  });
});

describe('exception validity', () => {
  it('statuses as of period end', () => {
    const s = (over: Partial<Parameters<typeof exception>[0]>) => exceptionStatus(exception({ id: 'EXC-0001', ...over }), asOf);
    expect(s({})).toBe('active');
    expect(s({ approver: null, approved_at: null })).toBe('unapproved');
    expect(s({ approved_at: '2025-04-01' })).toBe('unapproved');
    expect(s({ approver: '  alice example ' })).toBe('self-approved');
    expect(s({ expires: '2025-03-31' })).toBe('expired');
    expect(s({ expires: '2025-04-01' })).toBe('active');
  });

  it('excuses from the approval day through the end of the expiry day', () => {
    const r = rules(exception({ id: 'EXC-0001', approved_at: '2025-01-20', expires: '2025-02-28' }));
    expect(excusingAt(r, dateMs('2025-01-19') + 86_399_999)).toBeUndefined();
    expect(excusingAt(r, dateMs('2025-01-20'))?.id).toBe('EXC-0001');
    expect(excusingAt(r, dateMs('2025-02-28') + 86_399_999)?.id).toBe('EXC-0001');
    expect(excusingAt(r, dateMs('2025-03-01'))).toBeUndefined();
    expect(expiredBy(r, dateMs('2025-03-01'), dateMs('2025-01-01'))?.id).toBe('EXC-0001');
    // Lapsed before the exposure began: it never covered it.
    expect(expiredBy(r, dateMs('2025-04-01'), dateMs('2025-03-01'))).toBeUndefined();
    expect(expiredBy(r, dateMs('2025-04-01'), dateMs('2025-02-28') + 86_399_999)?.id).toBe('EXC-0001');
  });

  it('self-approved and unapproved exceptions never excuse', () => {
    const r = rules(exception({ id: 'EXC-0001', approver: 'Alice Example' }), exception({ id: 'EXC-0002', approver: null, approved_at: null }));
    expect(r.map((x) => [x.id, x.status, x.valid])).toEqual([['EXC-0001', 'self-approved', false], ['EXC-0002', 'unapproved', false]]);
    expect(excusingAt(r, dateMs('2025-02-01'))).toBeUndefined();
    expect(expiredBy(r, dateMs('2026-01-01'), dateMs('2025-01-01'))).toBeUndefined();
  });
});
