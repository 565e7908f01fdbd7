// A minimal client for the collector's admin API over the demo's TLS (trusting only the demo CA),
// as an operator's script would use it: cli/admin-api.ts, with any answer but a 2xx an error.
import { adminApiCall } from '../admin-api.ts';
import { demoError } from './errors.ts';

export interface AdminClient {
  call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
}

export function adminClient(baseUrl: string, apiKey: string, caPem: string): AdminClient {
  return {
    async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      let answer;
      try {
        answer = await adminApiCall({ server: baseUrl, apiKey, ca: caPem }, method, path, body);
      } catch (cause) {
        throw demoError('CLI_DEMO_ADMIN_API', `collector admin API ${method} ${path} failed: ${(cause as Error).message}`, { cause });
      }
      if (answer.status < 200 || answer.status > 299) {
        throw demoError('CLI_DEMO_ADMIN_API', `collector admin API ${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      }
      return answer.body as T;
    },
  };
}
