// One connected agent: frames in (rate-limited, validated), replies out (ack/nack/config) in the
// order the ingest pipeline produces them.
import type { WebSocket, RawData } from 'ws';
import type { CollectorMessage } from '../../evidence/types.gen.ts';
import type { ColCode } from '../errors.ts';
import { parseFrame } from '../ingest/frame.ts';
import { nack, type Ingest } from '../ingest/pipeline.ts';
import type { CollectorMetrics } from '../metrics.ts';
import type { RateLimiter } from '../rate-limit.ts';

export interface SessionDeps {
  readonly ingest: Ingest;
  readonly metrics: CollectorMetrics;
  readonly messageLimiter: RateLimiter;
  readonly maxFrameBytes: number;
  readonly maxOutstanding: number;
  /** Called for each refused frame (audited one by one within the device's budget). */
  readonly onRefused: (hostId: string, code: ColCode, message: string) => void;
  /** Called for each message refused by the rate or in-progress limit (audited in summaries). */
  readonly onRateLimited: (hostId: string) => void;
  /** Whether an administrator asked for the device's token to be rotated. */
  readonly rotationRequested: (hostId: string) => boolean;
  readonly log: { warn: (obj: object, msg: string) => void };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class AgentSession {
  readonly hostId: string;
  readonly source: string | null;
  readonly ws: WebSocket;
  alive = true;
  /** The agent's hello carried pending_sha256, so it understands `full_pending`. */
  pendingHash = false;
  /** The agent's hello listed the rotate-token feature: it understands `config.rotate_token`. */
  rotateToken = false;
  #outstanding = 0;
  readonly #d: SessionDeps;

  constructor(hostId: string, source: string | null, ws: WebSocket, deps: SessionDeps) {
    this.hostId = hostId;
    this.source = source;
    this.ws = ws;
    this.#d = deps;
    ws.on('message', (data) => void this.#onMessage(toBuffer(data)));
    ws.on('pong', () => {
      this.alive = true;
    });
  }

  send(msg: CollectorMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Sends an ack or nack, observing the time since its frame arrived (patchproof_ack_latency_seconds). */
  #reply(msg: CollectorMessage, started: number): void {
    this.send(msg);
    this.#d.metrics.ackLatency.observe((performance.now() - started) / 1000);
  }

  #refuse(reportId: string | null, code: ColCode, message: string, started: number): void {
    this.#d.metrics.reportsRejected.inc({ code });
    this.#d.onRefused(this.hostId, code, message);
    this.#reply(nack(reportId, code, message), started);
  }

  async #onMessage(data: Buffer): Promise<void> {
    const started = performance.now();
    if (!this.#d.messageLimiter.take(this.hostId) || this.#outstanding >= this.#d.maxOutstanding) {
      this.#d.metrics.reportsRejected.inc({ code: 'COL_RATE_LIMITED' });
      this.#d.onRateLimited(this.hostId);
      this.#reply(nack(null, 'COL_RATE_LIMITED', 'too many messages from this device; slow down and resend'), started);
      return;
    }
    const verdict = parseFrame(data, this.#d.maxFrameBytes);
    if (!verdict.ok) {
      this.#refuse(verdict.reportId, verdict.code, verdict.message, started);
      return;
    }
    const msg = verdict.message;
    this.#outstanding++;
    try {
      if (msg.type === 'hello') {
        this.pendingHash = msg.pending_sha256 !== undefined;
        this.rotateToken = msg.features?.includes('rotate-token') === true;
        const config = await this.#d.ingest.hello(this.hostId, msg);
        // Only an agent that listed the feature may see the field (an older agent's schema refuses it).
        this.send(this.rotateToken && this.#d.rotationRequested(this.hostId) ? { ...config, rotate_token: true } : config);
        return;
      }
      const reply = await this.#d.ingest.submit(this.hostId, msg);
      if (reply.type === 'nack' && !reply.retry) this.#d.onRefused(this.hostId, reply.code as ColCode, reply.message);
      this.#reply(reply, started);
    } catch (err) {
      this.#d.log.warn({ err, host_id: this.hostId }, 'report handling failed');
      this.#reply(nack(msg.type === 'report' ? msg.report_id : null, 'COL_INTERNAL', 'internal error; resend later'), started);
    } finally {
      this.#outstanding--;
    }
  }
}
