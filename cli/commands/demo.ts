// `patchproof demo`: a fresh home, the real collector (TLS, in-process, on a virtual clock), a
// simulated fleet of ~40 real agents reporting six months of history in seconds, this machine's
// own agent, a bundled advisory snapshot, the site for the last two quarters, served locally.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliError, parseOptions } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { DEMO_ORG } from '../demo/scenario.ts';
import { runDemo, type DemoOptions } from '../demo/run-demo.ts';

const USAGE = `Usage: patchproof demo [--home DIR] [--out DIR] [--no-serve] [--port N] [--no-real-host]

Runs the simulated-fleet demo: a collector home (a new temporary directory unless --home names
an empty or missing one), the real collector on 127.0.0.1 with a throw-away TLS CA, ~40
simulated hosts plus this machine reporting six months of history, the advisory snapshot
shipped in demo/data, and the evidence site for the last two quarters.

  --home DIR       where the home goes (must be empty or not exist)
  --out DIR        where the site goes (default HOME/site)
  --no-serve       build and exit instead of serving the site
  --port N         serve on 127.0.0.1:N (default: a free port)
  --no-real-host   leave this machine's own agent out (fully reproducible data)

All data is simulated (${DEMO_ORG}); the site and the evidence repository say so.
`;

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  try {
    return (await readdir(dir)).length === 0;
  } catch {
    return false;
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseOptions(argv, {
    home: { type: 'string' },
    out: { type: 'string' },
    'no-serve': { type: 'boolean' },
    port: { type: 'string' },
    'no-real-host': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, false);
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw cliError('CLI_USAGE', `--port ${JSON.stringify(values.port)} is not a port number`);
  }
  let home: string;
  if (values.home !== undefined) {
    home = resolve(io.cwd, values.home);
    if (!(await isEmptyOrMissing(home))) {
      throw cliError('CLI_USAGE', `--home ${home} is not empty`, { hint: 'The demo always starts from a fresh home: give a new or empty directory, or leave --home out.' });
    }
  } else {
    home = await mkdtemp(join(tmpdir(), 'patchproof-demo-'));
  }
  const options: DemoOptions = {
    home,
    out: values.out === undefined ? join(home, 'site') : resolve(io.cwd, values.out),
    serve: values['no-serve'] !== true,
    realHost: values['no-real-host'] !== true,
    ...(port === undefined ? {} : { port }),
    io,
  };
  try {
    return await runDemo(options);
  } catch (err) {
    io.stderr(`the demo stopped; its home ${home} is kept for inspection\n`);
    throw err;
  }
}
