// Real data end to end: the captured Debian 12 host (its dpkg-query inventory, dpkg.log and apt
// history.log read by the agent's parsers, changes timed by the collector's attribution) written to a
// signed evidence repository, read back and judged, so the real openssl 3.0.16 → 3.0.19 upgrade of
// 2026-05-09 07:29 UTC shows up as an exact remediation, patch events and CSV rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCsvExports } from '../../compliance/export-csv.ts';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel } from '../../compliance/model-types.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { buildDebianHost, capturedInventory, DEBIAN_HOST_ID, inventoryAt, loggedEvents } from './debian-real-host.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { writeHostsRepo } from './scenario-repo.ts';

/**
 * MINIMAL TEST RECORD, not a real advisory: the fixtures hold no Debian OSV data. It names the real
 * source package and the fixed version the host's apt history installed; id, date and CVSS are made up.
 */
const MINIMAL_OPENSSL: OsvRecord = {
  id: 'MINIMAL-TEST-DEBIAN-OPENSSL-0001',
  modified: '2026-04-28T00:00:00Z',
  published: '2026-04-28T00:00:00Z',
  aliases: [],
  summary: 'MINIMAL TEST RECORD (not a real advisory): openssl fixed in 3.0.19-1~deb12u2',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.19-1~deb12u2' }] }] }],
};
const PERIOD = { start: '2026-05-01', end: '2026-05-31' };
/** The agent's first check-in after the apt run of 07:29:02–07:29:30 UTC. */
const AFTER_UPGRADE = '2026-05-09T08:00:00Z';

let root: string;
let model: ComplianceModel;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-debian-'));
  const { repo } = await writeHostsRepo(root, (fingerprint) => [buildDebianHost({ start: '2026-05-01', end: '2026-05-31', extra: [AFTER_UPGRADE], fingerprint })], [], { enrolOn: '2026-04-30' });
  const evidence = await loadEvidence(repo);
  model = evaluate({ evidence, policies: singlePolicy(), advisories: { snapshot_hash: 'd'.repeat(64), records: [MINIMAL_OPENSSL] }, period: PERIOD, organisation: 'Example Ltd' });
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the real Debian 12 host, judged from a signed repository', () => {
  it('rebuilds the inventory before the upgrade from the real logs', () => {
    const before = inventoryAt(capturedInventory(), loggedEvents(), Date.parse('2026-05-09T00:00:00Z'));
    expect(before.filter((p) => p.source === 'openssl').map((p) => [p.name, p.version, p.source_version])).toEqual([
      ['libssl3', '3.0.16-1~deb12u1', '3.0.16-1~deb12u1'],
      ['openssl', '3.0.16-1~deb12u1', '3.0.16-1~deb12u1'],
    ]);
    expect(capturedInventory()).toHaveLength(710);
  });

  it('judges the openssl exposure with its exact times and a fix within SLA', () => {
    const host = model.hosts.find((h) => h.host_id === DEBIAN_HOST_ID)!;
    expect(host).toMatchObject({ ecosystem: 'Debian:12', hostname: 'debian-12-local-host', report_count: 32, coverage_pct: 100, status: 'ok', open_findings: 0 });
    expect(model.findings).toHaveLength(1);
    const f = model.findings[0]!;
    expect(f).toMatchObject({
      advisory_id: 'MINIMAL-TEST-DEBIAN-OPENSSL-0001', source: 'openssl', packages: ['libssl3', 'openssl'],
      installed_version: '3.0.16-1~deb12u1', fixed_version: '3.0.19-1~deb12u2',
      severity: { class: 'high', source: 'cvss', score: 7.5 },
      exposed_since: '2026-05-01T06:00:00Z', fix_published_at: '2026-04-28T00:00:00Z', detected_at: '2026-05-01T06:00:00Z',
      clock_started_at: '2026-04-28T00:00:00Z', due_at: '2026-05-12T00:00:00Z', remediated_at: AFTER_UPGRADE,
      status: 'fixed-in-sla', policy_version: '1.0', age_days: 11.3,
    });
    expect(f.evidence.map((e) => [e.role, e.path])).toEqual([
      ['first-seen', `hosts/${DEBIAN_HOST_ID}/reports/2026/05/01/060000Z-000001.json`],
      ['last-affected', `hosts/${DEBIAN_HOST_ID}/reports/2026/05/09/060000Z-000009.json`],
      ['remediated', `hosts/${DEBIAN_HOST_ID}/reports/2026/05/09/080000Z-000010.json`],
    ]);
    expect(f.evidence.every((e) => /^[0-9a-f]{40}$/.test(e.commit ?? ''))).toBe(true);
  });

  it('records the upgrade as patch events timed by dpkg.log and attributed to the apt command', () => {
    const ssl = model.patch_events.filter((e) => e.name === 'openssl' || e.name === 'libssl3');
    const command = loggedEvents().find((e) => e.name === 'openssl' && e.action === 'upgrade')!.command!;
    expect(command.startsWith('apt-get install -y build-essential ca-certificates curl gcc git')).toBe(true);
    expect(ssl).toEqual([
      { host_id: DEBIAN_HOST_ID, name: 'libssl3', arch: 'amd64', action: 'upgrade', from: '3.0.16-1~deb12u1', to: '3.0.19-1~deb12u2', when: '2026-05-09T07:29:04Z', when_source: 'log', by: null, command, report_path: `hosts/${DEBIAN_HOST_ID}/reports/2026/05/09/080000Z-000010.json`, commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      { host_id: DEBIAN_HOST_ID, name: 'openssl', arch: 'amd64', action: 'upgrade', from: '3.0.16-1~deb12u1', to: '3.0.19-1~deb12u2', when: '2026-05-09T07:29:19Z', when_source: 'log', by: null, command, report_path: `hosts/${DEBIAN_HOST_ID}/reports/2026/05/09/080000Z-000010.json`, commit: expect.stringMatching(/^[0-9a-f]{40}$/) },
    ]);
    // Every change of May 9 and May 20 (postgresql, nodejs…) is timed by the log, none by the report interval.
    const byDay = new Map<string, number>();
    for (const e of model.patch_events) byDay.set(e.when.slice(0, 10), (byDay.get(e.when.slice(0, 10)) ?? 0) + 1);
    const logged = loggedEvents().filter((e) => e.time >= '2026-05-01' && e.time < '2026-06-01' && e.action !== 'reinstall');
    expect(model.patch_events.every((e) => e.when_source === 'log')).toBe(true);
    expect(model.patch_events).toHaveLength(logged.length);
    expect([...byDay.keys()].sort()).toEqual(['2026-05-09', '2026-05-20']);
  });

  it('carries the remediation and the patch events into the CSV exports', () => {
    const csv = renderCsvExports(model);
    const findings = parse(csv['findings.csv']!, { columns: true }) as Record<string, string>[];
    expect(findings).toEqual([expect.objectContaining({ host_id: DEBIAN_HOST_ID, packages: 'libssl3; openssl', remediated_at: AFTER_UPGRADE, due_at: '2026-05-12T00:00:00Z', status: 'fixed-in-sla', age_days: '11.3' })]);
    const events = parse(csv['patch-events.csv']!, { columns: true }) as Record<string, string>[];
    expect(events.find((e) => e.name === 'openssl')).toMatchObject({ when: '2026-05-09T07:29:19Z', when_source: 'log', from: '3.0.16-1~deb12u1', to: '3.0.19-1~deb12u2', by: '' });
  });
});
