// `patchproof build`: evaluate the evidence (or take a prebuilt model), then build the auditor
// site, the CSV exports and the signed PDF evidence packs into one folder, reporting each phase.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPoliciesDir } from '../../compliance/policy-load.ts';
import { parsePeriod } from '../../compliance/sla-time.ts';
import { loadHome } from '../../evidence/home.ts';
import { buildSite } from '../../site/lib/build/build-site.ts';
import type { ArtifactSigner } from '../../site/lib/build/checksums.ts';
import { cliError, parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { run as evaluateRun } from './evaluate.ts';

const USAGE = `Usage:
  patchproof build --repo DIR --out DIR --period YYYY-MM-DD..YYYY-MM-DD
                   [--home DIR] [--advisories SNAPSHOT] [--policies DIR] [--model FILE]
                   [--organisation NAME] [--commit ID] [--no-cache] [--no-packs] [--no-search]
                   [--workers N]

  --repo          evidence repository (default: the home's)
  --out           output folder for the site; it is emptied first
  --period        audit period, both days inclusive (UTC)
  --home          collector home: signs packs and checksums with its key; advisory snapshot
  --advisories    OSV snapshot (default: <home>/advisories)
  --policies      policies folder (default: the project's policies/)
  --model         use this model instead of evaluating (its period must match --period)
  --organisation  organisation name for evaluation (default: the home's)
  --commit        evaluate this commit of the repository (default: HEAD)
  --no-cache      evaluate without the home's history cache (<home>/cache/evaluate)
  --no-packs      skip the PDF evidence packs
  --no-search     skip the Pagefind search index
  --workers       pack processes rendering at once (default: for 100+ hosts, as many as fit
                  a 1 GB build and one per core, at least 1; 0 = render in the build process)

Serve the result with: patchproof serve --dir DIR
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let scratch: string | undefined;
  try {
    const { values } = parseOptions(argv, {
      repo: { type: 'string' }, out: { type: 'string' }, period: { type: 'string' }, home: { type: 'string' },
      advisories: { type: 'string' }, policies: { type: 'string' }, model: { type: 'string' }, organisation: { type: 'string' },
      commit: { type: 'string' }, 'no-cache': { type: 'boolean' }, 'no-packs': { type: 'boolean' }, 'no-search': { type: 'boolean' }, workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const abs = (p: string) => path.resolve(io.cwd, p);
    const period = parsePeriod(requireOption(values.period, 'period'));
    const out = abs(requireOption(values.out, 'out'));
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 16)) throw cliError('CLI_USAGE', '--workers must be an integer from 0 to 16');
    const home = values.home ? await loadHome(abs(values.home)) : null;
    const repo = values.repo ? abs(values.repo) : home?.paths.evidenceRepo;
    if (!repo) throw cliError('CLI_USAGE', 'missing --repo (or --home with an evidence repository)');
    const policiesDir = values.policies ? abs(values.policies) : defaultPoliciesDir();
    const log = (line: string) => io.stderr(`build: ${line}\n`);

    let modelFile: string;
    if (values.model) {
      modelFile = abs(values.model);
      log(`using the prebuilt model ${modelFile}`);
    } else {
      scratch = mkdtempSync(path.join(tmpdir(), 'patchproof-build-'));
      modelFile = path.join(scratch, 'model.json');
      log('evaluate…');
      const args = ['--repo', repo, '--period', `${period.start}..${period.end}`, '--policies', policiesDir, '--out', modelFile];
      if (values.home) args.push('--home', abs(values.home));
      if (values.advisories) args.push('--advisories', abs(values.advisories));
      if (values.organisation) args.push('--organisation', values.organisation);
      if (values.commit) args.push('--commit', values.commit);
      if (values['no-cache']) args.push('--no-cache');
      const code = await evaluateRun(args, { ...io, stdout: (s) => io.stderr(s) });
      if (code !== 0) return code;
    }
    const modelPeriod = (JSON.parse(readFileSync(modelFile, 'utf8')) as { period?: { start?: string; end?: string } }).period;
    if (modelPeriod?.start !== period.start || modelPeriod?.end !== period.end) {
      throw cliError('CLI_USAGE', `the model covers ${modelPeriod?.start}..${modelPeriod?.end}, not ${period.start}..${period.end}`);
    }
    const signer: ArtifactSigner | null = home?.signer ?? null;
    const report = await buildSite({
      modelFile, outDir: out, repoDir: repo, policiesDir, signer, log,
      packs: !values['no-packs'], search: !values['no-search'], ...(workers !== undefined ? { workers } : {}),
    });
    io.stdout(`built ${out} in ${(report.elapsedMs / 1000).toFixed(1)} s: ${report.packs.length} packs${signer ? ` signed by ${signer.fingerprint}` : ' (unsigned)'}, ${report.exports.length} exports, ${report.evidence.files} evidence files\n`);
    return 0;
  } catch (err) {
    return printError(io, err);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
