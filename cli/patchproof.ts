#!/usr/bin/env node
// The one `patchproof` command: a table of subcommands, each a module loaded on demand so
// `patchproof agent …` never loads the collector, the site builder or their dependencies.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printError, cliError } from './errors.ts';
import { processIO, type CliIO, type CommandModule } from './io.ts';

interface CommandEntry {
  readonly module: string;
  readonly summary: string;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  init: { module: './commands/init.ts', summary: 'create a collector home and its evidence repository' },
  verify: { module: './commands/verify.ts', summary: 'verify an evidence repository (signatures, chains, history)' },
  collector: { module: './commands/collector.ts', summary: 'run the collector server' },
  token: { module: './commands/token.ts', summary: 'create, list and revoke enrolment tokens' },
  apikey: { module: './commands/apikey.ts', summary: 'create, list and revoke admin API keys' },
  agent: { module: './commands/agent.ts', summary: 'host agent: collect, enroll, run' },
  version: { module: './commands/version.ts', summary: 'compare and sort package versions (dpkg, rpm, apk)' },
  advisories: { module: './commands/advisories.ts', summary: 'import OSV advisories into a snapshot' },
  evaluate: { module: './commands/evaluate.ts', summary: 'judge the evidence against policies and advisories' },
  export: { module: './commands/export.ts', summary: 'write CSV exports from a compliance model' },
  build: { module: './commands/build.ts', summary: 'evaluate and build the auditor site, CSVs and signed PDF packs' },
  serve: { module: './commands/serve.ts', summary: 'serve a built site on 127.0.0.1' },
  new: { module: './commands/new.ts', summary: 'scaffold a policy or an exception from a template' },
  exception: { module: './commands/exception.ts', summary: 'submit an exception file to the collector (signed, audited commit)' },
  demo: { module: './commands/demo.ts', summary: 'run the demo: a simulated fleet with six months of signed history' },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `patchproof — patch-compliance evidence, signed and kept in git\n\nUsage: patchproof <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`patchproof <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(helpText());
    return 0;
  }
  if (name === 'help') {
    // `patchproof help COMMAND` is `patchproof COMMAND --help`.
    if (rest[0] === undefined) {
      io.stdout(helpText());
      return 0;
    }
    return main([rest[0], '--help'], io);
  }
  try {
    const entry = COMMANDS[name];
    if (!entry) throw cliError('CLI_UNKNOWN_COMMAND', `unknown command "${name}"`);
    const mod = (await import(entry.module)) as CommandModule;
    return await mod.run(rest, io);
  } catch (err) {
    return printError(io, err);
  }
}

/** True when this file is the script node was started with, also through a symlink (npx, npm bin links). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(process.argv.slice(2), processIO());
  process.exitCode = code;
}
