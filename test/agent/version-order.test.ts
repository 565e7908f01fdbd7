import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../agent/version-order.ts';
import { shared } from './helpers/source-fixtures.ts';

describe('compareVersions (dpkg order)', () => {
  const rows = shared('vercmp/dpkg/dpkg-vercmp.tsv').split('\n').slice(1).filter((l) => l !== '').map((l) => l.split('\t'));

  it.each(rows)('%s vs %s → %s', (a, b, cmp) => {
    expect(compareVersions(a!, b!)).toBe(Number(cmp));
  });

  it('orders kernel releases', () => {
    expect(compareVersions('6.1.0-21-amd64', '6.1.0-18-amd64')).toBe(1);
    expect(compareVersions('5.14.0-427.13.1.el9_4.x86_64', '5.14.0-503.11.1.el9_5.x86_64')).toBe(-1);
    expect(compareVersions('6.6.31-0-lts', '6.6.31-0-lts')).toBe(0);
  });
});
