// Child process of the compliance-evaluate bench: runs `patchproof evaluate` (the CLI command, in
// this fresh process) and prints one JSON line: wall and CPU seconds, per-phase seconds taken from
// the command's progress lines, and this process's peak RSS.
import { run } from '../cli/commands/evaluate.ts';
import { ownPeakRssKb } from './tree-rss.ts';

const started = performance.now();
const phases: Record<string, number> = {};
let mark = started;
let out = '';

/** Each progress line that ends a phase, and the name of the phase it ends (the time since the previous one). */
const MARKERS: [RegExp, string][] = [
  [/^policies:/, 'load_policies'], [/^advisories:/, 'load_advisories'],
  [/^reading (\w+): (\d+)\/\2$/, 'read_$1'], [/^index…/, 'advisory_index'], [/^judging hosts: (\d+)\/\1$/, 'judge_hosts'],
  [/^metrics…/, 'judge_rest'], [/^controls…/, 'exceptions'], [/^validate…/, 'metrics_controls_manifest'],
];

function onLine(line: string): void {
  for (const [re, name] of MARKERS) {
    const m = re.exec(line);
    if (!m) continue;
    const now = performance.now();
    phases[name.replace('$1', m[1] ?? '')] = Math.round(now - mark) / 1000;
    mark = now;
    return;
  }
}

const code = await run(process.argv.slice(2), {
  stdout: (s) => void (out += s),
  stderr: (s) => s.split('\n').forEach((l) => l && onLine(l)),
  stdin: async () => '',
  env: process.env,
  cwd: process.cwd(),
});
const end = performance.now();
phases['validate_and_write'] = Math.round(end - mark) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({
  exit: code, seconds: Math.round(end - started) / 1000, cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000, phases,
  peak_rss_mb: Math.round(ownPeakRssKb() / 1000), summary: out.trim().split('\n').pop(),
})}\n`);
