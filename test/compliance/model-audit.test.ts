// The model's audit section: actors rendered `type:id` once, whether the entry was written with
// a bare id or (before the collector's fix) with the type repeated in the id; period bounds hold.
import { describe, expect, it } from 'vitest';
import { actorLabel } from '../../compliance/model-sections.ts';
import { evaluate } from '../../compliance/model.ts';
import type { AuditEntry } from '../../evidence/types.gen.ts';
import { ADVISORIES, fleetSnapshot, PERIOD } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

function entry(seq: number, time: string, actor: AuditEntry['actor']): AuditEntry {
  return { schema: 'patchproof.audit/v1', seq, time, actor, action: 'exception.committed', outcome: 'success', target: { type: 'exception', id: 'EXC-0001' }, prev: seq === 1 ? null : 'a'.repeat(64) };
}

describe('audit rows', () => {
  it('render a CLI actor as cli:<user> for new entries and for entries written with the doubled id', () => {
    const evidence = {
      ...fleetSnapshot(),
      audit: [
        entry(1, '2024-12-31T23:59:59Z', { type: 'cli', id: 'before.period' }),
        entry(2, '2025-01-10T10:00:00Z', { type: 'cli', id: 'cli:priya.nair' }),
        entry(3, '2025-01-20T15:00:00Z', { type: 'cli', id: 'dana.kim' }),
        entry(4, '2025-01-21T08:00:00Z', { type: 'api-key', id: 'key_0123456789ab', role: 'owner' }),
      ],
    };
    const model = evaluate({ evidence, policies: twoVersionPolicies(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
    expect(model.audit.map((a) => [a.seq, a.actor])).toEqual([
      [2, 'cli:priya.nair'],
      [3, 'cli:dana.kim'],
      [4, 'api-key:key_0123456789ab'],
    ]);
  });

  it('strips only a leading copy of the type, and never leaves an empty id', () => {
    expect(actorLabel({ type: 'cli', id: 'cli:cli:x' })).toBe('cli:cli:x');
    expect(actorLabel({ type: 'cli', id: 'alice:cli' })).toBe('cli:alice:cli');
    expect(actorLabel({ type: 'cli', id: 'cli:' })).toBe('cli:cli:');
    expect(actorLabel({ type: 'device', id: 'cli:h_000000000000000a' })).toBe('device:cli:h_000000000000000a');
    expect(actorLabel({ type: 'system', id: 'collector' })).toBe('system:collector');
  });
});
