// `patchproof evaluate`: judges an evidence repository for one audit period against the policies
// and an advisory snapshot, and writes the ComplianceModel (canonical JSON). Progress on stderr.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { assertValid } from '../../evidence/schema.ts';
import type { CollectorConfig } from '../../evidence/types.gen.ts';
import { evaluateRepository } from '../../compliance/evaluate-repository.ts';
import type { LoadProgress } from '../../compliance/load-evidence.ts';
import { writeModel, type AdvisoryInput, type EvaluateProgress } from '../../compliance/model.ts';
import { loadSnapshot } from '../../compliance/osv-snapshot.ts';
import { defaultPoliciesDir, loadPolicies } from '../../compliance/policy-load.ts';
import { parsePeriod } from '../../compliance/sla-time.ts';
import { cliError, parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const USAGE = `Usage:
  patchproof evaluate --period YYYY-MM-DD..YYYY-MM-DD --out model.json
                      [--repo DIR] [--home DIR] [--advisories SNAPSHOT] [--policies DIR]
                      [--organisation NAME] [--commit ID] [--cache DIR | --no-cache]

  --period        audit period, both days inclusive (UTC); "now" is the end of the last day
  --repo          evidence repository (default: the home's evidence repository)
  --home          collector home: default repository, <home>/advisories/current, organisation
  --advisories    OSV snapshot file or folder (default: <home>/advisories when --home is given)
  --policies      policies folder (default: the project's policies/)
  --organisation  name shown in the model (default: the home's config org)
  --commit        judge this commit of the repository (default: HEAD)
  --cache         keep the history pass here between runs, so the next evaluation reads only
                  the commits added since (default with --home: <home>/cache/evaluate)
  --no-cache      read the whole history and keep nothing
`;

function readConfig(home: string): CollectorConfig {
  return assertValid<CollectorConfig>('config', YAML.parse(readFileSync(path.join(home, 'config.yaml'), 'utf8')), 'config.yaml');
}

function advisoriesFrom(target: string | undefined, io: CliIO): AdvisoryInput | null {
  if (target === undefined) {
    io.stderr('warning: no advisory snapshot given (--advisories or --home); advisory findings are not judged\n');
    return null;
  }
  const snapshot = loadSnapshot(target);
  io.stderr(`advisories: ${snapshot.count} records, snapshot sha256 ${snapshot.hash}\n`);
  return { snapshot_hash: snapshot.hash, records: snapshot.records };
}

function progress(io: CliIO): { load: (p: LoadProgress) => void; evaluate: (p: EvaluateProgress) => void } {
  return {
    load: (p) => {
      if (p.done === p.total || p.done % 100 === 0) io.stderr(`reading ${p.phase}: ${p.done}/${p.total}\n`);
    },
    evaluate: (p) => io.stderr(p.phase === 'hosts' ? `judging hosts: ${p.done}/${p.total}\n` : `${p.phase}…\n`),
  };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values } = parseOptions(argv, {
      repo: { type: 'string' }, home: { type: 'string' }, period: { type: 'string' }, advisories: { type: 'string' },
      policies: { type: 'string' }, organisation: { type: 'string' }, commit: { type: 'string' }, out: { type: 'string' },
      cache: { type: 'string' }, 'no-cache': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const period = parsePeriod(requireOption(values.period, 'period'));
    const out = path.resolve(io.cwd, requireOption(values.out, 'out'));
    const home = values.home ? path.resolve(io.cwd, values.home) : undefined;
    const config = home ? readConfig(home) : undefined;
    const repo = values.repo ? path.resolve(io.cwd, values.repo) : home && config ? path.resolve(home, config.evidence_repo) : undefined;
    if (!repo) throw cliError('CLI_USAGE', 'missing --repo (or --home with an evidence repository)');
    const organisation = values.organisation ?? config?.org;
    if (!organisation) throw cliError('CLI_USAGE', 'missing --organisation (or --home, whose config names the organisation)');
    const policies = loadPolicies(values.policies ? path.resolve(io.cwd, values.policies) : defaultPoliciesDir());
    io.stderr(`policies: ${policies.map((p) => `${p.id}@${p.version}`).join(', ')}\n`);
    const advisories = advisoriesFrom(values.advisories ? path.resolve(io.cwd, values.advisories) : home ? path.join(home, 'advisories') : undefined, io);
    if (values.cache && values['no-cache']) throw cliError('CLI_USAGE', '--cache and --no-cache exclude each other');
    const cache = values['no-cache'] ? undefined : values.cache ? path.resolve(io.cwd, values.cache) : home ? path.join(home, 'cache', 'evaluate') : undefined;
    const p = progress(io);
    const model = await evaluateRepository(repo, {
      ...(cache ? { cache, onCache: (m: string) => io.stderr(`cache: ${m}\n`) } : {}),
      policies, advisories, period, organisation,
      ...(values.commit ? { commit: values.commit } : {}),
      ...(config?.simulated !== undefined ? { simulated: config.simulated } : {}),
      onLoad: p.load,
      onProgress: p.evaluate,
      onWarning: (m) => io.stderr(`warning: ${m}\n`),
    });
    writeModel(out, model);
    const o = model.metrics.overall;
    io.stdout(`wrote ${out}\n${model.hosts.length} hosts, ${model.findings.length} findings (${o.open_overdue} overdue), SLA adherence ${o.adherence_pct ?? 'n/a'}%, commit ${model.inputs.repo_commit}\n`);
    return 0;
  } catch (err) {
    return printError(io, err);
  }
}
