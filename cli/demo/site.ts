// The demo's site: `patchproof build` for the last two quarters (signed with the home's key,
// judged with the demo's policies), then `patchproof serve` on 127.0.0.1.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run as buildRun } from '../commands/build.ts';
import { run as serveRun } from '../commands/serve.ts';
import type { CliIO } from '../io.ts';
import { demoError } from './errors.ts';

export interface DemoSiteOptions {
  home: string;
  out: string;
  policiesDir: string;
  /** Both days inclusive, YYYY-MM-DD. */
  period: { start: string; end: string };
  io: CliIO;
  say: (line: string) => void;
}

export interface DemoSite {
  /** How to check a pack with stock gpg, as lines to print. */
  verifyHint: string[];
  serve(port?: number): Promise<number>;
}

export async function buildDemoSite(o: DemoSiteOptions): Promise<DemoSite> {
  const args = ['--home', o.home, '--period', `${o.period.start}..${o.period.end}`, '--policies', o.policiesDir, '--out', o.out];
  const forward = (s: string) => {
    for (const line of s.split('\n')) if (line.trim() !== '') o.say(`      ${line.replace(/^build: /, '')}`);
  };
  const code = await buildRun(args, { ...o.io, stdout: forward, stderr: forward });
  if (code !== 0) throw demoError('CLI_DEMO_BUILD', `patchproof build ${args.join(' ')} failed (exit ${code})`);
  return {
    verifyHint: verifyHint(o.out),
    serve: (port) => serveRun(['--dir', o.out, '--port', String(port ?? 0)], o.io),
  };
}

function verifyHint(out: string): string[] {
  const packs = existsSync(join(out, 'packs')) ? readdirSync(join(out, 'packs')).filter((f) => f.endsWith('.pdf')).sort() : [];
  const keys = existsSync(join(out, 'keys')) ? readdirSync(join(out, 'keys')).filter((f) => f.endsWith('.asc')).sort() : [];
  if (packs.length === 0 || keys.length === 0) return [];
  const pack = join(out, 'packs', packs[0]!);
  return [
    `Evidence packs (${packs.length}, signed): ${join(out, 'packs')}`,
    'Verify a pack with stock gpg:',
    '  export GNUPGHOME=$(mktemp -d)',
    `  gpg --import ${keys.map((k) => join(out, 'keys', k)).join(' ')}`,
    `  gpg --verify ${pack}.asc ${pack}`,
    `  (and ${join(out, 'packs', 'SHA256SUMS')}: sha256sum -c, gpg --verify SHA256SUMS.asc SHA256SUMS)`,
  ];
}
