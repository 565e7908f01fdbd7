// Ubuntu Pro from host metadata: reports carry no Pro (ESM) status, so an operator declares it with
// `ubuntu_pro: true` in meta.yaml; the host's ecosystem is then Ubuntu:Pro:<release> and the real
// Ubuntu:Pro advisory entries match it, read back from a signed evidence repository.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel } from '../../compliance/model-types.ts';
import type { OsvRecord } from '../../compliance/osv-types.ts';
import { check } from '../../evidence/schema.ts';
import { fixturePath } from './fixtures.ts';
import { singlePolicy } from './policy-fixtures.ts';
import { DEFAULT_META, pkg, type HostSpec } from './scenario.ts';
import { writeScenarioRepo } from './scenario-repo.ts';

const PRO = 'h_0000000000000b01';
const PLAIN = 'h_0000000000000b02';
const BIONIC = { id: 'ubuntu', version_id: '18.04', pretty_name: 'Ubuntu 18.04.6 LTS' };
/** Real record: its systemd entries are Ubuntu:Pro:14.04/16.04/18.04:LTS (ESM) and 20.04/22.04 standard. */
const SYSTEMD: OsvRecord = JSON.parse(readFileSync(fixturePath('osv/ubuntu/records/UBUNTU-CVE-2023-7008.json'), 'utf8')) as OsvRecord;
const spec = (id: string, hostname: string, ubuntuPro?: boolean): HostSpec => ({
  id, hostname, os: BIONIC, start: '2023-12-20', end: '2024-01-31', packages: [pkg('systemd', '237-3ubuntu10.57'), pkg('libsystemd0', '237-3ubuntu10.57', 'systemd')],
  meta: ubuntuPro === undefined ? DEFAULT_META : { ...DEFAULT_META, ubuntu_pro: ubuntuPro },
});

let root: string;
let model: ComplianceModel;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-pro-'));
  const { repo } = await writeScenarioRepo(root, [spec(PRO, 'esm-host', true), spec(PLAIN, 'plain-host')], [], { enrolOn: '2023-12-01' });
  model = evaluate({ evidence: await loadEvidence(repo), policies: singlePolicy(), advisories: { snapshot_hash: 'e'.repeat(64), records: [SYSTEMD] }, period: { start: '2024-01-01', end: '2024-01-31' }, organisation: 'Example Ltd' });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Ubuntu Pro declared in meta.yaml', () => {
  it('is part of the meta.yaml schema, as a boolean', () => {
    expect(check('meta', { in_scope: true, ubuntu_pro: true })).toBeNull();
    expect(check('meta', { in_scope: true, ubuntu_pro: 'yes' })).not.toBeNull();
  });

  it('maps the declared host to Ubuntu:Pro and the other to the standard release', () => {
    expect(model.hosts.map((h) => [h.host_id, h.ecosystem])).toEqual([[PRO, 'Ubuntu:Pro:18.04:LTS'], [PLAIN, 'Ubuntu:18.04:LTS']]);
  });

  it('matches the Ubuntu:Pro advisory entries on the Pro host only', () => {
    expect(model.findings.map((f) => [f.host_id, f.advisory_id, f.packages, f.status, f.severity.class, f.severity.label])).toEqual([
      [PRO, 'UBUNTU-CVE-2023-7008', ['libsystemd0', 'systemd'], 'unfixed-upstream', 'low', 'low'],
    ]);
    expect(model.findings[0]).toMatchObject({ exposed_since: '2023-12-20T06:00:00Z', detected_at: '2023-12-24T06:00:00Z', fixed_version: null, due_at: null });
  });
});
