import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cvssBaseScore } from '../../compliance/osv-cvss.ts';
import { advisorySeverity, classify, cvssRating, type SeverityClass } from '../../compliance/osv-severity.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { fixturePath } from './fixtures.ts';

const ubuntu = (id: string): OsvRecord => JSON.parse(readFileSync(fixturePath(`osv/ubuntu/records/${id}.json`), 'utf8')) as OsvRecord;
const alma = (id: string): OsvRecord => JSON.parse(readFileSync(fixturePath(`osv/almalinux9/advisories/${id}.json`), 'utf8')) as OsvRecord;

export const CLASSES: SeverityClass[] = [
  { id: 'critical', vendor_labels: ['critical'], cvss: { min: 9.0, max: 10 } },
  { id: 'high', vendor_labels: ['important', 'high'], cvss: { min: 7.0, max: 8.9 } },
  { id: 'medium', vendor_labels: ['moderate', 'medium'], cvss: { min: 4.0, max: 6.9 } },
  { id: 'low', vendor_labels: ['low', 'negligible'], cvss: { min: 0.1, max: 3.9 } },
];

describe('advisory severity from real records', () => {
  it('Ubuntu schema 1.6.3: priority in affected[].ecosystem_specific.ubuntu_priority, CVSS alongside', () => {
    const r = ubuntu('UBUNTU-CVE-2023-4911');
    expect(advisorySeverity({ record: r, affected: r.affected![0]! })).toEqual({
      source: 'vendor', label: 'high', score: 7.8, from: 'ecosystem_specific.ubuntu_priority',
    });
    const systemd = ubuntu('UBUNTU-CVE-2023-7008');
    expect(advisorySeverity({ record: systemd, affected: systemd.affected![0]! })).toMatchObject({ source: 'vendor', label: 'low', score: 5.9 });
  });

  it('Ubuntu schema 1.7.x: {"type":"Ubuntu"} in severity[], highest of several CVSS vectors kept as score', () => {
    const r = ubuntu('UBUNTU-CVE-2025-32463');
    expect(advisorySeverity({ record: r, affected: r.affected![0]! })).toEqual({ source: 'vendor', label: 'high', score: 9.3, from: 'severity:Ubuntu' });
    const kernel = ubuntu('UBUNTU-CVE-2025-38094');
    expect(advisorySeverity({ record: kernel })).toEqual({ source: 'vendor', label: 'medium', from: 'severity:Ubuntu' });
  });

  it('USN records carry no severity: none, unless the agent reported one', () => {
    const usn = ubuntu('USN-6409-1');
    expect(advisorySeverity({ record: usn })).toEqual({ source: 'none', label: 'unknown', from: 'none' });
    expect(advisorySeverity({ record: usn, reported: 'Important' })).toEqual({ source: 'vendor', label: 'important', from: 'agent' });
    expect(advisorySeverity({ record: usn, reported: 'unspecified' }).source).toBe('none');
  });

  it('AlmaLinux: Red Hat scale at the start of the summary', () => {
    expect(advisorySeverity({ record: alma('ALSA-2026:55439') })).toEqual({ source: 'vendor', label: 'important', from: 'summary' });
    expect(advisorySeverity({ record: alma('ALSA-2022:4587') }).label).toBe('important');
    expect(advisorySeverity({ record: alma('ALSA-2026:19218') }).label).toBe('moderate');
    // "None: kernel bug fix and enhancement update" is no rating at all.
    expect(advisorySeverity({ record: alma('ALBA-2026:39332') }).source).toBe('none');
  });

  it('falls back to the CVSS base score (v3.x and v4) with the qualitative rating', () => {
    const base = { id: 'x_TEST-1', modified: '2024-01-01T00:00:00Z' };
    expect(advisorySeverity({ record: { ...base, severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }] } }))
      .toEqual({ source: 'cvss', label: 'critical', score: 9.3, from: 'CVSS:4.0' });
    expect(advisorySeverity({ record: { ...base, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N' }] } }))
      .toEqual({ source: 'cvss', label: 'medium', score: 5.9, from: 'CVSS:3.0' });
    // An incomplete vector gives no score rather than a partial one.
    expect(advisorySeverity({ record: { ...base, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L' }] } }).source).toBe('none');
  });

  it('cvss adapter', () => {
    expect(cvssBaseScore('CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P/A:P')?.score).toBe(7.5);
    expect(cvssBaseScore('CVSS_V3', 'not a vector')).toBeUndefined();
    expect([0, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(cvssRating)).toEqual(['none', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});

describe('classify onto policy classes', () => {
  it('maps vendor labels by the class lists and CVSS scores by range', () => {
    expect(classify({ source: 'vendor', label: 'important', from: 'summary' }, CLASSES)).toBe('high');
    expect(classify({ source: 'vendor', label: 'Critical', from: 'agent' }, CLASSES)).toBe('critical');
    expect(classify({ source: 'vendor', label: 'negligible', from: 'severity:Ubuntu' }, CLASSES)).toBe('low');
    expect(classify({ source: 'cvss', label: 'high', score: 7.0, from: 'CVSS:3.1' }, CLASSES)).toBe('high');
    expect(classify({ source: 'cvss', label: 'critical', score: 9.8, from: 'CVSS:3.1' }, CLASSES)).toBe('critical');
    expect(classify({ source: 'cvss', label: 'low', score: 3.9, from: 'CVSS:3.1' }, CLASSES)).toBe('low');
  });

  it('an unknown vendor label falls back to its score, then to the fallback', () => {
    expect(classify({ source: 'vendor', label: 'urgent', score: 5.0, from: 'agent' }, CLASSES)).toBe('medium');
    expect(classify({ source: 'vendor', label: 'urgent', from: 'agent' }, CLASSES)).toBeNull();
    expect(classify({ source: 'none', label: 'unknown', from: 'none' }, CLASSES, 'medium')).toBe('medium');
  });

  it('refuses unusable class definitions', () => {
    try {
      classify({ source: 'cvss', label: 'low', score: 1, from: 'CVSS:3.1' }, [{ id: 'x', cvss: { min: 5, max: 1 } }]);
      expect.unreachable();
    } catch (e) {
      expect(isPatchproofError(e, 'CMP_SEVERITY_CLASSES_INVALID')).toBe(true);
    }
  });
});
