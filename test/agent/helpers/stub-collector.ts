// A small collector stand-in for agent tests: https (or http on loopback) + ws on 127.0.0.1,
// bearer check before the upgrade, enrolment endpoint, and a scriptable reply to each report.
// By default it behaves like the real one: acks in order, dedups report_ids, and nacks
// COL_INVENTORY_REQUIRED when it holds no package list for the report's inventory hash.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { inventorySha256 } from '../../../evidence/packages-tsv.ts';
import { check } from '../../../evidence/schema.ts';
import type { CollectorMessage, HelloMessage, ReportMessage } from '../../../evidence/types.gen.ts';

export const DEVICE_TOKEN = 'ppd_' + 'd'.repeat(48);
export const HOST_ID = 'h_0123456789abcdef';

export interface StubConn {
  ws: WebSocket;
  send(message: CollectorMessage): void;
}

/** Return the replies to send (possibly none) — or 'drop' to close the connection without replying. */
export type ReportHandler = (report: ReportMessage, conn: StubConn, stub: StubCollector) => CollectorMessage[] | 'drop' | 'default';

export interface StubOptions {
  tls?: { cert: string; key: string };
  onReport?: ReportHandler;
  onHello?: (hello: HelloMessage, conn: StubConn, stub: StubCollector) => CollectorMessage[];
  enroll?: (body: unknown, req: http.IncomingMessage) => { status: number; body: unknown };
  autoPong?: boolean;
}

export class StubCollector {
  readonly options: StubOptions;
  server: http.Server | https.Server | null = null;
  wss: WebSocketServer | null = null;
  port = 0;
  /** Every report frame received, in order (resends included). */
  readonly reports: ReportMessage[] = [];
  readonly hellos: HelloMessage[] = [];
  /** seq of each report acknowledged the first time, in ack order. */
  readonly ackOrder: number[] = [];
  readonly firstAck = new Map<string, number>();
  readonly inventories = new Set<string>();
  readonly authHeaders: string[] = [];
  readonly enrollBodies: unknown[] = [];
  /** Every HTTP request or upgrade that reached the server (to prove nothing was sent). */
  httpRequests = 0;
  readonly connections = new Set<WebSocket>();
  connectionsOpened = 0;
  invalidFrames = 0;

  constructor(options: StubOptions = {}) {
    this.options = options;
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/`;
  }

  async start(port = 0): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.#http(req, res);
    this.server = this.options.tls ? https.createServer({ ...this.options.tls, minVersion: 'TLSv1.2' }, handler) : http.createServer(handler);
    this.wss = new WebSocketServer({ noServer: true, autoPong: this.options.autoPong ?? true });
    this.server.on('upgrade', (req, socket, head) => {
      this.httpRequests++;
      const auth = req.headers.authorization ?? '';
      this.authHeaders.push(auth);
      if (req.url !== '/api/v1/agent' || auth !== `Bearer ${DEVICE_TOKEN}`) {
        const body = JSON.stringify({ code: 'COL_DEVICE_UNKNOWN', message: 'device token not recognised' });
        socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.#connection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  dropConnections(): void {
    for (const ws of this.connections) ws.terminate();
  }

  broadcast(message: CollectorMessage): void {
    for (const ws of this.connections) ws.send(JSON.stringify(message));
  }

  /** The default collector behaviour for one report. */
  defaultReply(report: ReportMessage): CollectorMessage[] {
    const { body } = report;
    if (body.packages) {
      if (inventorySha256(body.packages) !== body.inventory_sha256) {
        return [{ type: 'nack', report_id: report.report_id, code: 'COL_INVENTORY_MISMATCH', message: 'packages do not hash to inventory_sha256', retry: false }];
      }
      this.inventories.add(body.inventory_sha256);
    } else if (!this.inventories.has(body.inventory_sha256) && !this.firstAck.has(report.report_id)) {
      return [{ type: 'nack', report_id: report.report_id, code: 'COL_INVENTORY_REQUIRED', message: 'send the package list', retry: true }];
    }
    const duplicate = this.firstAck.has(report.report_id);
    if (!duplicate) {
      this.firstAck.set(report.report_id, report.seq);
      this.ackOrder.push(report.seq);
    }
    return [{ type: 'ack', report_id: report.report_id, status: duplicate ? 'duplicate' : 'written' }];
  }

  #connection(ws: WebSocket): void {
    this.connections.add(ws);
    this.connectionsOpened++;
    const conn: StubConn = { ws, send: (m) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m)) };
    ws.on('close', () => this.connections.delete(ws));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HelloMessage | ReportMessage;
      const problem = check('agentMessage', message);
      if (problem !== null) {
        this.invalidFrames++;
        return;
      }
      if (message.type === 'hello') {
        this.hellos.push(message);
        for (const m of this.options.onHello?.(message, conn, this) ?? []) conn.send(m);
        return;
      }
      this.reports.push(message);
      const replies = this.options.onReport?.(message, conn, this) ?? 'default';
      if (replies === 'drop') return void ws.terminate();
      for (const m of replies === 'default' ? this.defaultReply(message) : replies) conn.send(m);
    });
  }

  #http(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.httpRequests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v1/enroll' || !this.options.enroll) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'COL_NOT_FOUND', message: 'no such route' }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      this.enrollBodies.push(body);
      const answer = this.options.enroll(body, req);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  }
}

export async function startStub(options: StubOptions = {}): Promise<StubCollector> {
  return new StubCollector(options).start();
}
