// How the CLI reports failures: message and hint for expected errors (PatchproofError), a
// stack only for bugs. Exit 2 for usage/expected errors, 1 for "ran fine, found problems".
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PatchproofError, defineErrors, isPatchproofError } from '../evidence/errors.ts';
import type { CliIO } from './io.ts';

export const CLI_ERRORS = {
  CLI_USAGE: { title: 'Usage error', hint: 'Run `patchproof help` for the list of commands and options.' },
  CLI_UNKNOWN_COMMAND: { title: 'Unknown command', hint: 'Run `patchproof help` for the list of commands.' },
  CLI_FILE_INVALID: { title: 'File refused', hint: 'Start from `patchproof new exception`; the file must match evidence/schemas/exception.schema.json.' },
  CLI_SERVER_UNREACHABLE: { title: 'Collector not reachable', hint: 'Check --server (scheme, host and port) and, for a private CA, --ca.' },
  CLI_SERVER_REFUSED: { title: 'The collector refused the request', hint: 'The collector’s own error code and hint are shown above; see docs/collector.md (Admin API).' },
} as const;

export const cliError = defineErrors(CLI_ERRORS);

export function printError(io: CliIO, err: unknown): number {
  if (isPatchproofError(err)) {
    io.stderr(`error ${err.code}: ${err.message}\n`);
    if (err.hint) io.stderr(`hint: ${err.hint}\n`);
    return 2;
  }
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`error CLI_USAGE: ${e.message}\n`);
    return 2;
  }
  io.stderr(`internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}

/** node:util parseArgs with strict checking; unknown options become CLI_USAGE errors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (cause) {
    throw cliError('CLI_USAGE', (cause as Error).message, { cause });
  }
}

export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw cliError('CLI_USAGE', `missing required option --${flag}`);
  return value;
}

export { PatchproofError };
