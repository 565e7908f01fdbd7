// The quick start's first command: `patchproof demo --no-serve` in a fresh process on a fresh home,
// timed as a whole and per step (from the time each [n/7] line is printed), with the peak RSS of
// the process tree. Target: under 2 minutes on 2 cores. --quick leaves this machine's host out.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { watchTreeRss } from './tree-rss.ts';

interface Ctx { log: (m: string) => void; tmpDir: string; quick: boolean }

const NODE = resolve(import.meta.dirname, '../node_modules/.bin/node');
const CLI = resolve(import.meta.dirname, '../cli/patchproof.ts');
const STEP = /^\[(\d)\/7\] (.*)$/;
const STEP_NAMES = ['', 'home', 'tls', 'advisories_and_policies', 'collector', 'fleet', 'verify', 'site_build'];

export async function run(ctx: Ctx): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(ctx.tmpDir, 'demo-'));
  const args = [CLI, 'demo', '--no-serve', '--home', join(dir, 'home'), '--out', join(dir, 'site'), ...(ctx.quick ? ['--no-real-host'] : [])];
  const started = performance.now();
  const marks: { step: number; what: string; at: number }[] = [];
  let out = '';
  const child = spawn(NODE, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = watchTreeRss(child.pid as number, 100);
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    pending += s;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = STEP.exec(line);
      if (m) {
        marks.push({ step: Number(m[1]), what: m[2] as string, at: performance.now() });
        ctx.log(line);
      }
    }
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => void (err += s));
  const code = await new Promise<number>((done) => child.once('exit', (c) => done(c ?? 1)));
  const seconds = (performance.now() - started) / 1000;
  const peak = Math.round(sampler.stop().peakBytes / 1e6);
  if (code !== 0) throw new Error(`demo exited with ${code}: ${err.slice(-2000)}`);
  const steps: Record<string, number> = {};
  marks.forEach((m, i) => {
    const end = marks[i + 1]?.at ?? started + seconds * 1000;
    steps[`${m.step}_${STEP_NAMES[m.step] ?? 'step'}`] = Math.round((end - m.at) / 100) / 10;
  });
  const verify = /verification (\w+): (\d+) signed commits, (\d+) signed reports from (\d+) hosts/.exec(out);
  ctx.log(`demo finished in ${seconds.toFixed(1)} s, peak RSS ${peak} MB`);
  return {
    real_host: !ctx.quick, seconds: Math.round(seconds * 10) / 10, steps_seconds: steps, peak_tree_rss_mb: peak,
    ...(verify ? { verification: verify[1], commits: Number(verify[2]), reports: Number(verify[3]), hosts: Number(verify[4]) } : {}),
    target: { seconds: 120 },
  };
}
