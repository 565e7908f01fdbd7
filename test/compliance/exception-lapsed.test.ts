// An exception that lapsed before an exposure began never covered it: that finding is judged as if
// no exception applied (open-overdue, no exception_id), while the exception still lists it as
// matched. An exposure it did cover, once lapsed, is exception-expired as before.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../compliance/model.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { buildHost, debianAdvisory, exception, pkg, snapshotOf } from './scenario.ts';

const COVERED = 'h_00000000000000f1';
const LATER = 'h_00000000000000f2';
const ADVISORY = debianAdvisory({ id: 'DSA-3001-1', source: 'openssl', fixed: '3.0.15-1', published: '2024-12-20T00:00:00Z', summary: 'Important: openssl' });
const EXC = exception({ id: 'EXC-0042', hosts: [COVERED, LATER], advisories: ['DSA-3001-1'], approved_at: '2025-01-02', expires: '2025-01-15' });
const hosts = [
  buildHost({ id: COVERED, hostname: 'covered', start: '2024-12-28', end: '2025-02-28', packages: [pkg('openssl', '3.0.14-1')] }),
  // openssl installed (at the affected version) only after the exception had expired.
  buildHost({ id: LATER, hostname: 'later', start: '2024-12-28', end: '2025-02-28', packages: [], events: [{ date: '2025-02-01', set: [pkg('openssl', '3.0.14-1')] }] }),
];
const model = evaluate({
  evidence: snapshotOf(hosts, [EXC]), policies: singlePolicy(), advisories: { snapshot_hash: 'c'.repeat(64), records: [ADVISORY] },
  period: { start: '2025-01-01', end: '2025-02-28' }, organisation: 'Example Ltd',
});
const f = (id: string) => model.findings.find((x) => x.host_id === id)!;

describe('an exception that expired before the exposure', () => {
  it('leaves the later exposure overdue, without the exception', () => {
    expect(f(LATER)).toMatchObject({ exposed_since: '2025-02-01T06:00:00Z', clock_started_at: '2024-12-20T00:00:00Z', due_at: '2025-01-03T00:00:00Z', remediated_at: null, status: 'open-overdue', exception_id: null });
    expect(f(LATER).evidence.map((e) => e.role)).not.toContain('exception');
  });

  it('still marks the exposure it covered as exception-expired', () => {
    expect(f(COVERED)).toMatchObject({ exposed_since: '2024-12-28T06:00:00Z', status: 'exception-expired', exception_id: 'EXC-0042' });
    expect(f(COVERED).evidence.find((e) => e.role === 'exception')).toEqual({ path: 'exceptions/EXC-0042.yaml', commit: null, role: 'exception' });
  });

  it('lists both findings as matched by the exception, neither as excused', () => {
    const e = model.exceptions.find((x) => x.id === 'EXC-0042')!;
    expect(e.status).toBe('expired');
    expect(e.findings_matched).toEqual([f(COVERED).id, f(LATER).id].sort());
    expect(e.findings_excused).toEqual([]);
  });

  it('judges month ends the same way', () => {
    expect(model.metrics.overall).toMatchObject({ total: 2, open_overdue: 1, exception_expired: 1 });
    // End of January: the later exposure did not exist yet; the covered one had lapsed on Jan 15.
    expect(model.metrics.adherence_over_time).toEqual([
      { month: '2025-01', with_clock: 1, in_sla: 0, adherence_pct: 0 },
      { month: '2025-02', with_clock: 2, in_sla: 0, adherence_pct: 0 },
    ]);
    const c = model.controls.find((x) => x.id === '6.3.3')!.evaluators.find((x) => x.id === 'exceptions-documented')!;
    expect(c.summary).toBe('1 exceptions apply: 1 approved by a risk owner other than the requester; 1 findings remain open after their exception expired.');
  });
});
