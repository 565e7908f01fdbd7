// A minimal client for the collector's admin API over the demo's TLS (trusting only the demo CA),
// as an operator's script would use it: Bearer API key, JSON in and out.
import { request } from 'node:https';
import { demoError } from './errors.ts';

export interface AdminClient {
  call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
}

export function adminClient(baseUrl: string, apiKey: string, caPem: string): AdminClient {
  return {
    call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise<T>((resolve, reject) => {
        const req = request(new URL(path, baseUrl), {
          method,
          ca: caPem,
          headers: {
            authorization: `Bearer ${apiKey}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(demoError('CLI_DEMO_ADMIN_API', `collector admin API ${method} ${path} answered ${status}: ${text.slice(0, 300)}`));
              return;
            }
            try {
              resolve((text === '' ? null : JSON.parse(text)) as T);
            } catch (cause) {
              reject(demoError('CLI_DEMO_ADMIN_API', `collector admin API ${method} ${path} answered non-JSON`, { cause }));
            }
          });
        });
        req.on('error', (cause) => reject(demoError('CLI_DEMO_ADMIN_API', `collector admin API ${method} ${path} failed: ${cause.message}`, { cause })));
        req.end(payload);
      });
    },
  };
}
