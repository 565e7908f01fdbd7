// `patchproof advisories import PATH --home DIR`: turns an OSV folder or all.zip export into a
// hashed snapshot under DIR/advisories/; `status` shows which snapshot is current.

import path from 'node:path';
import { cliError, parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { importAdvisories, type ImportProgress } from '../../compliance/osv-import.ts';
import { loadSnapshot } from '../../compliance/osv-snapshot.ts';

const USAGE = `Usage:
  patchproof advisories import PATH --home DIR   import a folder of OSV JSON files or an OSV all.zip
                                                 into DIR/advisories/snapshot-<sha256:12>.json (+ index, current pointer)
  patchproof advisories status --home DIR        show the current snapshot (verifies its sha256)

Invalid records are reported and skipped (exit 1 when any were skipped); withdrawn records are left out.
`;

export function advisoriesDir(home: string, cwd: string): string {
  return path.join(path.resolve(cwd, home), 'advisories');
}

function progressPrinter(io: CliIO): (p: ImportProgress) => void {
  return (p) => {
    if (p.phase === 'read') io.stderr(`read ${p.total} JSON file(s)\n`);
    else if (p.phase === 'validate') io.stderr(`validated ${p.done}/${p.total}\n`);
    else io.stderr(`wrote snapshot of ${p.total} record(s)\n`);
  };
}

async function runImport(args: string[], home: string, io: CliIO): Promise<number> {
  if (args.length !== 1) throw cliError('CLI_USAGE', `advisories import takes one PATH, got ${args.length}`);
  const source = path.resolve(io.cwd, args[0]!);
  const result = await importAdvisories(source, advisoriesDir(home, io.cwd), { onProgress: progressPrinter(io) });
  for (const s of result.skipped) io.stderr(`skipped ${s.file}${s.id === undefined ? '' : ` (${s.id})`}: ${s.reason}\n`);
  io.stdout(
    [
      `imported ${result.count} advisories into ${result.path}`,
      `sha256 ${result.hash}`,
      `skipped ${result.skipped.length} invalid record(s)`,
      `withdrawn ${result.withdrawn.length} record(s) left out`,
    ].join('\n') + '\n',
  );
  return result.skipped.length > 0 ? 1 : 0;
}

function runStatus(home: string, io: CliIO): number {
  const snapshot = loadSnapshot(advisoriesDir(home, io.cwd));
  io.stdout(`current ${snapshot.path}\nsha256 ${snapshot.hash}\nrecords ${snapshot.count}\n`);
  return 0;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values, positionals } = parseOptions(argv, {
      home: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    const [action, ...args] = positionals;
    if (values.help === true || action === undefined || action === 'help') {
      io.stdout(USAGE);
      return action === undefined && values.help !== true ? 2 : 0;
    }
    const home = requireOption(values.home ?? io.env['PATCHPROOF_HOME'], 'home');
    if (action === 'import') return await runImport(args, home, io);
    if (action === 'status') return runStatus(home, io);
    throw cliError('CLI_USAGE', `unknown advisories action ${JSON.stringify(action)} (import or status)`);
  } catch (err) {
    return printError(io, err);
  }
}
