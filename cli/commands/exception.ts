// `patchproof exception submit FILE --server URL --api-key-file F`: sends an exception file (made
// with `patchproof new exception`) to the collector, which commits it signed and audited. Submit
// the request first and the approved file later: each submission is its own commit in its history.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { EXCEPTION_ID_RE } from '../../evidence/paths.ts';
import { check } from '../../evidence/schema.ts';
import type { ExceptionRecord } from '../../evidence/types.gen.ts';
import { adminApiCall } from '../admin-api.ts';
import { cliError, parseOptions, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const HELP = `Usage:
  patchproof exception submit FILE --server URL --api-key-file FILE [--ca FILE] [--json]

Validates FILE (exceptions/EXC-nnnn.yaml, see \`patchproof new exception\`) and sends it to the
collector (PUT /api/v1/admin/exceptions/EXC-nnnn, an owner or admin API key), which commits it
to the evidence repository as a signed, audited commit. Submit the request, then the approved
version: both stay in the file's history.
`;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw cliError('CLI_USAGE', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Parses and validates an exception file; throws CLI_FILE_INVALID with the schema's complaint. */
export function readExceptionFile(text: string, file: string): ExceptionRecord {
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: 'core', uniqueKeys: true });
  } catch (cause) {
    throw cliError('CLI_FILE_INVALID', `${file} is not valid YAML: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  const problem = check('exception', data);
  if (problem !== null) throw cliError('CLI_FILE_INVALID', `${file} does not match exception.schema.json: ${problem}`);
  const record = data as ExceptionRecord;
  if (!EXCEPTION_ID_RE.test(record.id)) throw cliError('CLI_FILE_INVALID', `${file}: id ${JSON.stringify(record.id)} is not EXC-nnnn`);
  return record;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseOptions(rest, {
    server: { type: 'string' },
    'api-key-file': { type: 'string' },
    ca: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (sub === undefined || sub === 'help' || sub === '--help' || values.help) {
    io.stdout(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'submit') throw cliError('CLI_USAGE', `unknown exception subcommand "${sub}"`);
  if (positionals.length !== 1) throw cliError('CLI_USAGE', 'exception submit needs exactly one FILE');
  const file = resolve(io.cwd, positionals[0] as string);
  const record = readExceptionFile(readText(file, 'exception file'), positionals[0] as string);
  const apiKey = readText(resolve(io.cwd, requireOption(values['api-key-file'], 'api-key-file')), 'API key file').trim();
  if (!apiKey.startsWith('ppa_')) throw cliError('CLI_USAGE', 'the API key file must hold an admin API key (ppa_…)');
  const ca = values.ca === undefined ? undefined : readText(resolve(io.cwd, values.ca), 'CA file');
  const answer = await adminApiCall({ server: requireOption(values.server, 'server'), apiKey, ...(ca ? { ca } : {}) }, 'PUT', `/api/v1/admin/exceptions/${record.id}`, record);
  const body = (answer.body ?? {}) as { code?: string; message?: string; hint?: string; commit?: string | null; created?: boolean; changed?: string[]; path?: string };
  if (answer.status < 200 || answer.status > 299) {
    io.stderr(`collector: ${body.code ?? `HTTP ${answer.status}`}: ${body.message ?? ''}\n${body.hint ? `collector hint: ${body.hint}\n` : ''}`);
    throw cliError('CLI_SERVER_REFUSED', `exception ${record.id} was not committed (${body.code ?? `HTTP ${answer.status}`})`, { data: { status: answer.status, code: body.code ?? null } });
  }
  if (values.json) io.stdout(JSON.stringify(body) + '\n');
  else if (body.commit === null) io.stdout(`${body.path}: unchanged (identical to the committed file)\n`);
  else io.stdout(`${body.path}: ${body.created ? 'created' : `updated (${(body.changed ?? []).join(', ')})`} in commit ${body.commit}\n`);
  return 0;
}
