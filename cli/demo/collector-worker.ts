// Worker-thread entry of the demo's collector (see collector-thread.ts): starts the real collector
// on 127.0.0.1 with TLS and a clock read from the shared virtual time, and performs the few
// admin actions the demo asks for over the message port.
import { parentPort, workerData } from 'node:worker_threads';
import { createApiKey } from '../../collector/admin-actions.ts';
import { actors } from '../../collector/audit.ts';
import { startCollectorServer } from '../../collector/server.ts';
import type { AuditInput } from '../../evidence/audit-log.ts';
import { isPatchproofError } from '../../evidence/errors.ts';
import { repoPaths } from '../../evidence/paths.ts';
import type { CollectorReply, CollectorRequest, CollectorThreadConfig } from './collector-thread.ts';

const config = workerData as CollectorThreadConfig;
const time = new Float64Array(config.time);
const clock = (): Date => new Date(time[0]!);
const port = parentPort!;

function errorOf(err: unknown): { code?: string; message: string; hint?: string } {
  if (isPatchproofError(err)) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { message: (err as Error)?.stack ?? String(err) };
}

try {
  const running = await startCollectorServer({
    home: config.home,
    clock,
    listen: '127.0.0.1:0',
    tlsCert: config.tlsCert,
    tlsKey: config.tlsKey,
    logger: false,
    options: config.options,
  });
  const c = running.collector;
  const record = async (input: AuditInput, label: string) => {
    await c.sink.write([], label, [input]);
  };
  port.on('message', (req: CollectorRequest) => {
    void (async (): Promise<unknown> => {
      switch (req.type) {
        case 'create-api-key': {
          const { secret } = await createApiKey({ state: c.state, actor: actors.cli('demo'), source: null, now: clock(), record }, { role: req.role, name: req.name });
          return secret;
        }
        case 'commit-exception': {
          // Kept off the admin route (PUT exceptions/:id) so the files keep their simulated-data
          // header and the audit names the person (requester, then approver) rather than an API
          // key; commit through the collector's own writer (the single-writer lock holds), as a
          // commit of its own under the given message, audited like any admin action.
          await c.sink.writeReviewed([{ path: repoPaths.exception(req.exceptionId), content: req.yaml }], req.message, [
            {
              actor: actors.cli(req.actor),
              action: 'exception.committed',
              target: { type: 'exception', id: req.exceptionId },
              time: clock(),
              details: { message: req.message.slice(0, 200) },
            },
          ]);
          return null;
        }
        case 'shutdown':
          await running.close();
          return null;
      }
    })().then(
      (value) => port.postMessage({ id: req.id, ok: true, value } satisfies CollectorReply),
      (err: unknown) => port.postMessage({ id: req.id, ok: false, error: errorOf(err) } satisfies CollectorReply),
    );
  });
  port.postMessage({ type: 'listening', url: running.url });
} catch (err) {
  port.postMessage({ type: 'failed', error: errorOf(err) });
}
