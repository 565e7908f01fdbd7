// The agent gateway: WebSocket upgrades on /api/v1/agent of the fastify server's own HTTP(S)
// server. The device token is checked before the upgrade (401 on the raw socket); one live
// session per device; revocation closes it at once; a requested token rotation is asked for
// in-band; ping/pong drops dead peers.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AuditInput } from '../../evidence/audit-log.ts';
import { actors, auditInput, type Actor } from '../audit.ts';
import { clientAddress } from '../auth/cidr.ts';
import type { DeviceAuthenticator } from '../auth/device-auth.ts';
import type { Clock } from '../clock.ts';
import type { ColCode } from '../errors.ts';
import type { Ingest } from '../ingest/pipeline.ts';
import type { CollectorMetrics } from '../metrics.ts';
import { RateLimiter } from '../rate-limit.ts';
import type { RefusalAudit } from '../refusal-audit.ts';
import type { CollectorState } from '../state/state.ts';
import { AgentSession } from './agent-session.ts';
import { rejectUpgrade } from './raw-reply.ts';

export const AGENT_PATH = '/api/v1/agent';

export interface GatewayOptions {
  readonly maxFrameBytes: number;
  readonly messagesPerMinute: number;
  readonly pingIntervalMs: number;
  readonly maxOutstanding: number;
  /** Sent in the `config` that asks an agent to rotate its token (as in the hello's answer). */
  readonly checkinIntervalS: number;
  readonly jitterS: number;
  /** Reverse proxies (normalised CIDRs) whose X-Forwarded-For names the agent's address. */
  readonly trustedProxies?: readonly string[];
}

export interface GatewayDeps {
  readonly state: CollectorState;
  readonly auth: DeviceAuthenticator;
  readonly ingest: Ingest;
  readonly metrics: CollectorMetrics;
  readonly clock: Clock;
  /** Audits refusals: one by one within budget (per device), else in summaries. */
  readonly refusals: RefusalAudit;
  readonly options: GatewayOptions;
  readonly log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
}

/** WebSocket close codes the collector uses (4000-4999 are application codes). */
export const CLOSE = { revoked: 4401, replaced: 4409, shutdown: 1001, tooLarge: 1009 } as const;

export class AgentGateway {
  readonly #d: GatewayDeps;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<string, AgentSession>();
  readonly #messageLimiter: RateLimiter;
  #ping: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(deps: GatewayDeps) {
    this.#d = deps;
    const o = deps.options;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.#messageLimiter = new RateLimiter(deps.clock, { perMinute: o.messagesPerMinute });
  }

  /** Takes over `upgrade` on the server fastify created, and starts keepalive pings. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.#ping = setInterval(() => this.#pingAll(), this.#d.options.pingIntervalMs);
    this.#ping.unref();
  }

  get connected(): number {
    return this.#sessions.size;
  }

  isConnected(hostId: string): boolean {
    return this.#sessions.has(hostId);
  }

  #refusal(action: string, code: ColCode, source: string | null, actor: Actor, hostId?: string, details?: AuditInput['details']): AuditInput {
    return auditInput({ actor, action, outcome: 'refused', source, code, time: this.#d.clock(), ...(hostId ? { target: { type: 'host', id: hostId } } : {}), ...(details ? { details } : {}) });
  }

  /** Audits a refusal on its own within budget (per device when `budgetKey` is given), else in the next summary. */
  #audit(entry: AuditInput, budgetKey?: string): void {
    this.#d.refusals.refuse(entry, budgetKey).catch((err: unknown) => this.#d.log.warn({ err }, 'audit of a refusal failed'));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    if (path !== AGENT_PATH) return rejectUpgrade(socket, 404, 'COL_NOT_FOUND', 'no WebSocket endpoint here');
    if (!this.#accepting) return rejectUpgrade(socket, 503, 'COL_SHUTTING_DOWN', 'collector is shutting down; retry later');
    const source = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.#d.options.trustedProxies ?? []);
    const auth = this.#d.auth.check(req.headers.authorization, source);
    if (!auth.ok) return rejectUpgrade(socket, auth.status, auth.code, auth.message);
    const hostId = auth.device.host_id;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const previous = this.#sessions.get(hostId);
      if (previous) previous.ws.close(CLOSE.replaced, 'replaced by a newer connection');
      const session = new AgentSession(hostId, source, ws, {
        ingest: this.#d.ingest,
        metrics: this.#d.metrics,
        messageLimiter: this.#messageLimiter,
        maxFrameBytes: this.#d.options.maxFrameBytes,
        maxOutstanding: this.#d.options.maxOutstanding,
        onRefused: (id, code) => this.#audit(this.#refusal('report.refused', code, source, actors.device(id), id), id),
        onRateLimited: (id) => this.#d.refusals.count(this.#refusal('report.refused', 'COL_RATE_LIMITED', source, actors.device(id), id)),
        rotationRequested: (id) => this.#d.state.devices.get(id)?.rotation_requested_at != null,
        log: this.#d.log,
      });
      this.#sessions.set(hostId, session);
      this.#d.metrics.agentsConnected.set(this.#sessions.size);
      this.#d.state.devices.touch(hostId, source);
      // A frame over maxPayload is refused by ws from its header, before the payload is buffered:
      // the socket closes with 1009 (RFC 6455 "message too big"), which is the refusal the agent
      // sees (it sets the report aside, docs/protocol.md); here it is counted, logged and audited.
      ws.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
          this.#d.metrics.reportsRejected.inc({ code: 'COL_MESSAGE_TOO_LARGE' });
          this.#d.log.warn({ host_id: hostId, source, code: 'COL_MESSAGE_TOO_LARGE', max_frame_bytes: this.#d.options.maxFrameBytes }, 'frame over the size limit: connection closed with 1009');
          this.#audit(this.#refusal('report.refused', 'COL_MESSAGE_TOO_LARGE', source, actors.device(hostId), hostId, { close_code: CLOSE.tooLarge, max_frame_bytes: this.#d.options.maxFrameBytes }), hostId);
        }
      });
      ws.on('close', () => {
        if (this.#sessions.get(hostId) === session) this.#sessions.delete(hostId);
        this.#d.metrics.agentsConnected.set(this.#sessions.size);
      });
    });
  }

  /** Closes a device's live session (revocation, rotation). */
  disconnect(hostId: string, code: number, reason: string): boolean {
    const s = this.#sessions.get(hostId);
    if (!s) return false;
    this.#sessions.delete(hostId);
    this.#d.metrics.agentsConnected.set(this.#sessions.size);
    s.ws.close(code, reason);
    setTimeout(() => s.ws.terminate(), 2000).unref();
    return true;
  }

  /**
   * Asks a connected agent to rotate its device token now (a `config` with rotate_token); false
   * when it has no live session or its hello did not list the rotate-token feature (it is then
   * asked in the answer to its next hello, if it understands it).
   */
  askToRotate(hostId: string): boolean {
    const s = this.#sessions.get(hostId);
    if (!s || !s.rotateToken || s.ws.readyState !== s.ws.OPEN) return false;
    s.send({ type: 'config', interval_s: this.#d.options.checkinIntervalS, jitter_s: this.#d.options.jitterS, rotate_token: true });
    return true;
  }

  /**
   * Asks one connected agent to check in now; false when it has no live session. `full_pending`
   * goes only to agents that understand it (see AgentSession.pendingHash).
   */
  collectNow(hostId: string, opts: { fullInventory?: boolean; fullPending?: boolean } = {}): { sent: boolean; full_inventory: boolean; full_pending: boolean } {
    const s = this.#sessions.get(hostId);
    const fullInventory = opts.fullInventory === true;
    const fullPending = opts.fullPending === true && s?.pendingHash === true;
    if (!s || s.ws.readyState !== s.ws.OPEN) return { sent: false, full_inventory: fullInventory, full_pending: fullPending };
    s.send({ type: 'collect-now', ...(fullInventory ? { full_inventory: true } : {}), ...(fullPending ? { full_pending: true } : {}) });
    return { sent: true, full_inventory: fullInventory, full_pending: fullPending };
  }

  /** Sends a message to every connected agent (e.g. collect-now). */
  broadcast(msg: Parameters<AgentSession['send']>[0]): number {
    for (const s of this.#sessions.values()) s.send(msg);
    return this.#sessions.size;
  }

  #pingAll(): void {
    for (const s of this.#sessions.values()) {
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /** Refuses new upgrades from now on. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Closes every session (going away) and waits briefly for the close handshakes. */
  async closeAll(timeoutMs = 2000): Promise<void> {
    this.#accepting = false;
    if (this.#ping) clearInterval(this.#ping);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    this.#d.metrics.agentsConnected.set(0);
    await Promise.all(
      sessions.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.ws.readyState === s.ws.CLOSED) return resolve();
            const t = setTimeout(() => {
              s.ws.terminate();
              resolve();
            }, timeoutMs);
            t.unref();
            s.ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            s.ws.close(CLOSE.shutdown, 'collector shutting down');
          }),
      ),
    );
  }
}
