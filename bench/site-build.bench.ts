// Site build at fleet scale: fixture models of 100 and 1,000 hosts × one year (50 package
// changes per host), built in a child process each so wall time and peak memory are the
// build's own (peak RSS summed over the child and every process it starts, see tree-rss.ts): the site (pages, exports, evidence copy, search index), one evidence pack
// rendered alone, the four packs as the build renders them, and a bare Astro build of the same
// number of trivial pages on the same machine in the same run, for scale.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ownPeakRssKb, watchTreeRss } from './tree-rss.ts';

interface Ctx {
  log: (m: string) => void;
  tmpDir?: string;
  tmp?: string;
  quick?: boolean;
}

interface ChildResult {
  ms: number;
  /** Peak RSS of the process tree: the sampled sum over the child and its descendants, or the child's own peak (VmHWM) if higher. */
  maxRssMb: number;
  /** The child process's own peak RSS (VmHWM: its threads, not its child processes). */
  selfMaxRssMb: number;
  /** Most processes alive at once in the tree (the child, git, Pagefind, ...). */
  processes: number;
  detail: Record<string, unknown>;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const NODE = join(ROOT, 'node_modules', '.bin', 'node');

/** Runs this file in a fresh Node process in `mode`; it prints one JSON line with its result. */
function child(mode: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(NODE, [SELF, '--child', mode, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = watchTreeRss(p.pid as number);
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    p.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    p.on('close', (code) => {
      const tree = watch.stop();
      if (code !== 0) return reject(new Error(`${mode} child failed (${code}): ${err.slice(-2000)}`));
      const last = out.trim().split('\n').pop() ?? '{}';
      const r = JSON.parse(last) as { maxRssKb: number; detail: Record<string, unknown> };
      const mb = (bytes: number) => Math.round(bytes / 1048576);
      const selfMaxRssMb = mb(r.maxRssKb * 1024);
      resolve({ ms: Math.round(performance.now() - started), maxRssMb: Math.max(mb(tree.peakBytes), selfMaxRssMb), selfMaxRssMb, processes: tree.maxProcesses, detail: r.detail });
    });
  });
}

/** 1, 5 and 15 minute load averages: timings on a shared machine mean little without them. */
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** A throw-away Astro project with one dynamic route producing `n` trivial pages. */
function bareProject(dir: string, n: number): string {
  mkdirSync(join(dir, 'src', 'pages'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  writeFileSync(join(dir, 'astro.config.mjs'), "export default { output: 'static' };\n");
  writeFileSync(
    join(dir, 'src', 'pages', '[n].astro'),
    `---\nexport function getStaticPaths() { return Array.from({ length: ${n} }, (_, i) => ({ params: { n: String(i) } })); }\nconst { n } = Astro.params;\n---\n<html lang="en"><head><title>Page {n}</title></head><body><h1>Page {n}</h1></body></html>\n`,
  );
  return dir;
}

export async function run(ctx: Ctx): Promise<Record<string, unknown>> {
  const tmp = ctx.tmpDir ?? ctx.tmp ?? '/tmp';
  const sizes = ctx.quick ? [20, 100] : [100, 1000];
  const out: Record<string, unknown> = {};
  for (const hosts of sizes) {
    const dir = join(tmp, `h${hosts}`);
    ctx.log(`${hosts} hosts: writing the fixture repository and model`);
    const fixture = await child('fixture', [dir, String(hosts)]);
    ctx.log(`${hosts} hosts: site build (pages, exports, evidence, search)`);
    const site = await child('site', [dir, 'site']);
    ctx.log(`${hosts} hosts: one pack alone`);
    const pack = await child('pack', [dir]);
    ctx.log(`${hosts} hosts: full build (site and four signed packs)`);
    const full = await child('full', [dir, 'full']);
    ctx.log(`${hosts} hosts: bare Astro build of ${hosts + 40} trivial pages`);
    const bare = await child('bare', [bareProject(join(dir, 'bare'), hosts + 40)]);
    const mem = (r: ChildResult) => ({ max_rss_mb: r.maxRssMb, self_max_rss_mb: r.selfMaxRssMb, processes: r.processes });
    out[`hosts_${hosts}`] = {
      model: fixture.detail,
      site: { seconds: site.ms / 1000, ...mem(site), phases_ms: site.detail },
      pack_alone: { seconds: pack.ms / 1000, ...mem(pack), ...pack.detail },
      full_build: { seconds: full.ms / 1000, ...mem(full), phases_ms: full.detail },
      bare_astro: { pages: hosts + 40, seconds: bare.ms / 1000, ...mem(bare) },
      site_vs_bare: Math.round((site.ms / bare.ms) * 10) / 10,
      load_average: loadAverage(),
    };
  }
  out.load_average = loadAverage();
  return out;
}

/** Child side: one measured job, then its result and own peak RSS as the last stdout line. */
async function childMain(mode: string, args: string[]): Promise<void> {
  let detail: Record<string, unknown> = {};
  const [dir = ''] = args;
  const keyFile = join(dir, 'key.json');
  const inputs = () => ({ modelFile: join(dir, 'model.json'), repoDir: join(dir, 'repo'), policiesDir: join(ROOT, 'test', 'site', 'fixtures', 'policies') });
  if (mode === 'fixture') {
    const { makeFixture } = await import('../test/site/fixtures/make-model.ts');
    const { generateSigningKey } = await import('../evidence/sign.ts');
    const key = await generateSigningKey({ userId: 'Bench <bench@patchproof.invalid>', date: new Date('2024-11-01T00:00:00Z') });
    mkdirSync(dir, { recursive: true });
    const { model } = makeFixture({ hosts: Number(args[1]), eventsPerHost: 50, repoDir: join(dir, 'repo'), key });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
    writeFileSync(keyFile, JSON.stringify(key));
    detail = { hosts: model.hosts.length, findings: model.findings.length, patch_events: model.patch_events.length, evidence_files: model.evidence_manifest.length, model_mb: Math.round(readFileSync(join(dir, 'model.json')).length / 1e5) / 10 };
  } else if (mode === 'site' || mode === 'full') {
    const { buildSite } = await import('../site/lib/build/build-site.ts');
    const { signerFromArmored } = await import('../evidence/sign.ts');
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as { privateKeyArmored: string };
    const report = await buildSite({ ...inputs(), outDir: join(dir, `out-${args[1]}`), signer: await signerFromArmored(key.privateKeyArmored), packs: mode === 'full' });
    detail = report.timings;
  } else if (mode === 'pack') {
    const { parseModel } = await import('../site/lib/model.ts');
    const { indexModel } = await import('../site/lib/site-data.ts');
    const { renderPack } = await import('../site/lib/pdf/pack.ts');
    const data = indexModel(parseModel(readFileSync(inputs().modelFile, 'utf8')));
    const t0 = performance.now();
    const pdf = await renderPack({ data, framework: 'pci-dss', signerFingerprint: 'F'.repeat(40) });
    detail = { render_seconds: Math.round(performance.now() - t0) / 1000, pdf_mb: Math.round(pdf.length / 1e5) / 10 };
  } else if (mode === 'bare') {
    const { build } = await import('astro');
    process.env.ASTRO_TELEMETRY_DISABLED = '1';
    await build({ root: dir, outDir: join(dir, 'dist'), logLevel: 'warn' });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(`\n${JSON.stringify({ maxRssKb: ownPeakRssKb(), detail })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv[2] === '--child') {
  await childMain(process.argv[3] ?? '', process.argv.slice(4));
}
