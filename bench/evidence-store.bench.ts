// Evidence store throughput: signed reports ingested per second into repositories already holding
// 1k / 10k / 100k reports (envelope + .asc + changed packages.tsv, 500 reports per commit), beside
// the git CLI doing the same plumbing; then `verify` speed in signatures per second.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { initHome, loadHome } from '../evidence/home.ts';
import type { GitStore, StoreFile } from '../evidence/git-store.ts';
import type { Signer } from '../evidence/sign.ts';
import { buildEnvelope, reportFiles } from '../evidence/report-envelope.ts';
import { renderPackagesTsv } from '../evidence/packages-tsv.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { repoPaths } from '../evidence/paths.ts';
import { verifyRepository } from '../evidence/verify.ts';
import { GroupCommitter } from '../evidence/group-commit.ts';
import type { Package } from '../evidence/types.gen.ts';
import type { BenchContext } from './run.ts';

const GROUP = 500;
const PACKAGES = 200;
const DAY = 86_400_000;

interface HostState {
  id: string;
  seq: number;
  last: Uint8Array | null;
}

/** Builds, signs and lays out reports round-robin over the fleet (one report per host per day). */
export class Fleet {
  readonly hosts: HostState[];
  readonly signer: Signer;
  #next = 0;
  readonly #base: Package[];

  constructor(count: number, signer: Signer) {
    this.signer = signer;
    this.hosts = Array.from({ length: count }, (_, i) => ({ id: `h_${(i + 1).toString(16).padStart(16, '0')}`, seq: 0, last: null }));
    this.#base = Array.from({ length: PACKAGES }, (_, i) => ({ name: `lib${String(i).padStart(4, '0')}-common`, arch: 'amd64', version: `2.${i}.0-1ubuntu0.1` }));
  }

  get total(): number {
    return this.hosts.reduce((n, h) => n + h.seq, 0);
  }

  async next(count: number): Promise<StoreFile[]> {
    const files: StoreFile[] = [];
    for (let i = 0; i < count; i++) {
      const h = this.hosts[this.#next]!;
      this.#next = (this.#next + 1) % this.hosts.length;
      h.seq++;
      files.push(...(await this.#report(h)));
    }
    return files;
  }

  async #report(h: HostState): Promise<StoreFile[]> {
    const at = new Date(Date.parse('2024-02-01T00:00:00Z') + h.seq * DAY + (parseInt(h.id.slice(-4), 16) % 86_000) * 1000);
    const packages = this.#base.map((p, i) => (i === h.seq % PACKAGES ? { ...p, version: `2.${i}.${h.seq}-1ubuntu0.1` } : p));
    const tsv = renderPackagesTsv(packages);
    const env = buildEnvelope(
      {
        report_id: `r${h.id.slice(2)}${String(h.seq).padStart(8, '0')}`,
        host_id: h.id,
        seq: h.seq,
        agent_seq: h.seq,
        reason: h.seq === 1 ? 'first' : 'changed',
        collected_at: at.toISOString(),
        received_at: at.toISOString(),
        clock_skew_ms: 0,
        collector: { id: 'collector-1', key_fingerprint: this.signer.fingerprint },
        agent_version: '0.1.0',
        hostname: `web-${h.id.slice(-6)}.example.com`,
        os: { id: 'ubuntu', version_id: '22.04', version_codename: 'jammy' },
        arch: 'x86_64',
        kernel: { running: '5.15.0-101-generic', installed: ['5.15.0-101-generic'], reboot_required: false },
        package_manager: 'dpkg',
        inventory: { path: repoPaths.packagesTsv(h.id), sha256: sha256Hex(tsv), count: PACKAGES },
        changes: [{ name: this.#base[h.seq % PACKAGES]!.name, arch: 'amd64', action: 'upgrade', from: '2.0.0-1', to: `2.0.${h.seq}-1`, when: at.toISOString(), when_source: 'log' }],
        pending: [{ name: 'openssl', arch: 'amd64', installed: '3.0.2-0ubuntu1.14', candidate: '3.0.2-0ubuntu1.15', security: true, origin: 'Ubuntu:22.04/jammy-security' }],
        warnings: [],
        anomalies: [],
      },
      h.last,
    );
    const r = await reportFiles(env, this.signer, { packagesTsv: tsv });
    h.last = r.bytes;
    return r.files;
  }
}

function gitRun(repo: string, args: string[], env: Record<string, string>, input?: string): string {
  const r = spawnSync('git', ['--git-dir', repo, '-c', 'core.fsync=committed', '-c', 'gpg.program=gpg', ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * The git CLI doing the same plumbing durably (core.fsync=committed): files to disk,
 * `hash-object -w --stdin-paths`, `update-index --index-info` + `write-tree` on a private index
 * (git's fastest way to rewrite only the changed trees), `commit-tree -S` (gpg), `update-ref`.
 */
function cliCommit(repo: string, scratch: string, env: Record<string, string>, files: StoreFile[], fingerprint: string, message: string): string {
  const paths: string[] = [];
  files.forEach((f, i) => {
    const p = join(scratch, String(i));
    writeFileSync(p, f.content);
    paths.push(p);
  });
  const oids = gitRun(repo, ['hash-object', '-w', '--stdin-paths'], env, `${paths.join('\n')}\n`).trim().split('\n');
  gitRun(repo, ['update-index', '--index-info'], env, files.map((f, i) => `100644 ${oids[i]}\t${f.path}`).join('\n') + '\n');
  const tree = gitRun(repo, ['write-tree'], env).trim();
  const parent = gitRun(repo, ['rev-parse', 'refs/heads/main'], env).trim();
  const commit = gitRun(repo, ['commit-tree', tree, '-p', parent, `-S${fingerprint}`, '-m', message], env).trim();
  gitRun(repo, ['update-ref', 'refs/heads/main', commit, parent], env);
  return commit;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

interface Repo {
  repo: string;
  signingKey: string;
  fingerprint: string;
  open: () => Promise<GitStore>;
  fleet: Fleet;
}

async function freshRepo(dir: string, hostCount: number): Promise<Repo> {
  let simulated = Date.parse('2024-01-01T00:00:00Z');
  const clock = () => new Date((simulated += 1000));
  await initHome({ home: dir, org: 'Bench', clock });
  const loaded = await loadHome(dir, { clock });
  return { repo: loaded.paths.evidenceRepo, signingKey: loaded.paths.signingKey, fingerprint: loaded.signer.fingerprint, open: () => loaded.openStore({ clock }), fleet: new Fleet(hostCount, loaded.signer) };
}

/** Ours, sequential (build+sign 500 reports, one commit) and through the GroupCommitter. */
async function measureOurs(store: GitStore, fleet: Fleet, reports: number): Promise<Record<string, number>> {
  let buildMs = 0;
  let commitMs = 0;
  const cpu0 = process.cpuUsage();
  for (let done = 0; done < reports; done += GROUP) {
    const [files, b] = await timed(() => fleet.next(GROUP));
    const [, c] = await timed(() => store.commit(files, { message: `reports ${fleet.total}` }));
    buildMs += b;
    commitMs += c;
  }
  const cpu = process.cpuUsage(cpu0);
  // As the collector runs it: reports signed and handed over one by one; each commit (500
  // reports) overlaps with the signing of the next ones.
  const committer = new GroupCommitter(store, { windowMs: 200, maxFiles: GROUP * 3 });
  const [, pipelinedMs] = await timed(async () => {
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < reports; i++) {
      acks.push(committer.add(await fleet.next(1)));
      if (i % 25 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
  });
  await committer.close();
  return {
    reports_per_s: Math.round((reports / (buildMs + commitMs)) * 1000),
    group_committer_reports_per_s: Math.round((reports / pipelinedMs) * 1000),
    store_only_reports_per_s: Math.round((reports / commitMs) * 1000),
    reports_per_cpu_s: Math.round((reports / ((cpu.user + cpu.system) / 1000)) * 1000),
    build_sign_ms: Math.round(buildMs),
    commit_ms: Math.round(commitMs),
  };
}

async function measureCli(ctx: BenchContext, r: Repo, reports: number, tag: string): Promise<Record<string, number>> {
  const gnupg = join(ctx.tmpDir, `gnupg-${tag}`);
  mkdirSync(gnupg, { mode: 0o700 });
  const scratch = join(ctx.tmpDir, `scratch-${tag}`);
  mkdirSync(scratch);
  spawnSync('gpg', ['--batch', '--quiet', '--import', r.signingKey], { env: { ...process.env, GNUPGHOME: gnupg } });
  const env = { GNUPGHOME: gnupg, GIT_INDEX_FILE: join(ctx.tmpDir, `cli-index-${tag}`), GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@x' };
  const [, prepMs] = await timed(async () => void gitRun(r.repo, ['read-tree', 'refs/heads/main'], env));
  let build = 0;
  let commit = 0;
  for (let done = 0; done < reports; done += GROUP) {
    const [files, b] = await timed(() => r.fleet.next(GROUP));
    const [, c] = await timed(async () => cliCommit(r.repo, scratch, env, files, r.fingerprint, `cli reports ${r.fleet.total}`));
    build += b;
    commit += c;
  }
  return { reports_per_s: Math.round((reports / (build + commit)) * 1000), store_only_reports_per_s: Math.round((reports / commit) * 1000), reports, build_sign_ms: Math.round(build), commit_ms: Math.round(commit), index_prepare_ms: Math.round(prepMs) };
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const sizes = ctx.quick ? [1_000, 5_000] : [1_000, 10_000, 100_000];
  const hostCount = ctx.quick ? 200 : 1_000;
  const measureReports = ctx.quick ? 1_000 : 5_000;
  const cliReports = 1_000;
  const hasGit = spawnSync('git', ['--version']).status === 0 && spawnSync('gpg', ['--version']).status === 0;
  const out: Record<string, unknown> = {
    hosts: hostCount,
    reports_per_commit: GROUP,
    packages_per_host: PACKAGES,
    measured_reports: { ours: measureReports, git_cli: cliReports },
    load_average_at_start: Math.round(loadavg()[0]! * 10) / 10,
  };
  const populate: Record<string, number> = {};
  let last: Repo | null = null;
  for (const size of sizes) {
    if (last) rmSync(join(last.repo, '..'), { recursive: true, force: true });
    const r = await freshRepo(join(ctx.tmpDir, `repo-${size}`), hostCount);
    last = r;
    const store = await r.open();
    // Pre-populate, signed, in groups of 5000 reports per commit.
    const [, ms] = await timed(async () => {
      while (r.fleet.total < size) await store.commit(await r.fleet.next(Math.min(5000, size - r.fleet.total)), { message: `populate to ${r.fleet.total}` });
    });
    populate[`to_${size}`] = Math.round((size / ms) * 1000);
    ctx.log(`populated ${size} reports in ${Math.round(ms)} ms`);
    const ours = await measureOurs(store, r.fleet, measureReports);
    ctx.log(`at ${size}: ours ${JSON.stringify(ours)}`);
    await store.close();
    let cli: Record<string, number> | string = 'git or gpg not installed';
    if (hasGit) {
      cli = await measureCli(ctx, r, cliReports, String(size));
      ctx.log(`at ${size}: git cli ${JSON.stringify(cli)}`);
    }
    out[`at_${size}`] = {
      ours,
      git_cli: cli,
      ...(typeof cli === 'object'
        ? { speedup_end_to_end: Math.round((ours.reports_per_s! / cli.reports_per_s!) * 10) / 10, speedup_store_only: Math.round((ours.store_only_reports_per_s! / cli.store_only_reports_per_s!) * 10) / 10 }
        : {}),
    };
  }
  out.populate_reports_per_s = populate;
  out.load_average_before_verify = Math.round(loadavg()[0]! * 10) / 10;
  const vcpu = process.cpuUsage();
  const [report, vms] = await timed(() => verifyRepository(last!.repo, { onProgress: (p) => p.done === p.total && ctx.log(`verify ${p.phase} ${p.done}/${p.total}`) }));
  out.verify = {
    repo_reports: report.stats.reports,
    ok: report.ok,
    problems: report.problems.length,
    commits: report.stats.commits,
    file_signatures: report.stats.files,
    file_signatures_per_s: Math.round((report.stats.files / report.stats.signatureMs) * 1000),
    all_signatures_per_s_overall: Math.round((report.stats.signatures / vms) * 1000),
    signatures_per_cpu_s: Math.round((report.stats.signatures / ((process.cpuUsage(vcpu).user + process.cpuUsage(vcpu).system) / 1000)) * 1000),
    total_s: Math.round(vms / 100) / 10,
  };
  if (!report.ok) ctx.log(`verify problems: ${report.problems.slice(0, 5).map((p) => `${p.code} ${p.path}`).join('; ')}`);
  return out;
}
