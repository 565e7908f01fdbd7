// A small client for the collector's admin API, as the CLI uses it: Bearer API key, JSON in and
// out, HTTPS with the system CAs or a given CA file (plain HTTP only as the server allows it).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { cliError } from './errors.ts';

export interface AdminApiOptions {
  /** The collector's base URL, e.g. https://collector.example.com:8443 */
  readonly server: string;
  readonly apiKey: string;
  /** PEM of the CA that signed the collector's certificate, when it is not a system CA. */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

export interface AdminApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

function baseUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw cliError('CLI_USAGE', `--server ${JSON.stringify(server)} is not a URL (e.g. https://collector.example.com:8443)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw cliError('CLI_USAGE', `--server must be an https:// (or http://) URL, not ${url.protocol}`);
  return url;
}

/** Sends one request; resolves with the status and parsed JSON body, whatever the status. */
export function adminApiCall(opts: AdminApiOptions, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<AdminApiAnswer> {
  const url = new URL(path, baseUrl(opts.server));
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      ...(opts.ca && url.protocol === 'https:' ? { ca: opts.ca } : {}),
      timeout: opts.timeoutMs ?? 30_000,
      headers: {
        authorization: `Bearer ${opts.apiKey}`,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = null;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          parsed = { message: text.slice(0, 300) };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (cause) => reject(cliError('CLI_SERVER_UNREACHABLE', `${method} ${url.origin}${url.pathname} failed: ${cause.message}`, { cause })));
    req.end(payload);
  });
}
