// What a CLI command may touch: injected so tests can run commands in-process and read output.
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type CommandModule = { run: (argv: string[], io: CliIO) => Promise<number> };

/**
 * Exits quietly when the reader of our output goes away (`patchproof … | head`), as Unix tools
 * do, instead of dying on an unhandled EPIPE.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export function processIO(): CliIO {
  exitQuietlyOnClosedPipe();
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
