// `patchproof serve`: serves a built site on 127.0.0.1 only (never on other interfaces), so an
// auditor can browse it, search it and download its packs locally. Ctrl-C stops it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createStaticServer } from '../../site/lib/serve/static-server.ts';
import { cliError, parseOptions, printError, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const USAGE = `Usage:
  patchproof serve --dir DIR [--port N]

Serves the site built by \`patchproof build\` at http://127.0.0.1:N/ (default port 4321; 0 picks a free one).
`;

export const SERVE_HOST = '127.0.0.1';

export async function run(argv: string[], io: CliIO, opts: { signal?: AbortSignal } = {}): Promise<number> {
  try {
    const { values } = parseOptions(argv, { dir: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const dir = path.resolve(io.cwd, requireOption(values.dir, 'dir'));
    if (!existsSync(path.join(dir, 'index.html'))) throw cliError('CLI_USAGE', `${dir} is not a built site (no index.html); run \`patchproof build\` first`);
    const port = values.port === undefined ? 4321 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw cliError('CLI_USAGE', '--port must be an integer from 0 to 65535');
    const server = createStaticServer({ root: dir });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, SERVE_HOST, () => resolve());
    });
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    io.stdout(`serving ${dir} at http://${SERVE_HOST}:${actual}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      if (opts.signal) {
        if (opts.signal.aborted) stop();
        else opts.signal.addEventListener('abort', stop, { once: true });
      } else {
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
    });
    return 0;
  } catch (err) {
    return printError(io, err);
  }
}
