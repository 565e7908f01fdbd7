// Benchmark runner (`npm run bench`, or `node bench/run.ts --only NAME`): runs every
// bench/*.bench.ts, merges the results into bench/results.json and prints a summary.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BenchContext {
  /** Progress lines (stderr). */
  log: (message: string) => void;
  /** A scratch directory, removed after the bench unless --keep. */
  tmpDir: string;
  /** Smaller sizes for a smoke run (--quick). */
  quick: boolean;
}

export type BenchModule = { run: (ctx: BenchContext) => Promise<Record<string, unknown>> };

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(BENCH_DIR, 'results.json');

function flatten(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${prefix} = ${JSON.stringify(value)}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' }, quick: { type: 'boolean' }, keep: { type: 'boolean' } }, strict: true });
  const names = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .filter((n) => values.only === undefined || n === values.only)
    .sort();
  if (names.length === 0) {
    process.stderr.write(`no bench matches ${values.only ?? '*'}\n`);
    return 2;
  }
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    results = {};
  }
  for (const name of names) {
    const tmp = mkdtempSync(join(tmpdir(), `pp-bench-${name}-`));
    const started = performance.now();
    process.stderr.write(`▶ ${name}\n`);
    try {
      const mod = (await import(pathToFileURL(join(BENCH_DIR, `${name}.bench.ts`)).href)) as BenchModule;
      const out = await mod.run({ log: (m) => process.stderr.write(`  ${name}: ${m}\n`), tmpDir: tmp, quick: values.quick === true });
      results[name] = {
        date: new Date().toISOString(),
        node: process.version,
        cpus: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        quick: values.quick === true,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        results: out,
      };
      process.stdout.write(`\n${name} (${((performance.now() - started) / 1000).toFixed(1)} s)\n${flatten(out).map((l) => `  ${l}`).join('\n')}\n`);
    } finally {
      if (!values.keep) rmSync(tmp, { recursive: true, force: true });
      else process.stderr.write(`  kept ${tmp}\n`);
    }
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
