// `patchproof version compare|sort --ecosystem dpkg|rpm|apk`: the compliance layer's version
// order on the command line, for checking one comparison or sorting a list from stdin.

import { cliError, parseOptions, printError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { cmpError } from '../../compliance/errors.ts';
import { compareParsed, isVersionEcosystem, parseVersion, type ParsedVersion, type VersionEcosystem } from '../../compliance/version.ts';
import { isPatchproofError } from '../../evidence/errors.ts';

const USAGE = `Usage:
  patchproof version compare --ecosystem dpkg|rpm|apk A B   print -1, 0 or 1 (A older, equal, newer than B)
  patchproof version sort --ecosystem dpkg|rpm|apk          read versions (one per line) on stdin, print them ascending

Invalid versions are refused (error CMP_VERSION_INVALID, exit 2), never guessed at.
`;

function ecosystemOf(value: string | undefined): VersionEcosystem {
  if (value === undefined || value === '') throw cliError('CLI_USAGE', 'missing required option --ecosystem (dpkg, rpm or apk)');
  if (!isVersionEcosystem(value)) {
    throw cmpError('CMP_ECOSYSTEM_UNKNOWN', `unknown version ecosystem ${JSON.stringify(value)} (expected dpkg, rpm or apk)`);
  }
  return value;
}

/** Parses every line once (naming the line of an invalid one), then sorts stably. */
function sortLines(ecosystem: VersionEcosystem, text: string): string[] {
  const parsed: ParsedVersion[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    try {
      parsed.push(parseVersion(ecosystem, line));
    } catch (e) {
      if (isPatchproofError(e)) throw cmpError('CMP_VERSION_INVALID', `line ${i + 1}: ${e.message}`, { data: { ...e.data, line: i + 1 }, cause: e });
      throw e;
    }
  });
  return parsed.sort(compareParsed).map((p) => p.text);
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseOptions(argv, {
      ecosystem: { type: 'string', short: 'e' },
      help: { type: 'boolean', short: 'h' },
    });
    const [action, ...args] = positionals;
    if (values.help === true || action === undefined || action === 'help') {
      io.stdout(USAGE);
      return action === undefined && values.help !== true ? 2 : 0;
    }
    if (action === 'compare') {
      if (args.length !== 2) throw cliError('CLI_USAGE', `version compare takes two versions, got ${args.length}`);
      const ecosystem = ecosystemOf(values.ecosystem);
      io.stdout(`${compareParsed(parseVersion(ecosystem, args[0]!), parseVersion(ecosystem, args[1]!))}\n`);
      return 0;
    }
    if (action === 'sort') {
      if (args.length !== 0) throw cliError('CLI_USAGE', 'version sort reads its versions from stdin and takes no arguments');
      const ecosystem = ecosystemOf(values.ecosystem);
      const sorted = sortLines(ecosystem, await io.stdin());
      io.stdout(sorted.length === 0 ? '' : `${sorted.join('\n')}\n`);
      return 0;
    }
    throw cliError('CLI_USAGE', `unknown version action ${JSON.stringify(action)} (compare or sort)`);
  } catch (err) {
    return printError(io, err);
  }
}
