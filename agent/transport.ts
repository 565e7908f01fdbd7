// The agent's only network path for reports: one outbound WebSocket to the collector
// (`/api/v1/agent`, `Authorization: Bearer ppd_…`), JSON messages validated against the protocol
// schema, ping/pong keepalive. Network timeouts measure a real socket, so they use real time
// even when the runner's scheduling runs on a virtual clock.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { PatchproofError } from '../evidence/errors.ts';
import { check } from '../evidence/schema.ts';
import type { AgentMessage, CollectorMessage } from '../evidence/types.gen.ts';
import { silentLog, type AgentLog } from './log.ts';
import type { Credentials } from './state.ts';
import { openVerifiedSocket, parseServerUrl } from './tls.ts';
import { agtError } from './transport-errors.ts';

export interface CloseInfo {
  code: number;
  reason: string;
  /** Why the agent side ended it (dead peer, protocol error), when it did. */
  error?: PatchproofError;
}

export interface ConnectRequest {
  credentials: Credentials;
  /** Every valid collector message, in arrival order. Invalid ones are logged and dropped. */
  onMessage(message: CollectorMessage): void;
  /** Exactly once, after open, when the connection ends for any reason. */
  onClose(info: CloseInfo): void;
  signal?: AbortSignal;
  log?: AgentLog;
}

export interface AgentConnection {
  /** Throws AGT_CONNECTION_LOST if the connection is no longer open. */
  send(message: AgentMessage): void;
  close(code?: number, reason?: string): void;
}

/**
 * What the runner needs from a transport; resolves once the connection is open (or rejects with
 * AGT_TLS_UNTRUSTED, AGT_TLS_PIN_MISMATCH, AGT_AUTH_REFUSED, AGT_SERVER_UNREACHABLE …). The demo
 * may pass an in-memory implementation.
 */
export type ConnectFn = (request: ConnectRequest) => Promise<AgentConnection>;

export interface WebSocketTransportOptions {
  /** Send a ping after this much silence (default 30 s). */
  keepaliveMs?: number;
  /** Declare the peer dead after this much silence (default 75 s). */
  deadAfterMs?: number;
  connectTimeoutMs?: number;
  /** Largest collector frame accepted (default 1 MiB; collector messages are tiny). */
  maxPayload?: number;
}

export const AGENT_PATH = 'api/v1/agent';

export function agentSocketUrl(server: string): URL {
  const url = new URL(AGENT_PATH, parseServerUrl(server));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

export function webSocketTransport(options: WebSocketTransportOptions = {}): ConnectFn {
  const keepaliveMs = options.keepaliveMs ?? 30_000;
  const deadAfterMs = options.deadAfterMs ?? 75_000;
  const timeoutMs = options.connectTimeoutMs ?? 15_000;
  return async (request) => {
    const { credentials } = request;
    const log = request.log ?? silentLog;
    const url = agentSocketUrl(credentials.server);
    const socket = await openVerifiedSocket(url, { ca: credentials.ca_pem, pinSha256: credentials.pin_sha256 }, { timeoutMs, signal: request.signal });
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${credentials.device_token}` },
      createConnection: () => socket,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: timeoutMs,
      maxPayload: options.maxPayload ?? 1024 * 1024,
    });
    await opened(ws, url.host, request.signal);
    return attach(ws, request, log, keepaliveMs, deadAfterMs);
  };
}

/** The default transport: real sockets, real TLS. */
export const connectWebSocket: ConnectFn = webSocketTransport();

function opened(ws: WebSocket, where: string, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: PatchproofError) => {
      if (settled) return;
      settled = true;
      ws.removeAllListeners('open');
      ws.removeAllListeners('unexpected-response');
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        ws.on('error', () => {});
        ws.terminate();
        reject(err);
      } else resolve();
    };
    const onAbort = () => done(agtError('AGT_SERVER_UNREACHABLE', `connection to ${where} cancelled`));
    ws.once('open', () => done());
    ws.once('error', (err) => done(agtError('AGT_SERVER_UNREACHABLE', `WebSocket handshake with ${where} failed: ${err.message}`, { cause: err })));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      void readErrorBody(res).then((body) => {
        const detail = body ? ` (${body.code}: ${body.message})` : '';
        const data = { status: res.statusCode ?? 0, collector_code: body?.code ?? null };
        if (res.statusCode === 401 || res.statusCode === 403) done(agtError('AGT_AUTH_REFUSED', `collector ${where} refused the device token: HTTP ${res.statusCode}${detail}`, { data }));
        else done(agtError('AGT_SERVER_UNREACHABLE', `collector ${where} answered HTTP ${res.statusCode} instead of upgrading${detail}`, { data }));
      });
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads a small JSON error body {code, message}; null if there is none. */
export async function readErrorBody(res: IncomingMessage, limit = 16 * 1024): Promise<{ code: string; message: string } | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > limit) break;
      chunks.push(chunk as Buffer);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: unknown; message?: unknown };
    if (typeof body.code !== 'string') return null;
    return { code: body.code.slice(0, 80), message: String(body.message ?? '').slice(0, 500) };
  } catch {
    return null;
  } finally {
    res.destroy();
  }
}

function attach(ws: WebSocket, request: ConnectRequest, log: AgentLog, keepaliveMs: number, deadAfterMs: number): AgentConnection {
  let lastHeard = Date.now();
  let pinged = false; // one ping per silence, not one per tick
  let closeError: PatchproofError | undefined;
  const heard = () => {
    lastHeard = Date.now();
    pinged = false;
  };
  const terminate = (err: PatchproofError) => {
    closeError ??= err;
    ws.terminate();
  };
  const keepalive = setInterval(() => {
    const silent = Date.now() - lastHeard;
    if (silent >= deadAfterMs) terminate(agtError('AGT_CONNECTION_LOST', `no pong or message from the collector for ${Math.round(silent / 1000)} s`));
    else if (silent >= keepaliveMs && !pinged && ws.readyState === WebSocket.OPEN) {
      pinged = true;
      ws.ping();
    }
  }, Math.max(50, Math.min(keepaliveMs, deadAfterMs) / 3));
  keepalive.unref?.();

  ws.on('pong', heard);
  ws.on('ping', heard);
  ws.on('error', (err) => {
    closeError ??= agtError('AGT_CONNECTION_LOST', `connection error: ${err.message}`, { cause: err });
  });
  ws.on('message', (data, isBinary) => {
    heard();
    let message: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      message = JSON.parse(data.toString());
    } catch {
      log.warn('collector sent a frame that is not JSON text', { code: 'AGT_PROTOCOL_ERROR' });
      return;
    }
    const problem = check('collectorMessage', message);
    if (problem !== null) {
      log.warn(`collector message refused: ${problem}`, { code: 'AGT_PROTOCOL_ERROR', type: (message as { type?: unknown })?.type ?? null });
      return;
    }
    request.onMessage(message as CollectorMessage);
  });
  ws.once('close', (code, reason) => {
    clearInterval(keepalive);
    request.onClose({ code, reason: reason.toString('utf8').slice(0, 200), ...(closeError ? { error: closeError } : {}) });
  });
  const onAbort = () => ws.close(1001, 'agent stopping');
  request.signal?.addEventListener('abort', onAbort, { once: true });
  ws.once('close', () => request.signal?.removeEventListener('abort', onAbort));

  return {
    send(message) {
      if (ws.readyState !== WebSocket.OPEN) throw agtError('AGT_CONNECTION_LOST', 'the connection to the collector is closed');
      ws.send(JSON.stringify(message));
    },
    close(code = 1000, reason = '') {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      // A peer that never answers the close handshake must not hold the socket.
      setTimeout(() => ws.terminate(), 2_000).unref?.();
    },
  };
}
