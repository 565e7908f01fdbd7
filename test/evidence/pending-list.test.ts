import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAptSimulate } from '../../agent/sources/apt-simulate.ts';
import { canonicalJson } from '../../evidence/canonical-json.ts';
import { sha256Hex } from '../../evidence/hash.ts';
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

  it('is the sha256 of the canonical JSON of the canonically sorted list, byte for byte (real apt simulation)', () => {
    const real = parseAptSimulate(readFileSync(new URL('../../../shared/fixtures/inventories/debian-12-local-host/apt-get-s-upgrade.txt', import.meta.url), 'utf8')).items;
    expect(real.length).toBeGreaterThan(100);
    const odd: PendingUpdate = { name: 'lib\u00e9', arch: 'all', installed: null, candidate: '1:2.0~rc1-1', security: true, origin: 'Debian-Security:12/oldstable-security, "quoted" \u20ac', advisories: ['DSA-5000-1', 'CVE-2024-0001'], severity: 'high', issued: '2024-01-01T00:00:00Z' };
    for (const list of [real, [...real].reverse(), [a, b, c, odd], [odd], []]) {
      expect(pendingSha256(list)).toBe(sha256Hex(canonicalJson(sortPendingCanonical(list))));
    }
    expect(pendingSha256([])).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'); // printf '[]' | sha256sum
  });
});
