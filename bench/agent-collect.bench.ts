// Agent collection cost: wall time and peak RSS of a fresh process collecting this host and a
// synthetic 5,000-package Debian host, and the size of a report when nothing changed.
// Targets: this host < 300 ms and < 60 MB; an unchanged report < 5 KB (raw; the pending list travels by hash).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildAgent } from '../scripts/build-agent.ts';

const NODE = resolve(import.meta.dirname, '../node_modules/.bin/node');
const CHILD = resolve(import.meta.dirname, 'agent-collect-child.ts');
let childBundle = '';

interface ChildResult {
  ms: number[];
  maxRSS_kb: number;
  packages: number;
  pending: number;
  history: number;
  warnings: string[];
  unchanged_body: string;
  pending_changed_body: string;
}

/** The V8 flags deploy/agent/patchproof-agent.service starts node with (no background threads, a small young generation, no optimising JIT). */
export const UNIT_NODE_FLAGS = ['--single-threaded', '--max-semi-space-size=1', '--max-opt=1'];

function child(options: object, flags: readonly string[] = []): ChildResult & { process_ms: number } {
  const t = performance.now();
  const out = execFileSync(NODE, [...flags, childBundle, JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ...(JSON.parse(out) as ChildResult), process_ms: Math.round(performance.now() - t) };
}

const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A dpkg status file and dpkg.log for `n` packages, shaped like Debian's (multi-arch, sources, epochs). */
export function syntheticDpkgHost(root: string, n: number): void {
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(root, 'var/log/apt'), { recursive: true });
  const status: string[] = [];
  const log: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `pkg${i.toString(36)}-lib${i % 7}`;
    const version = `${i % 5 === 0 ? '1:' : ''}${i % 40}.${i % 13}.${i % 3}-${(i % 9) + 1}+deb12u${i % 4}`;
    status.push(
      [
        `Package: ${name}`,
        'Status: install ok installed',
        'Priority: optional',
        'Section: libs',
        `Installed-Size: ${100 + i}`,
        'Maintainer: Synthetic <synthetic@example.org>',
        `Architecture: ${i % 6 === 0 ? 'all' : 'amd64'}`,
        ...(i % 3 === 0 && i % 6 !== 0 ? ['Multi-Arch: same'] : []),
        ...(i % 2 === 0 ? [`Source: src${Math.floor(i / 2).toString(36)}${i % 4 === 0 ? ` (${i % 40}.${i % 13}-1)` : ''}`] : []),
        `Version: ${version}`,
        'Depends: libc6 (>= 2.36)',
        `Description: synthetic package ${i}`,
        ' A package generated for the agent benchmark.',
      ].join('\n'),
    );
    log.push(`2026-05-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00 install ${name}:amd64 <none> ${version}`);
  }
  writeFileSync(join(root, 'var/lib/dpkg/status'), `${status.join('\n\n')}\n`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
  writeFileSync(join(root, 'var/log/dpkg.log'), `${log.join('\n')}\n`);
}

export async function run(ctx: { log: (s: string) => void; tmp?: string; tmpDir?: string; quick?: boolean }): Promise<Record<string, unknown>> {
  const tmp = ctx.tmpDir ?? ctx.tmp ?? mkdtempSync(join(tmpdir(), 'pp-bench-agent-'));
  const runs = ctx.quick ? 3 : 7;
  // measure what ships: the child bundled like the agent (no TypeScript stripping, no module resolution)
  childBundle = join(tmp, 'agent-collect-child.mjs');
  await buildAgent({ entry: CHILD, outfile: childBundle });

  ctx.log('this host, without the apt simulation (one collection per process)');
  const host = child({ pending: false, runs: 1 });
  const hostUnit = child({ pending: false, runs: 1 }, UNIT_NODE_FLAGS);
  ctx.log('this host, repeated collections in one process');
  const hostRepeat = child({ pending: false, runs }, UNIT_NODE_FLAGS);
  ctx.log('this host, with the apt simulation (first run cold, then memoised)');
  const full = child({ runs: 3 }, UNIT_NODE_FLAGS);

  ctx.log('synthetic 5,000-package dpkg host');
  const root = join(tmp, 'synthetic-5000');
  syntheticDpkgHost(root, 5000);
  const synth = child({ root, pending: false, runs: 1 }, UNIT_NODE_FLAGS);
  const synthRepeat = child({ root, pending: false, runs }, UNIT_NODE_FLAGS);

  ctx.log('unchanged report (history since now, no packages, pending by hash)');
  const unchanged = child({ since: new Date().toISOString(), runs: 1 });
  const raw = Buffer.byteLength(unchanged.unchanged_body);
  const synthUnchanged = child({ root, pending: false, since: new Date().toISOString(), runs: 1 });

  return {
    node_flags_of_the_unit: UNIT_NODE_FLAGS.join(' '),
    host: {
      packages: host.packages,
      history_events: host.history,
      collect_ms: round(hostUnit.ms[0]!),
      collect_ms_default_flags: round(host.ms[0]!),
      process_ms: hostUnit.process_ms,
      peak_rss_mb: round(hostUnit.maxRSS_kb / 1024),
      peak_rss_mb_default_flags: round(host.maxRSS_kb / 1024),
      repeated_median_ms: round(median(hostRepeat.ms.slice(1))),
      repeated_peak_rss_mb: round(hostRepeat.maxRSS_kb / 1024),
      target: '< 300 ms, < 60 MB',
    },
    host_with_apt_simulation: {
      pending: full.pending,
      cold_ms: round(full.ms[0]!),
      memoised_ms: round(median(full.ms.slice(1))),
      peak_rss_mb: round(full.maxRSS_kb / 1024),
    },
    synthetic_5000: {
      packages: synth.packages,
      history_events: synth.history,
      collect_ms: round(synth.ms[0]!),
      peak_rss_mb: round(synth.maxRSS_kb / 1024),
      repeated_median_ms: round(median(synthRepeat.ms.slice(1))),
      repeated_peak_rss_mb: round(synthRepeat.maxRSS_kb / 1024),
      warnings: synth.warnings,
    },
    unchanged_report: {
      host_pending_updates: unchanged.pending,
      raw_bytes: raw,
      gzip_bytes: gzipSync(unchanged.unchanged_body).length,
      pending_changed_raw_bytes: Buffer.byteLength(unchanged.pending_changed_body),
      pending_changed_gzip_bytes: gzipSync(unchanged.pending_changed_body).length,
      synthetic_no_pending_raw_bytes: Buffer.byteLength(synthUnchanged.unchanged_body),
      synthetic_no_pending_gzip_bytes: gzipSync(synthUnchanged.unchanged_body).length,
      target: '< 5 KB',
    },
  };
}
