// `patchproof collector --home DIR --listen HOST:PORT [--tls-cert F --tls-key F] [--insecure-http]`:
// runs the collector until SIGTERM/SIGINT, then shuts down gracefully (stop accepting, finish and
// ack in-flight reports, flush the commit group, close sockets, release the repository lock).
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import YAML from 'yaml';
import { startCollectorServer } from '../../collector/server.ts';
import { parseOptions, requireOption } from '../errors.ts';
import type { CliIO } from '../io.ts';

const HELP = `Usage: patchproof collector --home DIR [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]
                            [--insecure-http] [--trust-proxy ADDR[,ADDR…]] [--log-level LEVEL]

Runs the collector: agent WebSocket gateway, enrolment and admin API on one port.
  --listen         address to listen on (default: config.yaml listen, else 127.0.0.1:8443; port 0 = any free port)
  --tls-cert/key   PEM certificate and key: serve HTTPS/WSS (TLS 1.2 minimum)
  --insecure-http  allow plain HTTP on a non-loopback address (only behind a TLS proxy)
  --trust-proxy    addresses/CIDRs of your reverse proxies: their X-Forwarded-For gives the client
                   address for token scopes, rate limits and the audit log (default: config.yaml
                   trust_proxy, else none — the header is ignored)
  --log-level      fatal, error, warn, info (default), debug
Prints "patchproof collector listening on URL" once ready; logs JSON to stderr.
`;

interface HomeDefaults {
  listen?: string;
  tls?: { cert?: string; key?: string };
}

async function homeDefaults(home: string): Promise<HomeDefaults> {
  try {
    const config = YAML.parse(await readFile(join(home, 'config.yaml'), 'utf8')) as HomeDefaults;
    return config ?? {};
  } catch {
    return {};
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseOptions(
    argv,
    {
      home: { type: 'string' },
      listen: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'insecure-http': { type: 'boolean' },
      'trust-proxy': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const home = resolve(io.cwd, requireOption(values.home, 'home'));
  const defaults = await homeDefaults(home);
  const fromHome = (p: string | undefined) => (p === undefined ? undefined : isAbsolute(p) ? p : join(home, p));
  const tlsCert = values['tls-cert'] !== undefined ? resolve(io.cwd, values['tls-cert']) : fromHome(defaults.tls?.cert);
  const tlsKey = values['tls-key'] !== undefined ? resolve(io.cwd, values['tls-key']) : fromHome(defaults.tls?.key);
  const running = await startCollectorServer({
    home,
    listen: values.listen ?? defaults.listen ?? '127.0.0.1:8443',
    ...(tlsCert === undefined ? {} : { tlsCert }),
    ...(tlsKey === undefined ? {} : { tlsKey }),
    insecureHttp: values['insecure-http'] === true,
    ...(values['trust-proxy'] === undefined ? {} : { options: { trustProxy: values['trust-proxy'].split(',').map((a) => a.trim()).filter((a) => a !== '') } }),
    logger: { level: values['log-level'] ?? 'info', stream: process.stderr },
  });
  io.stdout(`patchproof collector listening on ${running.url}\n`);
  const signal = await new Promise<string>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  io.stderr(`${signal}: shutting down\n`);
  await running.close();
  io.stderr('collector stopped\n');
  return 0;
}
