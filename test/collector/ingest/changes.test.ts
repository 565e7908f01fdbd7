import { describe, expect, it } from 'vitest';
import { attributeTimes, diffInventories } from '../../../collector/ingest/changes.ts';
import { compareVersions } from '../../../collector/ingest/version-order.ts';

const p = (name: string, version: string, arch = 'amd64') => ({ name, arch, version });

describe('diffInventories', () => {
  it('finds installs, removals, upgrades and downgrades, sorted', () => {
    const before = [p('a', '1.0'), p('b', '2.0'), p('c', '1:1.0'), p('gone', '1')];
    const after = [p('a', '1.1'), p('b', '2.0~rc1'), p('c', '1:1.0'), p('new', '3')];
    expect(diffInventories(before, after)).toEqual([
      { name: 'a', arch: 'amd64', action: 'upgrade', from: '1.0', to: '1.1' },
      { name: 'b', arch: 'amd64', action: 'downgrade', from: '2.0', to: '2.0~rc1' },
      { name: 'gone', arch: 'amd64', action: 'remove', from: '1', to: null },
      { name: 'new', arch: 'amd64', action: 'install', from: null, to: '3' },
    ]);
  });

  it('treats parallel versions (kernels) as installs and removals', () => {
    const before = [p('kernel', '5.14.0-1'), p('kernel', '5.14.0-2')];
    const after = [p('kernel', '5.14.0-2'), p('kernel', '5.14.0-3'), p('kernel', '5.14.0-4')];
    expect(diffInventories(before, after).map((c) => `${c.action} ${c.from ?? ''}>${c.to ?? ''}`)).toEqual([
      'install >5.14.0-3',
      'install >5.14.0-4',
      'remove 5.14.0-1>',
    ]);
  });

  it('keeps architectures apart', () => {
    expect(diffInventories([p('libc', '1', 'amd64')], [p('libc', '1', 'amd64'), p('libc', '1', 'i386')])).toEqual([
      { name: 'libc', arch: 'i386', action: 'install', from: null, to: '1' },
    ]);
  });
});

describe('attributeTimes', () => {
  const change = { name: 'openssl', arch: 'amd64', action: 'upgrade' as const, from: '3.0.1', to: '3.0.2' };
  it('takes the latest matching log event (name + resulting version)', () => {
    const out = attributeTimes(
      [change],
      [
        { time: '2025-01-01T10:00:00Z', action: 'upgrade', name: 'openssl', to: '3.0.2' },
        { time: '2025-01-01T11:30:00+01:00', action: 'upgrade', name: 'openssl', to: '3.0.2', command: 'apt-get upgrade' },
        { time: '2025-01-01T12:00:00Z', action: 'upgrade', name: 'openssl', to: '3.0.9' },
      ],
      '2025-01-02T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    );
    expect(out).toEqual([{ ...change, when: '2025-01-01T10:30:00.000Z', when_source: 'log', command: 'apt-get upgrade' }]);
  });
  it('falls back to the interval between reports', () => {
    expect(attributeTimes([change], [{ time: '2025-01-01T10:00:00Z', action: 'remove', name: 'openssl' }], 'R', 'P')).toEqual([
      { ...change, when: 'R', when_source: 'interval', not_before: 'P' },
    ]);
  });
  it('matches removals by name and remove/purge', () => {
    const rm = { name: 'telnet', arch: 'amd64', action: 'remove' as const, from: '0.17', to: null };
    expect(attributeTimes([rm], [{ time: '2025-01-01T10:00:00Z', action: 'purge', name: 'telnet' }], 'R', null)[0]).toMatchObject({ when_source: 'log' });
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.0', '1.0', 0],
    ['1.0', '1.1', -1],
    ['1.10', '1.9', 1],
    ['1.0~rc1', '1.0', -1],
    ['1:0.9', '2.0', 1],
    ['2.0-1', '2.0-1ubuntu1', -1],
    ['1.2.3a', '1.2.3', 1],
    ['99999999999999999999', '99999999999999999998', 1],
  ] as const)('%s vs %s', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(-want || 0);
  });
});
