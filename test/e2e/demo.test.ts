// The demo end to end, as a user would run it headless: a clean home, the real collector, the
// simulated fleet, this machine's own agent, the site. Then everything it produced is checked with
// stock tools (patchproof verify, gpg, sha256sum, a link crawl over HTTP, this machine's dpkg) and
// the scenario's promises are checked in the compliance model the site publishes.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSite } from '../site/helpers/browser.ts';
import { crawl } from '../site/helpers/crawl.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NODE = process.execPath;
const DEMO_TIMEOUT_MS = 15 * 60_000;
/** The demo is run with this machine's own agent (without --no-real-host). */
const REAL_HOST = true;

interface Finding {
  host_id: string;
  advisory_id: string;
  status: string;
  source: string;
  severity: { class: string };
  clock_started_at: string | null;
  due_at: string | null;
  policy_id: string;
  policy_version: string;
}
interface Model {
  simulated: boolean;
  period: { start: string; end: string };
  hosts: { host_id: string; hostname: string; status: string; package_count: number; meta: { environment?: string | null } | null }[];
  findings: Finding[];
  host_findings: { host_id: string; kind: string }[];
  exceptions: { id: string; status: string; history: { commit: string; author: string }[] }[];
  policies: { id: string; version: string; severity_classes: { id: string; sla_hours: number }[] }[];
  audit: { seq: number; actor: string; action: string; target: string | null }[];
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env, cwd = ROOT): SpawnSyncReturns<string> {
  return spawnSync(args[0]!, args.slice(1), { cwd, encoding: 'utf8', env, timeout: DEMO_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
}

function output(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout?.slice(-6000)}\n--- stderr\n${r.stderr?.slice(-6000)}`;
}

describe('patchproof demo --no-serve', () => {
  let tmp: string;
  let home: string;
  let site: string;
  let model: Model;
  let demo: SpawnSyncReturns<string>;
  const host = (name: string) => {
    const h = model.hosts.find((x) => x.hostname === name);
    if (!h) throw new Error(`no host ${name} in the model`);
    return h;
  };
  const finding = (hostname: string, advisory: string) => {
    const id = host(hostname).host_id;
    const f = model.findings.filter((x) => x.host_id === id && x.advisory_id === advisory);
    expect(f, `${hostname} ${advisory}`).toHaveLength(1);
    return f[0]!;
  };
  const hostFindings = (hostname: string) => model.host_findings.filter((x) => x.host_id === host(hostname).host_id).map((x) => x.kind);

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pp-demo-e2e-'));
    home = join(tmp, 'home');
    site = join(tmp, 'site');
    // Started from outside the checkout, as an installed command would be.
    const args = ['demo', '--no-serve', '--home', home, '--out', site, ...(REAL_HOST ? [] : ['--no-real-host'])];
    demo = run([NODE, join(ROOT, 'cli/patchproof.ts'), ...args], process.env, tmp);
    if (demo.status === 0) model = JSON.parse(readFileSync(join(site, 'exports', 'model.json'), 'utf8')) as Model;
  }, DEMO_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (tmp && process.env['PATCHPROOF_KEEP_E2E'] !== '1') rmSync(tmp, { recursive: true, force: true });
  });

  it('runs from a clean home and exits 0, with progress output', () => {
    expect(demo.status, output(demo)).toBe(0);
    expect(demo.stdout).toMatch(/\[5\/7\] simulating 40 hosts/);
    expect(demo.stdout).toMatch(/day 183\/183/);
  });

  it('refuses a home that is not empty', () => {
    const r = run([NODE, 'cli/patchproof.ts', 'demo', '--no-serve', '--home', home]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
  });

  it('leaves an evidence repository that `patchproof verify` accepts', () => {
    const r = run([NODE, 'cli/patchproof.ts', 'verify', '--repo', join(home, 'evidence'), '--quiet']);
    expect(r.status, output(r)).toBe(0);
    expect(r.stdout).toMatch(/^OK: 0 problem\(s\)/m);
  });

  it('builds the site: index, a page per host, policies and exceptions', () => {
    expect(existsSync(join(site, 'index.html'))).toBe(true);
    expect(model.hosts.length).toBeGreaterThanOrEqual(40);
    for (const h of model.hosts) expect(existsSync(join(site, 'hosts', h.host_id, 'index.html')), h.hostname).toBe(true);
    for (const id of ['EXC-0001', 'EXC-0002', 'EXC-0003']) expect(existsSync(join(site, 'exceptions', id, 'index.html')), id).toBe(true);
    expect(existsSync(join(site, 'policies'))).toBe(true);
  });

  it('publishes a site whose every internal link, stylesheet, script and fragment resolves', async () => {
    const served = await serveSite(site);
    try {
      const { pages, checked, broken } = await crawl(served.base);
      expect(broken).toEqual([]);
      for (const h of model.hosts) expect(pages, h.hostname).toContain(`/hosts/${h.host_id}/`);
      for (const path of ['/controls/', '/policies/', '/exceptions/EXC-0001/', '/audit/', '/packs/', '/verify/', '/exports/', '/search/']) expect(pages).toContain(path);
      expect([...checked.keys()].filter((p) => p.startsWith('/evidence/')).length).toBeGreaterThan(model.hosts.length);
    } finally {
      await served.close();
    }
  }, 300_000);

  it('publishes checksums that `sha256sum -c` accepts for packs and exports', () => {
    for (const dir of [join(site, 'packs'), join(site, 'exports')]) {
      const r = run(['sha256sum', '-c', 'SHA256SUMS'], process.env, dir);
      expect(r.status, `${dir}\n${output(r)}`).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThan(dir.endsWith('packs') ? 3 : 1);
      expect(lines.every((l) => l.endsWith(': OK')), r.stdout).toBe(true);
    }
  });

  it('says everywhere that the data is simulated', () => {
    expect(model.simulated).toBe(true);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toMatch(/simulated/i);
    const readme = run(['git', '--git-dir', join(home, 'evidence'), 'show', 'HEAD:README.md']);
    expect(readme.status, output(readme)).toBe(0);
    expect(readme.stdout).toMatch(/simulated/i);
  });

  it('signs every pack and checksum file so that stock gpg verifies them', () => {
    const gnupg = mkdtempSync(join(tmpdir(), 'pp-demo-gpg-'));
    try {
      const env = { ...process.env, GNUPGHOME: gnupg };
      const keys = readdirSync(join(site, 'keys')).filter((f) => f.endsWith('.asc'));
      expect(keys.length).toBeGreaterThan(0);
      const imported = run(['gpg', '--batch', '--import', ...keys.map((k) => join(site, 'keys', k))], env);
      expect(imported.status, output(imported)).toBe(0);
      const packs = readdirSync(join(site, 'packs')).filter((f) => f.endsWith('.pdf'));
      expect(packs.length).toBeGreaterThan(0);
      const signed = [...packs.map((p) => join(site, 'packs', p)), join(site, 'packs', 'SHA256SUMS'), join(site, 'exports', 'SHA256SUMS')];
      for (const file of signed) {
        const r = run(['gpg', '--batch', '--verify', `${file}.asc`, file], env);
        expect(r.status, `${file}\n${output(r)}`).toBe(0);
        expect(r.stderr).toMatch(/Good signature/);
      }
    } finally {
      rmSync(gnupg, { recursive: true, force: true });
    }
  });

  it('covers the last two quarters with both versions of the revised policy', () => {
    expect(model.period).toMatchObject({ start: '2026-04-01', end: '2026-09-30' });
    const versions = model.policies.filter((p) => p.id === 'patch-management').map((p) => p.version).sort();
    expect(versions).toEqual(['2.0', '2.1']);
  });

  it('judges each High finding under the policy version in force at its clock start: 14 days under 2.0, 7 under 2.1', () => {
    const sla = (version: string) => model.policies.find((p) => p.id === 'patch-management' && p.version === version)!.severity_classes.find((c) => c.id === 'high')!.sla_hours;
    expect([sla('2.0'), sla('2.1')]).toEqual([336, 168]);
    const high = model.findings.filter((f) => f.severity.class === 'high' && f.clock_started_at !== null && f.due_at !== null);
    const days = (f: Finding) => (Date.parse(f.due_at!) - Date.parse(f.clock_started_at!)) / 86_400_000;
    for (const f of high) {
      expect(f.policy_id).toBe('patch-management');
      expect(f.policy_version, `${f.advisory_id} clock ${f.clock_started_at}`).toBe(f.clock_started_at! < '2026-07-01' ? '2.0' : '2.1');
      expect(days(f), `${f.advisory_id} ${f.policy_version}`).toBe(f.policy_version === '2.0' ? 14 : 7);
    }
    expect(high.filter((f) => f.policy_version === '2.0').length).toBeGreaterThan(0);
    expect(high.filter((f) => f.policy_version === '2.1').length).toBeGreaterThan(0);
    // The examples docs/demo.md names. alma-db-01 patches every 28 days: 13 days after a fix is in
    // time under 2.0 (June) and late under 2.1 (July).
    const examples = [
      ['alma-web-01', 'ALSA-2026:25239', '2.0', 14, 'fixed-in-sla'],
      ['alma-web-01', 'ALSA-2026:55439', '2.1', 7, 'fixed-in-sla'],
      ['alma-db-01', 'ALSA-2026:27789', '2.0', 14, 'fixed-in-sla'],
      ['alma-db-01', 'ALSA-2026:42089', '2.1', 7, 'fixed-late'],
    ] as const;
    for (const [hostname, advisory, version, d, status] of examples) {
      const f = finding(hostname, advisory);
      expect([f.policy_version, days(f), f.status], `${hostname} ${advisory}`).toEqual([version, d, status]);
    }
  });

  it('judges an on-time patch fixed-in-sla and a late one fixed-late', () => {
    expect(finding('alma-web-01', 'ALSA-2026:25239').status).toBe('fixed-in-sla');
    expect(finding('alma-db-02', 'ALSA-2026:25239').status).toBe('fixed-late');
    expect(finding('ubu-ci-02', 'UBUNTU-CVE-2025-32463').status).toBe('fixed-late');
  });

  it('keeps the installed-but-not-running kernel open, as reboot debt', () => {
    expect(finding('alma-app-03', 'ALSA-2026:54443').status).toMatch(/^open-/);
    expect(hostFindings('alma-app-03')).toContain('reboot-debt');
  });

  it('flags the forgotten server as stale and the decommissioned one as decommissioned', () => {
    expect(host('ubu-legacy-01').status).toBe('stale');
    expect(hostFindings('ubu-legacy-01')).toContain('stale-host');
    expect(host('deb-build-04').status).toBe('decommissioned');
  });

  it('judges exceptions: expired, in force, never approved', () => {
    expect(finding('deb-db-01', 'x_PPDEMO-DEB-2026-0006').status).toBe('exception-expired');
    expect(finding('alp-edge-03', 'x_PPDEMO-ALP-2026-0001').status).toBe('excepted');
    expect(finding('alp-dns-02', 'x_PPDEMO-ALP-2026-0002').status).toBe('open-overdue');
    expect(Object.fromEntries(model.exceptions.map((e) => [e.id, e.status]))).toMatchObject({ 'EXC-0001': 'expired', 'EXC-0002': 'active', 'EXC-0003': 'unapproved' });
  });

  it('shows who requested and who approved each exception, from the audit log, beside the commit author', () => {
    const exc = model.exceptions.find((e) => e.id === 'EXC-0001')!;
    expect(exc.history).toHaveLength(2);
    // The commits are the collector's; the audit entries committed with them name the requester
    // (Priya Nair) and the approver (Dana Kim).
    expect(exc.history.every((h) => h.author.startsWith('patchproof demo-collector'))).toBe(true);
    const audited = model.audit.filter((a) => a.target === 'exception:EXC-0001');
    expect(audited.map((a) => a.action)).toEqual(['exception.committed', 'exception.committed']);
    expect(audited.map((a) => a.actor.replace(/^.*:/, ''))).toEqual(['priya.nair', 'dana.kim']);
    const html = readFileSync(join(site, 'exceptions', 'EXC-0001', 'index.html'), 'utf8');
    const table = /<table id="history-table">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    expect(rows).toHaveLength(2);
    for (const [i, entry] of audited.entries()) {
      expect(rows[i]).toContain(exc.history[i]!.author);
      expect(rows[i]).toContain(`${entry.actor} ${entry.action} #${entry.seq}`);
    }
  });

  it('reports hosts without an owner', () => {
    expect(hostFindings('alma-batch-01')).toContain('missing-owner');
    expect(hostFindings('deb-ci-01')).toContain('missing-owner');
  });

  it("includes this machine's own agent", () => {
    // Enrolled by the demo with meta.yaml environment "demo"; every simulated host is "production".
    expect(model.hosts.filter((h) => h.meta?.environment === 'demo')).toHaveLength(REAL_HOST ? 1 : 0);
  });

  it.runIf(REAL_HOST && spawnSync('dpkg-query', ['--version']).status === 0)("records this machine's real package list, as dpkg lists it", () => {
    const own = model.hosts.find((h) => h.meta?.environment === 'demo')!;
    const q = run(['dpkg-query', '-W', '-f', '${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n']);
    expect(q.status, output(q)).toBe(0);
    // Installed, or installed with triggers pending (the agent's rule); config-files entries are not.
    const installed = q.stdout.trim().split('\n').map((l) => l.split('\t')).filter((f) => /^.[iWt]/.test(f[3] ?? '')).map((f) => f.slice(0, 3).join('\t')).sort();
    expect(installed.length).toBeGreaterThan(100);
    expect(own.package_count).toBe(installed.length);
    const tsv = run(['git', '--git-dir', join(home, 'evidence'), 'show', `HEAD:hosts/${own.host_id}/packages.tsv`]);
    expect(tsv.status, output(tsv)).toBe(0);
    const recorded = tsv.stdout.trim().split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split('\t').slice(0, 3).join('\t')).sort();
    expect(recorded).toEqual(installed);
  });
});

// The scenario's pure core, checked without running anything: if a data or plan change breaks a
// promise of docs/demo.md, this says which before the slow end-to-end run does.
describe('demo scenario model', async () => {
  const { FLEET } = await import('../../cli/demo/scenario.ts');
  const { loadRepo } = await import('../../cli/demo/package-repo.ts');
  const { loadBaseInventory } = await import('../../cli/demo/inventories.ts');
  const { buildHostModel, snapshotAt, pendingAt } = await import('../../cli/demo/host-model.ts');
  const { dayToDate } = await import('../../cli/demo/window.ts');
  const { compareVersions } = await import('../../compliance/version.ts');
  const data = join(ROOT, 'demo/data');
  const model = (hostname: string) => {
    const i = FLEET.findIndex((p) => p.hostname === hostname);
    const plan = FLEET[i]!;
    const repo = loadRepo(data, plan.distro);
    return { repo, m: buildHostModel(plan, repo, loadBaseInventory(data, plan.distro), i) };
  };

  it('has about 40 hosts on the four distributions, with unique names', () => {
    expect(FLEET.length).toBe(40);
    expect(new Set(FLEET.map((p) => p.hostname)).size).toBe(40);
    expect(new Set(FLEET.map((p) => p.distro))).toEqual(new Set(['almalinux-9', 'debian-12', 'ubuntu-24.04', 'alpine-3.22']));
  });

  it('patches alma-web-01 within a week of every AlmaLinux fix', () => {
    const { repo, m } = model('alma-web-01');
    for (const [name, pkg] of Object.entries(repo.packages)) {
      for (const v of pkg.versions.filter((x) => !x.start && x.advisories.length > 0)) {
        const week = new Date(Date.parse(`${v.from}T00:00:00Z`) + 7 * 86_400_000);
        if (week > dayToDate(183)) continue;
        const installed = snapshotAt(m, repo, week).packages.filter((p) => p.name === name).map((p) => p.version);
        expect(installed.some((x) => compareVersions('rpm', x, v.version) >= 0), `${name} ${v.version} (${v.advisories.join(' ')})`).toBe(true);
      }
    }
  });

  it('leaves alma-app-03 running an older kernel than the newest installed', () => {
    const { repo, m } = model('alma-app-03');
    const end = snapshotAt(m, repo, dayToDate(182, 12));
    expect(end.kernels.at(-1)).toBe('5.14.0-687.39.1.el9_8.x86_64');
    expect(end.running).not.toBe(end.kernels.at(-1));
  });

  it('keeps the held packages pending on the exception hosts', () => {
    for (const [host, pkg] of [['deb-db-01', 'postgresql-15'], ['alp-edge-03', 'libssl3'], ['alp-dns-02', 'busybox']] as const) {
      const { repo, m } = model(host);
      const t = dayToDate(182, 12);
      expect(pendingAt(m, repo, snapshotAt(m, repo, t), t).map((p) => p.name), host).toContain(pkg);
    }
  });

  it('revises the patch management policy into a valid version 2.1 with a 7-day High SLA', async () => {
    const { writeDemoPolicies } = await import('../../cli/demo/policies.ts');
    const { loadPolicies, defaultPoliciesDir } = await import('../../compliance/policy-load.ts');
    const dir = mkdtempSync(join(tmpdir(), 'pp-demo-policies-'));
    try {
      await writeDemoPolicies(defaultPoliciesDir(), dir);
      const versions = loadPolicies(dir).filter((p) => p.id === 'patch-management');
      expect(versions.map((p) => [p.version, p.effective, p.severity_classes.find((c) => c.id === 'high')?.sla_hours])).toEqual(
        expect.arrayContaining([['2.1', '2026-07-01', 168], [expect.any(String), expect.any(String), 336]]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
