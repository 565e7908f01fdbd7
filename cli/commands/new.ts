// `patchproof new exception|policy|meta|runbook`: copies a scaffold from templates/ with today's
// date filled in (clock injectable: PATCHPROOF_NOW or the `now` dependency) and validates it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { check } from '../../evidence/schema.ts';
import { cmpError } from '../../compliance/errors.ts';
import { parsePolicy } from '../../compliance/policy.ts';
import { DAY_MS, isoDate } from '../../compliance/sla-time.ts';
import { cliError, parseOptions, printError } from '../errors.ts';
import type { CliIO } from '../io.ts';

const TEMPLATES = new URL('../../templates/', import.meta.url);

const KINDS = {
  exception: { file: 'exception.yaml', defaultId: 'EXC-0001', idPattern: /^EXC-[0-9]{4,6}$/, ext: '.yaml' },
  policy: { file: 'policy.mdx', defaultId: 'new-policy', idPattern: /^[a-z0-9][a-z0-9-]{0,63}$/, ext: '.mdx' },
  meta: { file: 'meta.yaml', defaultId: 'meta', idPattern: /^meta$/, ext: '.yaml' },
  runbook: { file: 'runbook.md', defaultId: 'runbook', idPattern: /^[a-z0-9][a-z0-9-]{0,63}$/, ext: '.md' },
} as const;

type Kind = keyof typeof KINDS;

const USAGE = `Usage:
  patchproof new exception [--id EXC-nnnn] [--requester NAME] [--out FILE]
  patchproof new policy [--id POLICY-ID] [--title TITLE] [--out FILE]
  patchproof new meta [--out FILE]
  patchproof new runbook [--id NAME] [--title TITLE] [--out FILE]

Writes ./<id>.<ext> unless --out is given; never overwrites. Dates are today's (UTC).
`;

export interface NewDeps {
  readonly now: () => Date;
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{([a-z_]+)\}\}/g, (m, k: string) => values[k] ?? m);
}

/** Renders a template and validates it; pure apart from reading the template file. */
export function renderTemplate(kind: Kind, opts: { id?: string; title?: string; requester?: string; now: Date }): string {
  const spec = KINDS[kind];
  const id = opts.id ?? spec.defaultId;
  if (!spec.idPattern.test(id)) throw cliError('CLI_USAGE', `--id ${JSON.stringify(id)} is not a valid ${kind} id`);
  const today = opts.now.getTime();
  const text = fill(readFileSync(new URL(spec.file, TEMPLATES), 'utf8'), {
    id, today: isoDate(today), title: opts.title ?? (kind === 'runbook' ? 'Service name' : 'New policy'),
    requester: opts.requester ?? 'Requester Name', owner: 'Team name',
    planned: isoDate(today + 30 * DAY_MS), expires: isoDate(today + 60 * DAY_MS), review_by: isoDate(today + 365 * DAY_MS),
  });
  validate(kind, text, `${id}${spec.ext}`);
  return text;
}

function validate(kind: Kind, text: string, file: string): void {
  if (kind === 'policy') {
    parsePolicy(text, file);
    return;
  }
  if (kind === 'runbook') return;
  const problem = check(kind === 'exception' ? 'exception' : 'meta', YAML.parse(text));
  if (problem !== null) throw cmpError('CMP_TEMPLATE_INVALID', `${file} does not validate: ${problem}`);
}

function nowFrom(io: CliIO, deps?: NewDeps): Date {
  const fixed = io.env['PATCHPROOF_NOW'];
  if (fixed) {
    const d = new Date(fixed);
    if (Number.isNaN(d.getTime())) throw cliError('CLI_USAGE', `PATCHPROOF_NOW is not a date: ${fixed}`);
    return d;
  }
  return (deps?.now ?? (() => new Date()))();
}

export async function run(argv: string[], io: CliIO, deps?: NewDeps): Promise<number> {
  try {
    const { values, positionals } = parseOptions(argv, {
      id: { type: 'string' }, title: { type: 'string' }, requester: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    });
    const kind = positionals[0];
    if (values.help || kind === undefined) {
      io.stdout(USAGE);
      return values.help ? 0 : 2;
    }
    if (!(kind in KINDS) || positionals.length > 1) throw cliError('CLI_USAGE', `unknown scaffold ${JSON.stringify(positionals.join(' '))} (exception, policy, meta or runbook)`);
    const k = kind as Kind;
    const text = renderTemplate(k, { ...values, now: nowFrom(io, deps) });
    const out = path.resolve(io.cwd, values.out ?? `${values.id ?? KINDS[k].defaultId}${KINDS[k].ext}`);
    if (existsSync(out)) throw cliError('CLI_USAGE', `${out} already exists; choose another --out`);
    writeFileSync(out, text, { flag: 'wx' });
    io.stdout(`wrote ${out}\n`);
    return 0;
  } catch (err) {
    return printError(io, err);
  }
}
