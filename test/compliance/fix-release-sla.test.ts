// The fix-published SLA clock on a real evidence repository: a host exposed before the USN that
// shipped the fix is due an SLA after the USN's date (per Ubuntu release), not after the CVE's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceSnapshot } from '../../compliance/evidence-snapshot.ts';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { pkg, type HostSpec } from './scenario.ts';
import { writeScenarioRepo } from './scenario-repo.ts';

const HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
const affected = (release: string, fixed: string) => ({ package: { ecosystem: `Ubuntu:${release}:LTS`, name: 'foo' }, ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] }] });

// Shaped like the real records: the CVE record lists its USNs in `related`, each USN names the
// CVE record in `upstream` and covers the releases it shipped a fix for.
const CVE: OsvRecord = {
  id: 'UBUNTU-CVE-2025-2001', modified: '2025-01-10T00:00:00Z', published: '2025-01-10T00:00:00Z', related: ['CVE-2025-2001', 'USN-9001-1', 'USN-9002-1'],
  summary: 'foo: remote crash', severity: [{ type: 'CVSS_V3', score: HIGH }], affected: [affected('22.04', '1.0-1ubuntu0.1'), affected('24.04', '1.2-1ubuntu0.1')],
};
const USN_JAMMY: OsvRecord = {
  id: 'USN-9001-1', modified: '2025-01-20T12:00:00Z', published: '2025-01-20T12:00:00Z', upstream: ['UBUNTU-CVE-2025-2001'],
  summary: 'foo vulnerability', severity: [{ type: 'CVSS_V3', score: HIGH }], affected: [affected('22.04', '1.0-1ubuntu0.1')],
};
const USN_NOBLE: OsvRecord = {
  id: 'USN-9002-1', modified: '2025-01-27T00:00:00Z', published: '2025-01-27T00:00:00Z', upstream: ['UBUNTU-CVE-2025-2001'],
  summary: 'foo vulnerability', severity: [{ type: 'CVSS_V3', score: HIGH }], affected: [affected('24.04', '1.2-1ubuntu0.1')],
};

const H = { jammy: 'h_00000000000000a1', noble: 'h_00000000000000a2' } as const;
const SPECS: HostSpec[] = [
  // Exposed from 2024-12-01, long before either date; patched on 2025-02-01.
  {
    id: H.jammy, hostname: 'jammy', os: { id: 'ubuntu', version_id: '22.04', pretty_name: 'Ubuntu 22.04.5 LTS' }, start: '2024-12-01', end: '2025-03-31',
    packages: [pkg('libfoo1', '1.0-1', 'foo')], events: [{ date: '2025-02-01', set: [pkg('libfoo1', '1.0-1ubuntu0.1', 'foo')] }],
  },
  // Exposed from 2024-12-01; patched on 2025-02-08.
  {
    id: H.noble, hostname: 'noble', os: { id: 'ubuntu', version_id: '24.04', pretty_name: 'Ubuntu 24.04.1 LTS' }, start: '2024-12-01', end: '2025-03-31',
    packages: [pkg('libfoo1', '1.2-1', 'foo')], events: [{ date: '2025-02-08', set: [pkg('libfoo1', '1.2-1ubuntu0.1', 'foo')] }],
  },
];

let root: string;
let evidence: EvidenceSnapshot;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-fixrel-'));
  const { repo } = await writeScenarioRepo(root, SPECS, []);
  evidence = await loadEvidence(repo);
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function judged(records: readonly OsvRecord[]) {
  const m = evaluate({
    evidence, policies: singlePolicy({ clockStart: 'fix-published' }), advisories: { snapshot_hash: 'f'.repeat(64), records },
    period: { start: '2025-01-01', end: '2025-03-31' }, organisation: 'Example Ltd',
  });
  return Object.fromEntries(m.findings.filter((f) => f.advisory_id === CVE.id).map((f) => [f.host_id, {
    exposed_since: f.exposed_since, fix_published_at: f.fix_published_at, fix_published_source: f.fix_published_source,
    clock_started_at: f.clock_started_at, due_at: f.due_at, remediated_at: f.remediated_at, status: f.status, age_days: f.age_days,
  }]));
}

describe('clock_start: fix-published with the USNs in the snapshot', () => {
  it('starts each clock at the USN of the host\'s release, so fixes after the CVE date + SLA are in SLA', () => {
    expect(judged([CVE, USN_JAMMY, USN_NOBLE])).toEqual({
      [H.jammy]: {
        exposed_since: '2024-12-01T06:00:00Z', fix_published_at: '2025-01-20T12:00:00Z', fix_published_source: 'USN-9001-1',
        clock_started_at: '2025-01-20T12:00:00Z', due_at: '2025-02-03T12:00:00Z', remediated_at: '2025-02-01T06:00:00Z', status: 'fixed-in-sla', age_days: 11.8,
      },
      [H.noble]: {
        exposed_since: '2024-12-01T06:00:00Z', fix_published_at: '2025-01-27T00:00:00Z', fix_published_source: 'USN-9002-1',
        clock_started_at: '2025-01-27T00:00:00Z', due_at: '2025-02-10T00:00:00Z', remediated_at: '2025-02-08T06:00:00Z', status: 'fixed-in-sla', age_days: 12.3,
      },
    });
  });
});

describe('clock_start: fix-published without a USN in the snapshot', () => {
  it("falls back to the CVE record's own published: the same patches are late", () => {
    const own = { fix_published_at: '2025-01-10T00:00:00Z', fix_published_source: CVE.id, clock_started_at: '2025-01-10T00:00:00Z', due_at: '2025-01-24T00:00:00Z', status: 'fixed-late' };
    expect(judged([CVE])).toEqual({
      [H.jammy]: { ...own, exposed_since: '2024-12-01T06:00:00Z', remediated_at: '2025-02-01T06:00:00Z', age_days: 22.3 },
      [H.noble]: { ...own, exposed_since: '2024-12-01T06:00:00Z', remediated_at: '2025-02-08T06:00:00Z', age_days: 29.3 },
    });
  });

  it('only the release whose USN is missing falls back', () => {
    const rows = judged([CVE, USN_JAMMY]);
    expect(rows[H.jammy]).toMatchObject({ fix_published_source: 'USN-9001-1', status: 'fixed-in-sla' });
    expect(rows[H.noble]).toMatchObject({ fix_published_source: CVE.id, due_at: '2025-01-24T00:00:00Z', status: 'fixed-late' });
  });
});
