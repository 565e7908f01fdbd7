// `patchproof export --model model.json --out DIR`: CSV exports (hosts, patch events, findings,
// exceptions, coverage) of a ComplianceModel, checked against its schema first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeCsvExports } from '../../compliance/export-csv.ts';
import { cmpError } from '../../compliance/errors.ts';
import { assertModel } from '../../compliance/model.ts';
import { parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const USAGE = `Usage:
  patchproof export --model model.json --out DIR

Writes hosts.csv, patch-events.csv, findings.csv, exceptions.csv, coverage.csv and unjudged.csv into DIR.
`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values } = parseOptions(argv, { model: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const file = path.resolve(io.cwd, requireOption(values.model, 'model'));
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (cause) {
      throw cmpError('CMP_MODEL_INVALID', `cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
    const written = writeCsvExports(assertModel(data), path.resolve(io.cwd, requireOption(values.out, 'out')));
    io.stdout(written.map((f) => `wrote ${f}\n`).join(''));
    return 0;
  } catch (err) {
    return printError(io, err);
  }
}
