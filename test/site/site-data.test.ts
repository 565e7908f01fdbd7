// Indexing the model for pages: per-host lookups, exceptions that apply to a host (named, by
// group, by wildcard or through the findings they cover), and page slugs that never collide.
import { describe, expect, it } from 'vitest';
import { indexModel, slug } from '../../site/lib/site-data.ts';
import { makeFixture } from './fixtures/make-model.ts';

describe('site data', () => {
  it('slugs control ids for URLs', () => {
    expect(slug('164.308(a)(1)(ii)(A)')).toBe('164-308-a-1-ii-a');
    expect(slug('A.8.32')).toBe('a-8-32');
    expect(slug('6.3.3')).toBe('6-3-3');
    expect(slug('((')).toBe('item');
  });

  it('indexes findings, events and exceptions by host', () => {
    const { model } = makeFixture({ hosts: 10 });
    const data = indexModel(model);
    const host = model.hosts[0]!;
    expect(data.findingsByHost.get(host.host_id)).toEqual(model.findings.filter((f) => f.host_id === host.host_id));
    expect(data.eventsByHost.get(host.host_id)).toEqual(model.patch_events.filter((e) => e.host_id === host.host_id));
    const excused = model.exceptions.find((e) => e.findings_excused.length > 0)!;
    const excusedHost = model.findings.find((f) => f.id === excused.findings_excused[0])!.host_id;
    expect(data.exceptionsByHost.get(excusedHost)?.map((e) => e.id)).toContain(excused.id);
  });

  it('applies group and wildcard exceptions to the right hosts', () => {
    const { model } = makeFixture({ hosts: 8 });
    const base = model.exceptions[0]!;
    model.exceptions = [
      { ...base, id: 'EXC-0100', hosts: ['group:db'], findings_matched: [], findings_excused: [] },
      { ...base, id: 'EXC-0101', hosts: ['*'], findings_matched: [], findings_excused: [] },
    ];
    const data = indexModel(model);
    for (const h of model.hosts) {
      const ids = data.exceptionsByHost.get(h.host_id)?.map((e) => e.id) ?? [];
      expect(ids).toContain('EXC-0101');
      expect(ids.includes('EXC-0100')).toBe(h.group === 'db');
    }
  });

  it('files input warnings under the policy version whose file they name', () => {
    const { model } = makeFixture({ hosts: 3 });
    const pol = model.policies[0]!;
    expect(model.warnings).toEqual([expect.objectContaining({ code: 'CMP_POLICY_CONTROL_UNKNOWN', file: pol.file })]);
    const other = { ...pol, version: '1.3', file: 'patch-management@1.3.mdx', controls: [] };
    model.policies.push(other);
    model.warnings!.push({ code: 'CMP_POLICY_CONTROL_UNKNOWN', file: 'gone.mdx', message: 'gone.mdx names a control nothing judges (no such policy)' });
    const data = indexModel(model);
    expect(data.policiesByFile.get(pol.file)).toBe(pol);
    expect(data.warningsByPolicy.get(pol)).toEqual([model.warnings![0]]);
    expect(data.warningsByPolicy.has(other)).toBe(false);
    expect([...data.warningsByPolicy.values()].flat()).toHaveLength(1);
  });

  it('reads a model written before warnings as having none', () => {
    const { model } = makeFixture({ hosts: 3 });
    delete model.warnings;
    expect(indexModel(model).warningsByPolicy.size).toBe(0);
  });

  it('refuses two controls of one framework that would share a page', () => {
    const { model } = makeFixture({ hosts: 3 });
    const c = model.controls.find((x) => x.framework === 'iso27001')!;
    model.controls.push({ ...c, id: c.id.toLowerCase().replace(/\./g, '-') });
    expect(() => indexModel(model)).toThrow(expect.objectContaining({ code: 'SITE_SLUG_COLLISION' }));
  });
});
