// buildCollectorApp: the whole collector as a fastify instance (HTTP routes + the agent gateway
// on the same server), without listening — tests use inject(); collector/server.ts listens.
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { RecordAudit } from './admin-actions.ts';
import { adminGuard } from './auth/admin-guard.ts';
import { addressAllowed, normaliseAddress, parseCidr } from './auth/cidr.ts';
import { DeviceAuthenticator } from './auth/device-auth.ts';
import { systemClock, type Clock } from './clock.ts';
import type { CollectorContext } from './context.ts';
import { colError } from './errors.ts';
import { EvidenceSink } from './evidence-sink.ts';
import { installErrorHandlers, LOG_REDACT } from './http-errors.ts';
import { AgentGateway } from './gateway/agent-gateway.ts';
import { Ingest } from './ingest/pipeline.ts';
import { createMetrics, type CollectorMetrics } from './metrics.ts';
import { resolveOptions, type CollectorOptions } from './options.ts';
import { Maintenance } from './maintenance.ts';
import { drainOutbox } from './outbox-drain.ts';
import { RateLimiter } from './rate-limit.ts';
import { RefusalAudit } from './refusal-audit.ts';
import { adminApiKeyRoutes } from './routes/admin-apikeys.ts';
import { agentRotateRoutes } from './routes/agent-rotate.ts';
import { adminCollectorRoutes } from './routes/admin-collector.ts';
import { adminDeviceRoutes } from './routes/admin-devices.ts';
import { adminExceptionRoutes } from './routes/admin-exceptions.ts';
import { adminHostRoutes } from './routes/admin-hosts.ts';
import { adminTokenRoutes } from './routes/admin-tokens.ts';
import { enrollRoutes } from './routes/enroll.ts';
import { opsRoutes } from './routes/ops.ts';
import { defaultRandom, type RandomBytes } from './secrets.ts';
import { openStateDb, type Db } from './state/db.ts';
import { collectorState, type CollectorState } from './state/state.ts';

export interface CollectorDeps {
  /** The collector home (config.yaml, secrets/, state/, evidence/), created by `patchproof init`. */
  readonly home: string;
  /** Collector clock; everything stamped or decided by time asks it (default: real time). */
  readonly clock?: Clock;
  readonly random?: RandomBytes;
  /** Overrides of the home's config and the defaults (collector/options.ts). */
  readonly options?: Partial<CollectorOptions>;
  /** fastify logger options (pino), or false; secrets are redacted either way. */
  readonly logger?: FastifyServerOptions['logger'];
  /** TLS certificate and key (PEM): the server is HTTPS, TLS 1.2 minimum. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** State database (default <home>/state/collector.db). */
  readonly db?: Db;
}

export interface CollectorApp {
  readonly app: FastifyInstance;
  readonly state: CollectorState;
  readonly sink: EvidenceSink;
  readonly ingest: Ingest;
  readonly gateway: AgentGateway;
  readonly metrics: CollectorMetrics;
  readonly options: CollectorOptions;
  readonly clock: Clock;
  /** Every HTTP route registered ("METHOD url"), for the permission-matrix test and docs. */
  readonly routes: readonly string[];
  /** Scheduled `git gc` of the evidence repository. */
  readonly maintenance: Maintenance;
  /** Refusal auditing: one by one within budget, the rest in `refusal.summary` entries. */
  readonly refusals: RefusalAudit;
  /** Stop accepting, finish in-flight reports (acked after their commit), close sockets, flush, release the lock. */
  shutdown(): Promise<void>;
}

/** TLS 1.2 minimum, no legacy ciphers (Node's defaults exclude RC4/3DES/export suites; we forbid CBC-SHA1 too). */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** Routes still answered while the collector stops: /healthz then says "stopping". */
const SERVED_WHILE_STOPPING: ReadonlySet<string> = new Set(['GET /healthz', 'GET /metrics']);

export async function buildCollectorApp(deps: CollectorDeps): Promise<CollectorApp> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? defaultRandom;
  const metrics = createMetrics();
  const sink = await EvidenceSink.open({ home: deps.home, clock, metrics, ...(deps.options?.commitWindowMs === undefined ? {} : { windowMs: deps.options.commitWindowMs }) });
  let db: Db | undefined;
  try {
    db = deps.db ?? openStateDb(join(sink.paths.state, 'collector.db'));
    const options = resolveOptions(sink.config, deps.options);
    const trustedProxies = options.trustProxy === false ? [] : options.trustProxy.map((c) => parseCidr(c));
    const state = collectorState(db, clock, random);
    const app = Fastify({
      logger: deps.logger === undefined || deps.logger === false ? false : typeof deps.logger === 'object' ? { ...deps.logger, redact: LOG_REDACT } : { redact: LOG_REDACT },
      exposeHeadRoutes: false,
      // Only the configured proxies' X-Forwarded-For is believed (request.ip); see clientAddress().
      trustProxy: trustedProxies.length === 0 ? false : (address: string) => addressAllowed(normaliseAddress(address), trustedProxies),
      bodyLimit: 64 * 1024,
      forceCloseConnections: true,
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
      ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' as const, ciphers: TLS_CIPHERS, honorCipherOrder: true } } : {}),
    });
    const log = app.log;
    const record: RecordAudit = async (input, label) => {
      await sink.write([], label, [input]);
    };
    const refusals = new RefusalAudit({
      clock,
      write: async (entries, label) => void (await sink.write([], label, entries)),
      metrics,
      log,
      options: { perKeyPerMinute: options.refusalAuditsPerMinute, globalPerMinute: options.refusalAuditsGlobalPerMinute, windowMs: options.refusalSummaryIntervalMs, maxGroups: 1000 },
    });
    const recordRefusal: RecordAudit = (input) => refusals.refuse(input);
    const ingest = new Ingest({
      state,
      sink,
      clock,
      metrics,
      log,
      options: { cadenceMs: options.evidenceCadenceS * 1000, skewThresholdMs: options.skewThresholdMs, checkinIntervalS: options.checkinIntervalS, jitterS: options.jitterS },
    });
    const deviceAuth = new DeviceAuthenticator({
      state,
      clock,
      metrics,
      refusals,
      failuresPerMinute: options.authFailuresPerMinute,
      onQueuedAudit: () => void drainOutbox(state.outbox, sink, log),
      log,
    });
    const gateway = new AgentGateway({
      state,
      auth: deviceAuth,
      ingest,
      metrics,
      clock,
      refusals,
      log,
      options: {
        maxFrameBytes: options.maxFrameBytes,
        messagesPerMinute: options.deviceMessagesPerMinute,
        checkinIntervalS: options.checkinIntervalS,
        jitterS: options.jitterS,
        pingIntervalMs: options.pingIntervalMs,
        maxOutstanding: options.maxOutstandingPerDevice,
        trustedProxies,
      },
    });
    const lifecycle = { stopping: false };
    const ctx: CollectorContext = {
      lifecycle,
      state,
      sink,
      clock,
      random,
      metrics,
      options,
      ingest,
      gateway,
      deviceAuth,
      record,
      recordRefusal,
      refusals,
      enrolLimiter: new RateLimiter(clock, { perMinute: options.enrolPerMinutePerSource }),
    };

    const routes: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) routes.push(`${m} ${r.url}`);
    });
    installErrorHandlers(app);
    // From the first moment of shutdown, new enrolments and admin calls are refused (503, coded)
    // rather than started against a store that is about to close; liveness and metrics still answer.
    app.addHook('onRequest', async (request, reply) => {
      if (!lifecycle.stopping || SERVED_WHILE_STOPPING.has(`${request.method} ${request.routeOptions.url}`)) return;
      reply.header('connection', 'close').header('retry-after', '5');
      throw colError('COL_SHUTTING_DOWN', 'collector is shutting down; retry after it restarts');
    });
    app.addHook('onRequest', adminGuard(state.apiKeys, metrics));
    opsRoutes(app, ctx);
    enrollRoutes(app, ctx);
    agentRotateRoutes(app, ctx);
    adminTokenRoutes(app, ctx);
    adminDeviceRoutes(app, ctx);
    adminHostRoutes(app, ctx);
    adminExceptionRoutes(app, ctx);
    adminApiKeyRoutes(app, ctx);
    adminCollectorRoutes(app, ctx);
    gateway.attach(app.server as Server);

    const recovered = await ingest.recoverInflight();
    if (recovered.length > 0) log.warn({ hosts: recovered.length }, 're-derived host state from the evidence repository after an unclean stop');
    await drainOutbox(state.outbox, sink, log);
    const outboxTimer = setInterval(() => void drainOutbox(state.outbox, sink, log), options.outboxIntervalMs);
    outboxTimer.unref();
    const maintenance = new Maintenance({ sink, db, clock, intervalMs: options.gcIntervalS * 1000, checkEveryMs: options.gcCheckMs, log });
    maintenance.start();
    refusals.start();

    let stopping: Promise<void> | undefined;
    const shutdown = (): Promise<void> =>
      (stopping ??= (async () => {
        lifecycle.stopping = true;
        clearInterval(outboxTimer);
        gateway.stopAccepting();
        await maintenance.stop();
        await ingest.drain();
        await sink.flush();
        await gateway.closeAll();
        await app.close();
        await refusals.stop();
        await drainOutbox(state.outbox, sink, log);
        await sink.close();
        state.hosts.flush();
        if (!deps.db) db!.close();
      })());
    return { app, state, sink, ingest, gateway, metrics, options, clock, routes, maintenance, refusals, shutdown };
  } catch (err) {
    if (db && !deps.db) db.close();
    await sink.close();
    throw err;
  }
}
