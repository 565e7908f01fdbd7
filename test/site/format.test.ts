// Formatting is locale-free and clock-free: the same model renders the same text anywhere.
import { describe, expect, it } from 'vitest';
import { fmtDate, fmtFingerprint, fmtHours, fmtInt, fmtPct, fmtTime, shortCommit } from '../../site/lib/format.ts';

describe('format', () => {
  it('formats times in UTC from the ISO strings, never through Date locale APIs', () => {
    expect(fmtTime('2025-03-04T17:05:09Z')).toBe('2025-03-04 17:05 UTC');
    expect(fmtTime('2025-03-04')).toBe('2025-03-04');
    expect(fmtTime(null)).toBe('—');
    expect(fmtDate('2025-03-04T17:05:09Z')).toBe('2025-03-04');
  });

  it('formats numbers, percentages, SLA hours, fingerprints and commits', () => {
    expect(fmtInt(1234567)).toBe('1,234,567');
    expect(fmtInt(-1200)).toBe('-1,200');
    expect(fmtPct(97.25)).toBe('97.3 %');
    expect(fmtPct(null)).toBe('—');
    expect(fmtHours(72)).toBe('72 h (3 days)');
    expect(fmtHours(24)).toBe('24 h (1 day)');
    expect(fmtHours(2160)).toBe('2,160 h (90 days)');
    expect(fmtHours(12)).toBe('12 h');
    expect(fmtFingerprint('ABCD1234ABCD1234')).toBe('ABCD 1234 ABCD 1234');
    expect(shortCommit('0123456789abcdef0123')).toBe('0123456789ab');
  });
});
