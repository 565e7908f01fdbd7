// End to end through a real, signed evidence repository: the scenario hosts are written with the
// git store (one signed commit per day), read back with load-evidence.ts and judged; the result
// must equal the in-memory judgement, with evidence rows now naming real commits.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidence } from '../../compliance/load-evidence.ts';
import { evaluate } from '../../compliance/model.ts';
import type { ComplianceModel } from '../../compliance/model-types.ts';
import { snapshotOf, type BuiltHost } from './scenario.ts';
import { writeScenarioRepo } from './scenario-repo.ts';
import { ADVISORIES, EXCEPTIONS, H, PERIOD, SPECS } from './scenario-fleet.ts';
import { twoVersionPolicies } from './policy-fixtures.ts';

const PICK = [H.late, H.noreboot, H.expiring, H.stale, H.hygiene];
let root: string;
let repo: string;
let hosts: BuiltHost[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pp-cmp-'));
  const written = await writeScenarioRepo(root, SPECS.filter((s) => PICK.includes(s.id as never)), EXCEPTIONS);
  repo = written.repo;
  hosts = written.hosts;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('load-evidence + evaluate on a real signed repository', () => {
  let fromRepo: ComplianceModel;
  let inMemory: ComplianceModel;

  beforeAll(async () => {
    const evidence = await loadEvidence(repo);
    const opts = { policies: twoVersionPolicies(), advisories: { snapshot_hash: 'e'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' };
    fromRepo = evaluate({ evidence, ...opts });
    inMemory = evaluate({ evidence: snapshotOf(hosts, EXCEPTIONS), ...opts });
  }, 60_000);

  it('records the judged commit and reads every host', () => {
    expect(fromRepo.inputs.repo_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(fromRepo.hosts.map((h) => h.host_id).sort()).toEqual([...PICK].sort());
    expect(fromRepo.simulated).toBe(false);
  });

  it('judges exactly as the in-memory snapshot does', () => {
    const strip = (m: ComplianceModel) => m.findings.map((f) => ({ ...f, evidence: f.evidence.map((e) => ({ path: e.path, role: e.role })) }));
    expect(strip(fromRepo)).toEqual(strip(inMemory));
    expect(fromRepo.host_findings.map((h) => [h.host_id, h.kind, h.since])).toEqual(inMemory.host_findings.map((h) => [h.host_id, h.kind, h.since]));
    expect(fromRepo.metrics).toEqual(inMemory.metrics);
  });

  it('cites the commit that added each report, and exception history from git', () => {
    const late = fromRepo.findings.find((f) => f.host_id === H.late)!;
    const remediated = late.evidence.find((e) => e.role === 'remediated')!;
    expect(remediated.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(remediated.commit).not.toBe(fromRepo.inputs.repo_commit);
    const exc = fromRepo.exceptions.find((e) => e.id === 'EXC-0001')!;
    expect(exc.history).toHaveLength(1);
    expect(exc.history[0]!.message).toBe('evidence 2025-01-20');
    expect(fromRepo.keys).toHaveLength(1);
    expect(fromRepo.evidence_manifest.some((m) => m.path === remediated.path)).toBe(true);
  });

  it("fileCommits 'judged' reads the same evidence and cites the judged commit", async () => {
    const evidence = await loadEvidence(repo, { fileCommits: 'judged' });
    const m = evaluate({ evidence, policies: twoVersionPolicies(), advisories: { snapshot_hash: 'e'.repeat(64), records: ADVISORIES }, period: PERIOD, organisation: 'Example Ltd' });
    expect(m.findings.map((f) => [f.id, f.status])).toEqual(fromRepo.findings.map((f) => [f.id, f.status]));
    expect(new Set(m.findings.flatMap((f) => f.evidence.filter((e) => e.role !== 'exception').map((e) => e.commit)))).toEqual(new Set([m.inputs.repo_commit]));
  });

  it('reads every report of every host, in seq order', async () => {
    const evidence = await loadEvidence(repo);
    const byId = new Map(hosts.map((h) => [h.snapshot.host.host_id, h.snapshot.reports.map((r) => r.path)]));
    expect(evidence.hosts.map((h) => h.reports.map((r) => r.path))).toEqual(evidence.hosts.map((h) => byId.get(h.host.host_id)));
    for (const h of evidence.hosts) expect(h.reports.map((r) => r.envelope.seq)).toEqual([...h.reports.map((r) => r.envelope.seq)].sort((a, b) => a - b));
  }, 60_000);

  it('refuses unknown options and commits off the first-parent history', async () => {
    await expect(loadEvidence(repo, { bogus: true } as never)).rejects.toMatchObject({ code: 'CMP_USAGE' });
    await expect(loadEvidence(repo, { commit: '0'.repeat(40) })).rejects.toMatchObject({ code: 'CMP_EVIDENCE_INVALID' });
  });
});
