import { describe, expect, it } from 'vitest';
import { attributeEvents, parseAptHistory } from '../../../agent/sources/apt-history.ts';
import { parseDpkgLog } from '../../../agent/sources/dpkg-log.ts';
import { fixedOffset } from '../../../agent/sources/local-time.ts';
import { shared } from '../helpers/source-fixtures.ts';

const dpkgLog = shared('logs/debian-12-local-host/dpkg.log');
const aptLog = shared('logs/debian-12-local-host/apt-history.log');
const utc = fixedOffset(0);

describe('parseDpkgLog', () => {
  it('reads every action line of the real log and nothing else', () => {
    const { items, invalid } = parseDpkgLog(dpkgLog, utc);
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(622 + 41);
    expect(items.filter((e) => e.action === 'upgrade')).toHaveLength(41);
  });

  it('gives the openssl 3.0.16 → 3.0.19 upgrade of 2026-05-09 with its exact time', () => {
    const { items } = parseDpkgLog(dpkgLog, utc);
    expect(items.filter((e) => e.name === 'openssl')).toEqual([
      { time: '2025-06-24T14:36:35Z', action: 'install', name: 'openssl', arch: 'amd64', from: null, to: '3.0.16-1~deb12u1' },
      { time: '2026-05-09T07:29:19Z', action: 'upgrade', name: 'openssl', arch: 'amd64', from: '3.0.16-1~deb12u1', to: '3.0.19-1~deb12u2' },
    ]);
  });

  it('converts the zone-less log times with the host offset', () => {
    const { items } = parseDpkgLog(dpkgLog, fixedOffset(120));
    expect(items.find((e) => e.name === 'openssl' && e.action === 'upgrade')!.time).toBe('2026-05-09T05:29:19Z');
  });

  it('keeps only events after `since`', () => {
    const { items } = parseDpkgLog(dpkgLog, utc, new Date('2026-05-20T16:27:19Z'));
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => e.time > '2026-05-20T16:27:19Z')).toBe(true);
    expect(items.find((e) => e.name === 'openssl')).toBeUndefined();
  });

  it('tells downgrade, reinstall, remove and purge apart and reports garbage', () => {
    const text = [
      '2026-01-01 10:00:00 upgrade foo:amd64 2.0-1 1.0-1',
      '2026-01-01 10:00:01 upgrade bar:all 1.0 1.0',
      '2026-01-01 10:00:02 remove baz:amd64 3.1-2 <none>',
      '2026-01-01 10:00:03 purge baz:amd64 3.1-2 <none>',
      '2026-01-01 10:00:04 status installed foo:amd64 1.0-1',
      '2026-01-01 10:00:05 install qux <none> 0.9',
      'garbage line',
      '2026-01-01 10:00:06 install only-two-fields:amd64 <none>',
    ].join('\n');
    const { items, invalid } = parseDpkgLog(text, utc);
    expect(items.map((e) => [e.action, e.name, e.from, e.to])).toEqual([
      ['downgrade', 'foo', '2.0-1', '1.0-1'],
      ['reinstall', 'bar', '1.0', '1.0'],
      ['remove', 'baz', '3.1-2', null],
      ['purge', 'baz', '3.1-2', null],
      ['install', 'qux', null, '0.9'],
    ]);
    expect(items[4]!.arch).toBeUndefined();
    expect(invalid).toEqual(['garbage line', '2026-01-01 10:00:06 install only-two-fields:amd64 <none>']);
  });
});

describe('apt history', () => {
  it('reads the 11 real transactions', () => {
    const { items, invalid } = parseAptHistory(aptLog, utc);
    expect(invalid).toEqual([]);
    expect(items).toHaveLength(11);
    expect(items[0]).toEqual({ start: new Date('2025-06-24T14:36:25Z'), end: new Date('2025-06-24T14:36:25Z'), commandline: 'apt-get -qqy upgrade' });
  });

  it('attributes the openssl upgrade to the apt-get install of 2026-05-09 07:29:02..07:29:30', () => {
    const events = attributeEvents(parseDpkgLog(dpkgLog, utc).items, parseAptHistory(aptLog, utc).items);
    const upgrade = events.find((e) => e.name === 'openssl' && e.action === 'upgrade')!;
    expect(upgrade.time).toBe('2026-05-09T07:29:19Z');
    expect(upgrade.command).toMatch(/^apt-get install -y build-essential ca-certificates curl .* python3-openssl .* tmux$/);
    expect(upgrade.by).toBeUndefined(); // this host's apt ran as root without sudo: no Requested-By
    const first = events.find((e) => e.name === 'libsystemd0' && e.action === 'upgrade')!;
    expect(first.command).toBe('apt-get -qqy upgrade');
    // two packages were installed with plain `dpkg -i` after an apt run: no apt transaction covers them
    expect(events.filter((e) => e.command === undefined).map((e) => e.name)).toEqual(['nodejs', 'osslsigncode']);
  });

  it('takes Requested-By as `by`, and leaves events outside any window alone', () => {
    const history = [
      '',
      'Start-Date: 2026-05-09  07:29:02',
      'Commandline: apt-get upgrade openssl',
      'Requested-By: alice (1000)',
      'Upgrade: openssl:amd64 (3.0.16-1~deb12u1, 3.0.19-1~deb12u2)',
      'End-Date: 2026-05-09  07:29:30',
      '',
      'Start-Date: 2026-06-01  00:00:00',
      'Commandline: apt-get install broken',
      '',
    ].join('\n');
    const txs = parseAptHistory(history, utc).items;
    expect(txs[1]!.end).toBeNull();
    const events = attributeEvents(
      [
        { time: '2026-05-09T07:29:19Z', action: 'upgrade', name: 'openssl', from: '3.0.16-1~deb12u1', to: '3.0.19-1~deb12u2' },
        { time: '2026-05-10T00:00:00Z', action: 'install', name: 'manual', from: null, to: '1' },
        { time: '2026-06-01T00:00:05Z', action: 'install', name: 'broken', from: null, to: '1' },
      ],
      txs,
    );
    expect(events[0]).toMatchObject({ by: 'alice (1000)', command: 'apt-get upgrade openssl' });
    expect(events[1]!.by).toBeUndefined();
    expect(events[1]!.command).toBeUndefined();
    expect(events[2]!.command).toBe('apt-get install broken');
  });
});
