// `patchproof init --home DIR [--org NAME] [--collector-id ID]`: a new collector home with its
// private signing key and a signed evidence repository.
import { resolve } from 'node:path';
import { initHome } from '../../evidence/home.ts';
import { parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const USAGE = 'Usage: patchproof init --home DIR [--org NAME] [--collector-id ID]\n';

export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    const { values } = parseOptions(argv, {
      home: { type: 'string' },
      org: { type: 'string' },
      'collector-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const home = resolve(io.cwd, requireOption(values.home, 'home'));
    const result = await initHome({
      home,
      org: values.org ?? 'Example Organisation',
      ...(values['collector-id'] ? { collectorId: values['collector-id'] } : {}),
    });
    io.stdout(
      [
        `Created collector home ${result.paths.home}`,
        `  config:         ${result.paths.config}`,
        `  signing key:    ${result.paths.signingKey} (mode 0600; keep it out of backups you share)`,
        `  evidence repo:  ${result.paths.evidenceRepo}`,
        `  key fingerprint ${result.fingerprint}`,
        `  first commit    ${result.commit}`,
        '',
        `Publish the fingerprint to your auditors; check the repository any time with`,
        `  patchproof verify --repo ${result.paths.evidenceRepo}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    return printError(io, err);
  }
}
