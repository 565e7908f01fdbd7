import { describe, expect, it } from 'vitest';
import { buildAdvisoryIndex } from '../../compliance/osv-index.ts';
import { evaluateAffected } from '../../compliance/osv-range.ts';
import type { OsvEvent, OsvRecord } from '../../compliance/osv-types.ts';
import { parseVersion } from '../../compliance/version.ts';

function entryFor(ranges: OsvEvent[][], versions: string[] = [], ecosystem = 'Debian:12') {
  const record: OsvRecord = {
    id: 'DSA-0000-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem, name: 'pkg' }, ranges: ranges.map((events) => ({ type: 'ECOSYSTEM', events })), versions }],
  };
  const index = buildAdvisoryIndex([record]);
  expect(index.problems).toEqual([]);
  return index.byEcosystem.get(ecosystem)!.get('pkg')![0]!;
}

const at = (entry: ReturnType<typeof entryFor>, v: string) => evaluateAffected(entry, parseVersion(entry.order, v));

describe('OSV range evaluation', () => {
  it('introduced 0 + fixed: affected strictly below the fix', () => {
    const e = entryFor([[{ introduced: '0' }, { fixed: '1.2-3' }]]);
    expect(at(e, '1.2-2')).toEqual({ affected: true, fixed: '1.2-3', unfixed: false });
    expect(at(e, '1.2-3')).toEqual({ affected: false, fixed: null, unfixed: false });
    expect(at(e, '1:0.1-1')).toEqual({ affected: false, fixed: null, unfixed: false });
    expect(at(e, '1.2-3~deb12u1')).toMatchObject({ affected: true });
  });

  it('no fixed event: every version from introduced on, unfixed', () => {
    const e = entryFor([[{ introduced: '2.0' }]]);
    expect(at(e, '1.9')).toMatchObject({ affected: false });
    expect(at(e, '2.0')).toEqual({ affected: true, fixed: null, unfixed: true });
    expect(at(e, '99')).toEqual({ affected: true, fixed: null, unfixed: true });
  });

  it('last_affected bounds the range without naming a fix', () => {
    const e = entryFor([[{ introduced: '0' }, { last_affected: '1.5' }]]);
    expect(at(e, '1.5')).toEqual({ affected: true, fixed: null, unfixed: false });
    expect(at(e, '1.5.1')).toMatchObject({ affected: false });
  });

  it('events are sorted by version before evaluation; re-introduced ranges work', () => {
    const e = entryFor([[{ fixed: '4' }, { introduced: '3' }, { fixed: '2' }, { introduced: '1' }]]);
    expect(['0.5', '1', '1.5', '2', '2.5', '3', '3.5', '4'].map((v) => at(e, v).fixed)).toEqual([null, '2', '2', null, null, '4', '4', null]);
  });

  it('several ranges: the fix is the highest needed, an unfixed range wins', () => {
    expect(at(entryFor([[{ introduced: '0' }, { fixed: '2' }], [{ introduced: '1' }, { fixed: '3' }]]), '1.5')).toEqual({ affected: true, fixed: '3', unfixed: false });
    expect(at(entryFor([[{ introduced: '0' }, { fixed: '2' }], [{ introduced: '1' }]]), '1.5')).toEqual({ affected: true, fixed: null, unfixed: true });
  });

  it('enumerated versions match exactly (by version order, so 0:1.0 = 1.0)', () => {
    const e = entryFor([[{ introduced: '5' }, { fixed: '6' }]], ['1.0', '1.1']);
    expect(at(e, '0:1.0')).toEqual({ affected: true, fixed: '6', unfixed: false });
    expect(at(e, '1.05')).toMatchObject({ affected: false });
  });

  it('apk and rpm ecosystems use their own order', () => {
    const apk = entryFor([[{ introduced: '0' }, { fixed: '1.36.1-r29' }]], [], 'Alpine:v3.20');
    expect(at(apk, '1.36.1-r5')).toMatchObject({ affected: true });
    const rpm = entryFor([[{ introduced: '0' }, { fixed: '1:3.0.7-16.el9_2' }]], [], 'Rocky Linux:9');
    expect(at(rpm, '1:3.0.7-6.el9_2')).toMatchObject({ affected: true });
    expect(at(rpm, '3.5.5-6.el9_8')).toMatchObject({ affected: true }); // epoch 0 < 1
  });
});

describe('index building', () => {
  it('leaves out (and reports) affected entries whose versions do not parse, instead of guessing', () => {
    const record: OsvRecord = {
      id: 'ALPINE-CVE-2024-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        { package: { ecosystem: 'Alpine:v3.20', name: 'busybox' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r29' }] }] },
        { package: { ecosystem: 'Alpine:v3.20', name: 'musl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.5-rc1' }] }] },
        { package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
      ],
    };
    const index = buildAdvisoryIndex([record]);
    expect(index.entries).toBe(1);
    expect(index.problems).toEqual([{ advisory_id: 'ALPINE-CVE-2024-1', ecosystem: 'Alpine:v3.20', package: 'musl', reason: expect.stringMatching(/invalid apk version "1.2.5-rc1"/) }]);
  });

  it('skips withdrawn records and non-ECOSYSTEM ranges', () => {
    const index = buildAdvisoryIndex([
      { id: 'DSA-1-1', modified: '2024-01-01T00:00:00Z', withdrawn: '2024-02-01T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'a' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] },
      { id: 'DSA-2-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'b' }, ranges: [{ type: 'GIT', repo: 'https://x', events: [{ introduced: 'abc' }] }] }] },
    ]);
    expect(index.byEcosystem.get('Debian:12')?.has('a')).toBeFalsy();
    const b = index.byEcosystem.get('Debian:12')!.get('b')![0]!;
    expect(at(b, '1.0')).toMatchObject({ affected: false });
  });
});
