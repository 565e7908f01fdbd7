// RefusalAudit on its own: budgets per key and overall, count-only refusals, one summary entry
// per group per window, folding beyond the group cap, and counts kept when a write fails. The
// writer here is an in-memory list (the sink is exercised by the gateway and security tests).
import { describe, expect, it } from 'vitest';
import type { AuditInput } from '../../evidence/audit-log.ts';
import { actors, auditInput } from '../../collector/audit.ts';
import { manualClock } from '../../collector/clock.ts';
import { createMetrics } from '../../collector/metrics.ts';
import { RefusalAudit, type RefusalAuditOptions } from '../../collector/refusal-audit.ts';
import { T0 } from './helpers.ts';

function setup(options: Partial<RefusalAuditOptions> = {}) {
  const clock = manualClock(T0);
  const written: AuditInput[][] = [];
  let fail = false;
  const metrics = createMetrics();
  const audit = new RefusalAudit({
    clock,
    metrics,
    log: { warn: () => {} },
    write: async (entries) => {
      if (fail) throw new Error('disk full');
      written.push(entries);
    },
    options: { perKeyPerMinute: 2, globalPerMinute: 100, windowMs: 60_000, maxGroups: 1000, ...options },
  });
  const refusal = (hostId: string, code = 'COL_MESSAGE_INVALID', source = '10.0.0.1') =>
    auditInput({ actor: actors.device(hostId), action: 'report.refused', outcome: 'refused', source, code, target: { type: 'host', id: hostId }, time: clock() });
  return { clock, written, audit, refusal, metrics, setFail: (f: boolean) => (fail = f) };
}

describe('RefusalAudit', () => {
  it('writes refusals one by one within the per-key budget and summarises the rest per group', async () => {
    const { clock, written, audit, refusal, metrics } = setup();
    for (let i = 0; i < 5; i++) {
      await audit.refuse(refusal('h_000000000000000a'), 'h_000000000000000a');
      clock.advance(1000);
    }
    await audit.refuse(refusal('h_000000000000000b'), 'h_000000000000000b');
    expect(written.flat().map((e) => e.target?.id)).toEqual(['h_000000000000000a', 'h_000000000000000a', 'h_000000000000000b']);
    expect(audit.pending).toBe(3);
    expect(await metrics.registry.metrics()).toContain('patchproof_audit_refusals_suppressed_total{action="report.refused"} 3');
    await audit.flush();
    const summary = written.at(-1)!;
    expect(summary).toEqual([
      {
        actor: { type: 'device', id: 'h_000000000000000a' },
        action: 'refusal.summary',
        outcome: 'refused',
        time: clock(),
        source: '10.0.0.1',
        target: { type: 'host', id: 'h_000000000000000a' },
        code: 'COL_MESSAGE_INVALID',
        details: { action: 'report.refused', count: 3, first_at: '2025-01-06T09:00:02.000Z', last_at: '2025-01-06T09:00:04.000Z' },
      },
    ]);
    expect(audit.pending).toBe(0);
    await audit.flush();
    expect(written).toHaveLength(4); // nothing counted: no empty summary
  });

  it('applies the overall budget across keys, and never writes count-only refusals one by one', async () => {
    const { written, audit, refusal } = setup({ perKeyPerMinute: 100, globalPerMinute: 2 });
    for (const h of ['h_0000000000000001', 'h_0000000000000002', 'h_0000000000000003']) await audit.refuse(refusal(h), h);
    audit.count(refusal('h_0000000000000001', 'COL_RATE_LIMITED'));
    audit.count(refusal('h_0000000000000001', 'COL_RATE_LIMITED'));
    expect(written.flat()).toHaveLength(2);
    await audit.flush();
    expect(written.at(-1)!.map((e) => [e.target?.id, e.code, (e.details as { count: number }).count])).toEqual([
      ['h_0000000000000003', 'COL_MESSAGE_INVALID', 1],
      ['h_0000000000000001', 'COL_RATE_LIMITED', 2],
    ]);
  });

  it('separates groups by source and code, and folds groups past the cap into one per action and code', async () => {
    const { written, audit, refusal } = setup({ maxGroups: 3 });
    for (let i = 0; i < 10; i++) audit.count(refusal('h_0000000000000001', 'COL_RATE_LIMITED', `10.0.0.${i}`));
    audit.count(refusal('h_0000000000000001', 'COL_MESSAGE_INVALID', '10.0.0.0'));
    expect(audit.pending).toBe(11);
    await audit.flush();
    const entries = written.at(-1)!;
    expect(entries.map((e) => [e.source ?? null, e.code, (e.details as { count: number }).count, (e.details as { folded?: boolean }).folded ?? false])).toEqual([
      ['10.0.0.0', 'COL_RATE_LIMITED', 1, false],
      ['10.0.0.1', 'COL_RATE_LIMITED', 1, false],
      ['10.0.0.2', 'COL_RATE_LIMITED', 1, false],
      [null, 'COL_RATE_LIMITED', 7, true],
      [null, 'COL_MESSAGE_INVALID', 1, true],
    ]);
    expect(entries.reduce((n, e) => n + (e.details as { count: number }).count, 0)).toBe(11);
    expect(entries.at(-1)!.actor).toEqual({ type: 'anonymous', id: 'anonymous' });
  });

  it('keeps the counts when writing the summary fails, and writes them with the next window', async () => {
    const { written, audit, refusal, setFail } = setup();
    audit.count(refusal('h_0000000000000001', 'COL_RATE_LIMITED'));
    setFail(true);
    await audit.flush();
    expect(audit.pending).toBe(1);
    audit.count(refusal('h_0000000000000001', 'COL_RATE_LIMITED'));
    setFail(false);
    await audit.stop();
    expect(written.at(-1)!.map((e) => (e.details as { count: number }).count)).toEqual([2]);
    expect(audit.pending).toBe(0);
  });
});
