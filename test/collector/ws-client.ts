// A small hand-written agent client for tests: connect with a device token, send JSON frames,
// await replies in order.
import WebSocket from 'ws';
import type { CollectorMessage } from '../../evidence/types.gen.ts';

export interface TestAgent {
  ws: WebSocket;
  send(msg: unknown): void;
  sendRaw(data: string | Buffer): void;
  next(timeoutMs?: number): Promise<CollectorMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function connectAgent(url: string, token: string | null, opts: WebSocket.ClientOptions = {}): Promise<TestAgent> {
  const wsUrl = url.replace(/^http/, 'ws') + '/api/v1/agent';
  const ws = new WebSocket(wsUrl, { ...opts, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const inbox: CollectorMessage[] = [];
  const waiters: ((m: CollectorMessage) => void)[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as CollectorMessage;
    const w = waiters.shift();
    if (w) w(msg);
    else inbox.push(msg);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        send: (m) => ws.send(JSON.stringify(m)),
        sendRaw: (d) => ws.send(d),
        next: (timeoutMs = 10_000) =>
          new Promise((res, rej) => {
            const m = inbox.shift();
            if (m) return res(m);
            const t = setTimeout(() => rej(new Error('no message within timeout')), timeoutMs);
            waiters.push((x) => {
              clearTimeout(t);
              res(x);
            });
          }),
        closed,
        close: () => ws.close(),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += String(c)));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

/** The HTTP status and coded body of a refused upgrade. */
export async function refusedUpgrade(url: string, token: string | null): Promise<{ status: number; body: { code: string } }> {
  try {
    const a = await connectAgent(url, token);
    a.close();
    throw new Error('upgrade was accepted');
  } catch (err) {
    const e = err as { status?: number; body?: string };
    if (e.status === undefined) throw err;
    return { status: e.status, body: JSON.parse(e.body ?? '{}') as { code: string } };
  }
}
