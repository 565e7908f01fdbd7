import { describe, expect, it } from 'vitest';
import { compareAckedSeq, seqRegression } from '../../../collector/ingest/acked-seq.ts';

describe('hello.last_acked_seq', () => {
  it('is in step, behind (lost acks or a rolled-back agent) or ahead (collector lost state)', () => {
    expect(compareAckedSeq(5, 5)).toEqual({ kind: 'in-step' });
    expect(compareAckedSeq(5, 3)).toEqual({ kind: 'behind', acked: 3 });
    expect(compareAckedSeq(5, 9)).toMatchObject({ kind: 'ahead', anomaly: { code: 'COL_ACKS_LOST' } });
  });
  it('calls a new report at or below the highest seq, above the hello, a regression', () => {
    expect(seqRegression(5, 1, 2)).toMatchObject({ code: 'COL_AGENT_SEQ_REGRESSED' });
    expect(seqRegression(5, 1, 5)).toMatchObject({ code: 'COL_AGENT_SEQ_REGRESSED' });
    expect(seqRegression(5, 1, 6)).toBeNull(); // in order
    expect(seqRegression(5, 3, 3)).toBeNull(); // at or below what the hello acknowledged: out of order
    expect(seqRegression(5, undefined, 2)).toBeNull(); // no hello saying so
  });
});
