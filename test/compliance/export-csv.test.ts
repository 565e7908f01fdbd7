// CSV exports: fixed columns, the model's order, null as empty, lists joined, formula cells defused,
// and byte-identical output for the same model.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, renderCsvExports, writeCsvExports } from '../../compliance/export-csv.ts';
import { evaluate } from '../../compliance/model.ts';
import { ADVISORIES, fleetSnapshot, H, PERIOD } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

const model = evaluate({ evidence: fleetSnapshot(), policies: twoVersionPolicies(), advisories: { snapshot_hash: 'f'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
const rows = (name: string): Record<string, string>[] => parse(renderCsvExports(model)[name]!, { columns: true }) as Record<string, string>[];

describe('CSV exports', () => {
  it('writes the six files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-csv-'));
    try {
      expect(writeCsvExports(model, dir).map((f) => f.slice(dir.length + 1))).toEqual(['coverage.csv', 'exceptions.csv', 'findings.csv', 'hosts.csv', 'patch-events.csv', 'unjudged.csv']);
      expect(readFileSync(join(dir, 'coverage.csv'), 'utf8')).toBe(renderCsvExports(model)['coverage.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('findings.csv has one row per finding with exact values', () => {
    const f = rows('findings.csv');
    expect(f).toHaveLength(model.findings.length);
    const late = f.find((r) => r.host_id === H.late)!;
    expect(late).toMatchObject({
      advisory_id: 'DSA-1001-1', aliases: 'CVE-2025-1001', packages: 'libssl3; openssl', severity_class: 'high', cvss_score: '', fix_published_source: 'DSA-1001-1',
      due_at: '2025-01-24T12:00:00Z', remediated_at: '2025-02-01T06:00:00Z', status: 'fixed-late', exception_id: '', age_days: '21.8', policy_version: '1.0',
    });
    expect(late.evidence).toContain(`remediated=hosts/${H.late}/reports/2025/02/01/060000Z-000063.json`);
  });

  it('hosts.csv, coverage.csv, exceptions.csv and patch-events.csv carry the model rows in order', () => {
    expect(rows('hosts.csv').map((r) => r.hostname)).toEqual(model.hosts.map((h) => h.hostname));
    expect(rows('hosts.csv').find((r) => r.host_id === H.stale)).toMatchObject({ status: 'stale', in_scope: 'true', coverage_pct: '76.7' });
    expect(rows('coverage.csv').map((r) => [r.month, r.coverage_pct])).toEqual(model.coverage.map((c) => [c.month, String(c.coverage_pct)]));
    expect(rows('exceptions.csv').map((r) => [r.exception_id, r.status, r.findings_excused])).toEqual([['EXC-0001', 'expired', '0'], ['EXC-0002', 'self-approved', '0'], ['EXC-0003', 'active', '1']]);
    expect(rows('patch-events.csv')).toHaveLength(model.patch_events.length);
    expect(renderCsvExports(model)['coverage.csv']!.split('\n')[0]).toBe('month,hosts_in_scope,hosts_reporting,hosts_fully_covered,host_days_expected,host_days_reported,coverage_pct');
  });

  it('defuses spreadsheet formulas and renders nulls as empty', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(csvCell('@sum')).toBe(`'@sum`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(['a', 'b'])).toBe('a; b');
  });
});
