import { describe, expect, it } from 'vitest';
import { parseExpiry, parseTokenSpec, enrolmentRefusal } from '../../collector/token-spec.ts';

const now = new Date('2025-01-01T00:00:00Z');

describe('token scope', () => {
  it.each([
    ['7d', '2025-01-08T00:00:00.000Z'],
    ['12h', '2025-01-01T12:00:00.000Z'],
    ['30m', '2025-01-01T00:30:00.000Z'],
    ['2w', '2025-01-15T00:00:00.000Z'],
    ['2025-02-01T00:00:00Z', '2025-02-01T00:00:00.000Z'],
    ['2025-02-01', '2025-02-01T00:00:00.000Z'],
  ])('expiry %s', (text, want) => expect(parseExpiry(text, now)).toBe(want));

  it.each(['yesterday', '7x', '2024-12-01', '-1d', '2025-13-40'])('refuses expiry %s', (text) => {
    expect(() => parseExpiry(text, now)).toThrow(expect.objectContaining({ code: 'COL_SCOPE_INVALID' }));
  });

  it('normalises and de-duplicates CIDRs; checks group and cap', () => {
    expect(parseTokenSpec({ cidrs: ['10.0.0.0/8', '::ffff:10.0.0.0/104'], group: 'web' }, now, 'me')).toEqual({
      cidrs: ['10.0.0.0/8'],
      max_per_day: null,
      expires_at: null,
      group: 'web',
      created_by: 'me',
    });
    expect(() => parseTokenSpec({ group: '../x' }, now, 'me')).toThrow(expect.objectContaining({ code: 'COL_SCOPE_INVALID' }));
    expect(() => parseTokenSpec({ max_per_day: 0 }, now, 'me')).toThrow(expect.objectContaining({ code: 'COL_SCOPE_INVALID' }));
    expect(() => parseTokenSpec({ cidrs: Array(33).fill('10.0.0.0/8') }, now, 'me')).toThrow(expect.objectContaining({ code: 'COL_SCOPE_INVALID' }));
  });

  it('decides refusals in order: revoked, expired, source', () => {
    const t = { id: 'tok_000000000000', cidrs: ['10.0.0.0/8'], max_per_day: null, expires_at: '2025-01-02T00:00:00.000Z', group: 'g', created_at: '', created_by: '', revoked_at: null, uses: 0 };
    expect(enrolmentRefusal(t, '10.0.0.1', now)).toBeNull();
    expect(enrolmentRefusal(t, '11.0.0.1', now)).toBe('COL_SOURCE_NOT_ALLOWED');
    expect(enrolmentRefusal(t, '10.0.0.1', new Date('2025-01-02T00:00:00Z'))).toBe('COL_TOKEN_EXPIRED');
    expect(enrolmentRefusal({ ...t, revoked_at: 'x' }, '10.0.0.1', now)).toBe('COL_TOKEN_REVOKED');
  });
});
