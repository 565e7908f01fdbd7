// Runs a collector on a socket: parses HOST:PORT, refuses plain HTTP off loopback unless told,
// loads the TLS certificate, listens, and reports the URL. Shutdown is the app's shutdown().
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { buildCollectorApp, TLS_CIPHERS, type CollectorApp, type CollectorDeps } from './app.ts';
import { isLoopbackHost } from './auth/cidr.ts';
import { colError } from './errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:8443", "[::1]:0", "0.0.0.0:443", "localhost:8080". */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw colError('COL_REQUEST_INVALID', `--listen ${JSON.stringify(text)} is not HOST:PORT`, { hint: 'e.g. 127.0.0.1:8443, [::1]:8443 or 0.0.0.0:443' });
  return { host: (m[1] ?? m[2]) as string, port };
}

export interface ServerOptions extends Omit<CollectorDeps, 'tls'> {
  readonly listen: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Allow plain HTTP on a non-loopback address (a TLS-terminating proxy in front). */
  readonly insecureHttp?: boolean;
  /** TCP accept backlog (default 2048): a reconnect storm of thousands must not overflow it. */
  readonly backlog?: number;
}

export interface RunningCollector {
  readonly url: string;
  readonly port: number;
  readonly collector: CollectorApp;
  close(): Promise<void>;
}

async function loadTls(certPath: string, keyPath: string): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    const [cert, key] = await Promise.all([readFile(certPath), readFile(keyPath)]);
    createSecureContext({ cert, key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS });
    return { cert, key };
  } catch (cause) {
    throw colError('COL_TLS_INVALID', `cannot use TLS certificate ${certPath} with key ${keyPath}: ${(cause as Error).message}`, { cause });
  }
}

export async function startCollectorServer(opts: ServerOptions): Promise<RunningCollector> {
  const { host, port } = parseListen(opts.listen);
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw colError('COL_TLS_INVALID', '--tls-cert and --tls-key go together');
  const tls = opts.tlsCert && opts.tlsKey ? await loadTls(opts.tlsCert, opts.tlsKey) : undefined;
  if (!tls && !isLoopbackHost(host) && !opts.insecureHttp) {
    throw colError('COL_INSECURE_LISTEN', `refusing plain HTTP on ${host}: agents would send device tokens in clear text`);
  }
  const collector = await buildCollectorApp({ ...opts, ...(tls ? { tls } : {}) });
  try {
    await collector.app.listen({ host, port, backlog: opts.backlog ?? 2048 });
  } catch (err) {
    await collector.shutdown();
    throw err;
  }
  const bound = (collector.app.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tls ? 'https' : 'http'}://${shownHost}:${bound}`,
    port: bound,
    collector,
    close: () => collector.shutdown(),
  };
}
