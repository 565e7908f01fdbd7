// Benchmarks for the judgement layer's hot paths: sorting 50,000 versions per ecosystem and
// matching a 1,000-host fleet against the real AlmaLinux 9 advisory set.
// Run: node bench/run.ts --only compliance-versions (fixtures from ../shared/fixtures, or
// PATCHPROOF_FIXTURES=DIR).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './run.ts';
import { hostEcosystem } from '../compliance/ecosystem.ts';
import { buildAdvisoryIndex } from '../compliance/osv-index.ts';
import { createMatcher } from '../compliance/osv-matcher.ts';
import type { OsvRecord } from '../compliance/osv-types.ts';
import { sortVersions, type VersionEcosystem } from '../compliance/version.ts';

export interface BenchResult {
  readonly name: string;
  readonly ms: number;
}

function time(name: string, fn: () => void): BenchResult {
  const t0 = performance.now();
  fn();
  return { name, ms: Math.round(performance.now() - t0) };
}

function syntheticVersions(ecosystem: VersionEcosystem, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const base = `${i % 40}.${(i * 7) % 100}.${(i * 13) % 17}`;
    if (ecosystem === 'dpkg') out.push(`${i % 3}:${base}~rc${i % 4}-${i % 9}ubuntu${i % 5}`);
    else if (ecosystem === 'rpm') out.push(`${i % 2}:${base}-${i % 50}.el9_${i % 8}`);
    else out.push(`${base}_rc${i % 4}-r${i % 12}`);
  }
  return out;
}

export function runBench(fixtures: string): BenchResult[] {
  const results: BenchResult[] = [];
  for (const eco of ['dpkg', 'rpm', 'apk'] as const) {
    const versions = syntheticVersions(eco, 50_000);
    results.push(time(`sort 50k ${eco} versions`, () => sortVersions(eco, versions)));
  }
  const dir = path.join(fixtures, 'osv/almalinux9/advisories');
  const records = readdirSync(dir).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as OsvRecord);
  let index = buildAdvisoryIndex([]);
  results.push(time(`index ${records.length} AlmaLinux advisories`, () => (index = buildAdvisoryIndex(records))));
  const alma9 = hostEcosystem({ id: 'almalinux', version_id: '9.8' });
  const byName = index.byEcosystem.get('AlmaLinux:9')!;
  const names = [...byName.keys()].sort().slice(0, 700);
  const fixes = names.map((n) => byName.get(n)!.flatMap((e) => e.ranges.flat().filter((x) => x.kind === 'fixed').map((x) => x.text)));
  results.push(time('match 1000 hosts x 700 packages', () => {
    const matcher = createMatcher(index);
    for (let h = 0; h < 1000; h++) {
      matcher.matchHost({ ecosystem: alma9, packages: names.map((name, i) => ({ name, arch: 'x86_64', version: fixes[i]![(h + i) % fixes[i]!.length]! })) });
    }
  }));
  return results;
}

const SORT_TARGET_MS = 1000;

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const fixtures = process.env['PATCHPROOF_FIXTURES'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/fixtures');
  const out: Record<string, unknown> = {};
  for (const r of runBench(fixtures)) {
    ctx.log(`${r.name}: ${r.ms} ms`);
    out[r.name] = r.ms;
  }
  out['target'] = `sort 50k versions < ${SORT_TARGET_MS} ms per ecosystem ("tens of thousands of lines")`;
  return out;
}
