#!/usr/bin/env node
// Entry of the bundled agent, `patchproof-agent enroll|run|collect|rotate-token` (also
// `patchproof agent …`). Argument parsing and printing only; the work is in enroll.ts, runner.ts,
// collect.ts and rotate-token.ts.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isPatchproofError } from '../evidence/errors.ts';
import { enroll } from './enroll.ts';
import { createJsonLog, type LogLevel } from './log.ts';
import { rotateDeviceToken } from './rotate-token.ts';
import { createAgentRunner, type AgentRunnerOptions, type CollectFn, type CollectedReport } from './runner.ts';
import { StateStore } from './state.ts';
import { connectWebSocket, type ConnectFn } from './transport.ts';

export interface AgentIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

export interface AgentDeps {
  /** Replaces agent/collect.ts (tests, fixtures). Receives --root when given. */
  collect?: (options: { since?: Date; now?: () => Date; root?: string }) => Promise<CollectedReport>;
  connect?: ConnectFn;
  /** Stops `run`; defaults to SIGTERM/SIGINT of this process. */
  signal?: AbortSignal;
  /** Runner tuning for tests and fixtures (short backoff and ack timeouts). */
  runner?: Partial<Pick<AgentRunnerOptions, 'backoff' | 'ackTimeoutMs' | 'clock' | 'random' | 'healthySessionMs'>>;
}

const USAGE = `Usage: patchproof agent <command> [options]

  enroll --server URL --token ppe_… --state DIR [--ca FILE] [--pin-sha256 SPKI] [--hostname NAME] [--force]
         (the token may instead be given in PATCHPROOF_ENROLL_TOKEN, keeping it out of ps)
  run    --state DIR [--once] [--interval SECONDS] [--log-level debug|info|warn|error]
         [--spool-max-reports N] [--spool-max-mb N]   (defaults 2000 reports, 256 MiB)
  collect [--json]      print what would be sent; no network
  rotate-token --state DIR
                        get a new device token now and use it once, which retires the old one
                        (a running agent does this by itself when the collector asks; stop it first)

  --root DIR            read package state below DIR instead of / (all commands)
`;

class UsageError extends Error {}

function options<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], spec: T) {
  try {
    return parseArgs({ args: argv, options: { ...spec, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${flag}`);
  return value;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive whole number`);
  return n;
}

async function collectFn(deps: AgentDeps, root: string | undefined): Promise<CollectFn> {
  if (deps.collect) {
    const c = deps.collect;
    return (o) => c({ ...o, ...(root ? { root } : {}) });
  }
  const { collect } = await import('./collect.ts');
  // One cache for the life of the process: unchanged slow work (update simulation) is not redone.
  const cache = new Map<string, unknown>();
  return (o) => collect({ ...o, cache, ...(root ? { root } : {}) });
}

export async function agentMain(argv: string[], io: AgentIO, deps: AgentDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'enroll':
        return await enrollCommand(rest, io, deps);
      case 'run':
        return await runCommand(rest, io, deps);
      case 'collect':
        return await collectCommand(rest, io, deps);
      case 'rotate-token':
        return await rotateCommand(rest, io, deps);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown agent command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error CLI_USAGE: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (isPatchproofError(err)) {
      io.stderr(`error ${err.code}: ${err.message}\n`);
      if (err.hint) io.stderr(`hint: ${err.hint}\n`);
      return 2;
    }
    io.stderr(`internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 70;
  }
}

async function enrollCommand(argv: string[], io: AgentIO, deps: AgentDeps): Promise<number> {
  const v = options(argv, {
    server: { type: 'string' },
    token: { type: 'string' },
    state: { type: 'string' },
    ca: { type: 'string' },
    'pin-sha256': { type: 'string' },
    hostname: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (v.help) return void io.stdout(USAGE), 0;
  const token = v.token ?? io.env.PATCHPROOF_ENROLL_TOKEN;
  const caFile = v.ca === undefined ? undefined : resolve(v.ca);
  const collect = await collectFn(deps, v.root);
  const result = await enroll({
    server: required(v.server, 'server'),
    token: required(token, 'token'),
    state: resolve(required(v.state, 'state')),
    facts: async () => (await collect({ now: () => new Date() })).body,
    ...(caFile ? { ca: { pem: await readFile(caFile, 'utf8'), file: caFile } } : {}),
    ...(v['pin-sha256'] ? { pinSha256: v['pin-sha256'] } : {}),
    ...(v.hostname ? { hostname: v.hostname } : {}),
    force: v.force ?? false,
    log: createJsonLog({ write: io.stderr, level: 'warn' }),
  });
  io.stdout(`enrolled as ${result.host_id} with collector ${result.collector_id}\ncredentials: ${result.credentialsPath} (mode 0600)\n`);
  return 0;
}

async function runCommand(argv: string[], io: AgentIO, deps: AgentDeps): Promise<number> {
  const v = options(argv, {
    state: { type: 'string' },
    once: { type: 'boolean' },
    interval: { type: 'string' },
    'log-level': { type: 'string' },
    'spool-max-reports': { type: 'string' },
    'spool-max-mb': { type: 'string' },
  });
  if (v.help) return void io.stdout(USAGE), 0;
  let intervalMs: number | undefined;
  if (v.interval !== undefined) {
    const seconds = Number(v.interval);
    if (!(seconds >= 0.05 && seconds <= 604_800)) throw new UsageError('--interval must be a number of seconds between 0.05 and 604800');
    intervalMs = Math.round(seconds * 1000);
  }
  const level = (v['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError('--log-level must be debug, info, warn or error');
  const log = createJsonLog({ write: io.stderr, level });
  const limits = {
    ...(v['spool-max-reports'] === undefined ? {} : { maxEntries: positiveInt(v['spool-max-reports'], 'spool-max-reports') }),
    ...(v['spool-max-mb'] === undefined ? {} : { maxBytes: positiveInt(v['spool-max-mb'], 'spool-max-mb') * 1024 * 1024 }),
  };
  const store = await StateStore.open(resolve(required(v.state, 'state')), { spool: { limits } });
  const release = await store.lock();
  try {
    const runner = createAgentRunner({
      state: store,
      collect: await collectFn(deps, v.root),
      log,
      ...deps.runner,
      ...(deps.connect ? { connect: deps.connect } : {}),
      ...(intervalMs === undefined ? {} : { intervalMs, jitterMs: Math.min(intervalMs / 10, 300_000) }),
    });
    if (v.once) {
      const r = await runner.runOnce();
      io.stdout(`${JSON.stringify({ collected: r.collected, acked: r.acked, rejected: r.rejected, pending: r.pending, outcome: r.outcome })}\n`);
      if (r.error) throw r.error;
      return r.pending === 0 && r.collected !== null ? 0 : 1;
    }
    const stop = () => void runner.stop();
    if (deps.signal) deps.signal.addEventListener('abort', stop, { once: true });
    else {
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    }
    try {
      await runner.start();
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
    return 0;
  } finally {
    await release();
  }
}

async function rotateCommand(argv: string[], io: AgentIO, deps: AgentDeps): Promise<number> {
  const v = options(argv, { state: { type: 'string' } });
  if (v.help) return void io.stdout(USAGE), 0;
  const store = await StateStore.open(resolve(required(v.state, 'state')));
  // One writer of credentials.json: a running agent rotates by itself when the collector asks.
  const release = await store.lock();
  try {
    const log = createJsonLog({ write: io.stderr, level: 'warn' });
    const { credentials, previousValidUntil } = await rotateDeviceToken(store, { log });
    io.stdout(`new device token for ${credentials.host_id} stored in ${store.dir}/credentials.json (mode 0600)\n`);
    try {
      // The new token's first authentication retires the old one.
      const conn = await (deps.connect ?? connectWebSocket)({ credentials, onMessage: () => {}, onClose: () => {}, log });
      conn.close(1000, 'token rotated');
      io.stdout('the collector accepted it; the previous token no longer works\n');
    } catch (err) {
      const e = err as Error & { code?: string };
      io.stderr(`warning ${e.code ?? 'AGT_CONNECTION_LOST'}: the new token was not used yet (${e.message}); it takes over at the next connection, and the previous one works until then or ${previousValidUntil}\n`);
    }
    return 0;
  } finally {
    await release();
  }
}

async function collectCommand(argv: string[], io: AgentIO, deps: AgentDeps): Promise<number> {
  const v = options(argv, { json: { type: 'boolean' } });
  if (v.help) return void io.stdout(USAGE), 0;
  const collect = await collectFn(deps, v.root);
  const { body } = await collect({ now: () => new Date() });
  io.stdout(v.json ? JSON.stringify(body, null, 2) + '\n' : summary(body));
  return 0;
}

export function summary(body: CollectedReport['body']): string {
  const os = [body.os.id, body.os.version_id].filter(Boolean).join(' ');
  const security = body.pending.filter((p) => p.security).length;
  const k = body.kernel;
  const reboot = k.reboot_required ? `yes${k.reboot_reason ? ` (${k.reboot_reason})` : ''}` : 'no';
  const lines = [
    `host       ${body.hostname} (${os}, ${body.arch})`,
    `collected  ${body.collected_at}`,
    `kernel     ${k.running || 'unknown'} running; ${k.installed.length} installed`,
    `reboot     ${reboot}`,
    `packages   ${body.inventory_count} (${body.package_manager}), inventory sha256 ${body.inventory_sha256}`,
    `pending    ${body.pending.length} update(s), ${security} security`,
    ...body.pending.filter((p) => p.security).slice(0, 20).map((p) => `  security ${p.name} ${p.installed ?? '-'} -> ${p.candidate}${p.advisories?.length ? ` (${p.advisories.join(', ')})` : ''}`),
    ...(security > 20 ? [`  … and ${security - 20} more`] : []),
    `history    ${body.history.length} event(s)`,
    `warnings   ${body.warnings.length}`,
    ...body.warnings.map((w) => `  ${w.code}: ${w.message}`),
  ];
  return lines.join('\n') + '\n';
}

/** True when this file (or the bundle built from it) is the script node was started with, also through a symlink. */
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
  // `patchproof-agent collect | head`: stop quietly when the reader goes away.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const io: AgentIO = { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s), env: process.env };
  process.exitCode = await agentMain(process.argv.slice(2), io);
}
