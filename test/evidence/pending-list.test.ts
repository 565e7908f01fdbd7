import { describe, expect, it } from 'vitest';
import { pendingSha256, sortPendingCanonical } from '../../evidence/pending-list.ts';
import type { PendingUpdate } from '../../evidence/types.gen.ts';

const a: PendingUpdate = { name: 'openssl', arch: 'amd64', installed: '3.0.13-1', candidate: '3.0.15-1', security: true, advisories: ['DSA-1-1'] };
const b: PendingUpdate = { name: 'openssl', arch: 'amd64', installed: '3.0.13-1', candidate: '3.0.15-1', security: false };
const c: PendingUpdate = { name: 'bash', arch: 'amd64', installed: null, candidate: '5.2-1', security: false };

describe('pending list hash', () => {
  it('is the same for any order of the same items, and differs for any changed field', () => {
    expect(pendingSha256([a, b, c])).toBe(pendingSha256([c, b, a]));
    expect(pendingSha256([a, c])).not.toBe(pendingSha256([b, c]));
    expect(pendingSha256([])).toMatch(/^[0-9a-f]{64}$/);
    expect(sortPendingCanonical([a, b, c])).toEqual(sortPendingCanonical([b, c, a]));
  });
});
