import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccountService } from '../application/accounts/account-service.js';
import { SessionRenewal } from '../application/accounts/session-renewal.js';
import { AttachmentService } from '../application/attachments/attachment-service.js';
import { BlockList } from '../application/contacts/block-list.js';
import { ContactService } from '../application/contacts/contact-service.js';
import { GroupService } from '../application/contacts/group-service.js';
import { MeetingService } from '../application/meetings/meeting-service.js';
import type { EventStore } from '../application/ports/event-store.js';
import { derbelUpcasters } from '../application/upcasting/derbel-upcasters.js';
import { withUpcasting } from '../application/upcasting/upcasting-event-store.js';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../application/shared/clock.js';
import { allProjections } from '../projections/all-projections.js';
import type { FeedEntry } from '../projections/feed/feed-wire.js';
import { PROJECTIONS } from '../projections/names.js';
import { getMessage } from '../projections/messages/messages.queries.js';
import { CheckpointWaiter } from './projections/checkpoint-waiter.js';
import { ProjectionHealth } from './projections/projection-health.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import type { AppContext } from './app-context.js';
import { connectionCeiling, openFilesLimit } from './http/connection-ceiling.js';
import { HistoryPageCache } from './http/history-page-cache.js';
import { JwtTokenService } from './auth/jwt-token-service.js';
import { PostgresCredentials, PostgresSessions } from './auth/postgres-auth-repositories.js';
import { PostgresRefreshTokens } from './auth/postgres-refresh-tokens.js';
import { SessionJournal } from './auth/session-journal.js';
import { WorkerPasswordHasher } from './auth/worker-password-hasher.js';
import type { Config } from './config/config.js';
import { ADVISORY_LOCKS } from './database/advisory-locks.js';
import { migrate } from './database/migrate.js';
import { createPool } from './database/pool.js';
import { MeetingSweeper } from './meetings/meeting-sweeper.js';
import { PostgresMeetingSeats } from './meetings/postgres-meeting-seats.js';
import { PostgresEventStore } from './event-store/postgres-event-store.js';
import { stopAccepting } from './lifecycle/drain.js';
import { resyncWhenRedisReturns, resyncWhoMissedPushes } from './lifecycle/feed-resync.js';
import { MeteredEventStore } from './observability/metered-event-store.js';
import { Metrics } from './observability/metrics.js';
import { projectionsSnapshot } from './observability/projections-snapshot.js';
import { buildHttpApp } from './http/build-http-app.js';
import { sweepAbandonedUploads } from './attachments/abandoned-uploads.js';
import { attachmentStorageFromConfig } from './attachments/attachment-storage-from-config.js';
import { PostgresAttachmentRecords } from './attachments/postgres-attachment-records.js';
import { SharpImageInspector } from './attachments/sharp-image-inspector.js';
import { auditRoutes } from './http/routes/audit.routes.js';
import { sessionRefreshRoutes, sessionRoutes } from './http/routes/sessions.routes.js';
import { SocketGateway } from './realtime/socket-gateway.js';
import { registerMeetingSocketEvents } from './realtime/meeting-socket-events.js';
import { bounded } from './redis/bounded.js';
import { derivedRedisPrefix } from './redis/deployment-prefix.js';
import { connectRedis } from './redis/redis-connections.js';
import { SessionTrust, sessionTrustOver } from './auth/session-trust.js';

import { Limiters } from './rate-limits/limiters.js';

/** How long requests under way when a node stops accepting may take to finish. */
const IN_FLIGHT_GRACE_MS = 6_000;

export interface DerbelServer {
  app: FastifyInstance;
  gateway: SocketGateway;
  runners: ProjectionRunner[];
  ctx: AppContext;
  metrics: Metrics;
  listen(): Promise<string>;
  close(): Promise<void>;
  /**
   * SIGTERM: not ready at once, projections handed over; after `DRAIN_LEAVE_ROTATION_MS` stops accepting, lets
   * requests in flight finish, moves its sockets elsewhere at the rate the other nodes take them (their presence left
   * for another node's reap) and lets out the presence changes it still owes — all within `DRAIN_TIMEOUT_MS` less
   * a second.
   */
  drain(): Promise<void>;
}

export interface ServerOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  /** Builds the event store (default: KurrentDB when EVENTSTORE_URL is set, else PostgreSQL in the read models' database). */
  createEventStore?: (config: Config) => Promise<EventStore>;
}

/** Wires one api node: database, event store, services, HTTP, Socket.io and (if elected) the projections. */
export async function createServer(
  config: Config & { databaseUrl: string; jwtSecret: string },
  logger: Logger,
  overrides: ServerOverrides = {},
): Promise<DerbelServer> {
  await migrate(config.databaseUrl, (msg) => logger.info(msg));
  const pool = createPool(config.databaseUrl);
  const metrics = new Metrics({ defaultMetrics: config.nodeEnv !== 'test' });
  const baseStore = overrides.createEventStore
    ? await overrides.createEventStore(config)
    : config.eventStoreUrl
      ? // Its gRPC client is loaded only where it is used (a third of a second of every start otherwise).
        (await import('./event-store/kurrentdb-event-store.js')).KurrentDbEventStore.connect(config.eventStoreUrl, {
          onSubscriptionDropped: (err) => logger.warn({ err }, 'KurrentDB subscription dropped; resubscribing'),
        })
      : new PostgresEventStore(pool, config.databaseUrl, { log: logger });
  const store = new MeteredEventStore(withUpcasting(baseStore, derbelUpcasters()), metrics);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const tokens = new JwtTokenService(config.jwtSecret, config.jwtExpiresInSeconds);
  const redis = config.redisUrl ? connectRedis(config.redisUrl, config.redisPrefix ?? (await derivedRedisPrefix(pool)), logger) : undefined;
  if (redis) logger.info({ redisPrefix: redis.names.prefix }, 'redis keys and channels carry this prefix');
  // Without Redis there is no other node whose sign-outs could be missed.
  const sessions = new PostgresSessions(pool, { trust: redis ? sessionTrustOver(redis) : new SessionTrust() });
  const renewal = new SessionRenewal({
    refreshTokens: new PostgresRefreshTokens(pool),
    sessions,
    tokens,
    policy: { maxAgeSeconds: config.sessionMaxAgeSeconds, idleSeconds: config.sessionIdleTimeoutSeconds },
  });
  const hasher = new WorkerPasswordHasher(config.passwordRounds);
  const accounts = new AccountService({ store, hasher, credentials: new PostgresCredentials(pool), sessions, tokens, clock, ids });
  const blocks = new BlockList(store, { clock, ids });
  const contacts = new ContactService(store, accounts, blocks, {
    clock,
    ids,
    requestCooldownMs: config.contactRequestCooldownSeconds * 1000,
  });
  const meetings = new MeetingService(store, contacts, { clock, ids, ringTimeoutMs: config.meetingRingTimeoutMs });
  contacts.endsCallsThrough(meetings);
  const groups = new GroupService(contacts, accounts, { ids });
  const checkpoints = new CheckpointWaiter(pool);
  const attachmentStorage = await attachmentStorageFromConfig(config);
  const attachments = new AttachmentService({
    storage: attachmentStorage,
    records: new PostgresAttachmentRecords(pool),
    images: new SharpImageInspector(),
    ids,
    limits: config.attachments,
    access: {
      isMember: (userId, contactId) =>
        contacts.membersFor(userId, contactId).then(
          () => true,
          () => false,
        ),
      messageIsVisible: (contactId, messageId) =>
        getMessage(pool, contactId, messageId).then((message) => message !== null && !message.deleted),
    },
    log: logger,
  });

  let draining = false;
  // Made below, after the HTTP app; the closures that use it run only once it exists.
  // eslint-disable-next-line prefer-const
  let gateway!: SocketGateway;
  const projections = allProjections();
  // One leader, one read of the log and one transaction per batch for all read models (see ProjectionRunner).
  const runners = [
    new ProjectionRunner(projections, {
      store,
      connectionString: config.databaseUrl,
      nodeId: config.nodeId,
      log: logger,
      // Before its first push, a new feed leader tells whoever its predecessor left without a push to catch up.
      onLeading: () =>
        bounded(
          resyncWhoMissedPushes({
            io: gateway.io,
            pool,
            store,
            lastPushed: () => gateway.lastPushed(),
            markPushed: (position) => gateway.markPushed(position),
            unknownMeansAll: redis !== undefined,
          }).then(
            (users) => {
              if (users !== 0) logger.info({ users }, 'feed leader: told who missed pushes to catch up');
            },
            (err) => logger.warn({ err }, 'feed leader: could not work out who missed pushes'),
          ),
          undefined,
          { ms: 2_000, onTimeout: () => logger.warn('feed leader: who missed pushes took over 2 s; leading without waiting') },
        ),
    }),
  ];

  const health = new ProjectionHealth({ pool, store, projections: projections.map((p) => p.name) });

  const ctx: AppContext = {
    config,
    pool,
    store,
    clock,
    ids,
    accounts,
    contacts,
    groups,
    meetings,
    attachments,
    tokens,
    sessions,
    checkpoints,
    historyPages: new HistoryPageCache(),
    renewal,
    sessionJournal: new SessionJournal(pool),
    limits: new Limiters(config.rateLimits, redis?.limiter),
    // The gateway needs the context; it takes this place once it exists (below).
    realtime: null as unknown as AppContext['realtime'],
    async readiness() {
      if (draining) return { ready: false, checks: { draining: true } };
      const database = await pool.query('SELECT 1').then(
        () => true,
        () => false,
      );
      const leaders = database
        ? await pool
            .query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              [ADVISORY_LOCKS.projectionRunner],
            )
            .then(
              (r) => r.rows[0].n >= projections.length,
              () => false,
            )
        : false;
      const readiness = await health.readiness({ database, projections: leaders });
      const redisTrouble = redis?.health.trouble();
      return redisTrouble ? { ...readiness, degraded: true, redis: redisTrouble } : readiness;
    },
  };
  const app = await buildHttpApp(ctx, {
    logger,
    redis: redis?.limiter,
    metrics,
    publicRoutes: [sessionRefreshRoutes],
    signedInRoutes: [auditRoutes, sessionRoutes],
  });
  gateway = new SocketGateway(app.server, ctx, logger, redis && { ...redis, onFallback: (call) => metrics.redisFallbacks.inc({ call }) }, {
    onHandshakeStep: (step, seconds) => metrics.socketHandshakeSteps.observe({ step }, seconds),
  });
  ctx.realtime = gateway;
  for (const runner of runners) {
    runner.subscribe<FeedEntry>({ name: 'socket push', projection: PROJECTIONS.feed, deliver: (entries) => gateway.push(entries) });
  }
  if (redis) resyncWhenRedisReturns(redis.sub, () => gateway.io);
  const seats = new PostgresMeetingSeats(pool, config.nodeId);
  const stopSeatRenewal = registerMeetingSocketEvents(gateway, { meetings, seats, clock, ids, log: logger });
  const meetingSweeper = new MeetingSweeper({
    connectionString: config.databaseUrl,
    pool,
    meetings,
    seats,
    clock,
    reconnectGraceMs: config.meetingReconnectGraceMs,
    intervalMs: Math.min(
      1_000,
      Math.max(50, Math.floor(Math.min(config.meetingRingTimeoutMs, config.meetingReconnectGraceMs || 1_000) / 5)),
    ),
    nodeId: config.nodeId,
    log: logger,
  });
  metrics.watchSockets(() => gateway.io.of('/').sockets.size);
  metrics.watchHandshakeAdmission(() => gateway.admission.state);
  metrics.watchReconnectOffer(() => gateway.reconnectOffer());
  if (redis) metrics.watchRedis(() => redis.health.up);
  metrics.watchProjections(() => projectionsSnapshot(store, pool, runners));

  let stopUploadSweep = () => {};
  const server: DerbelServer = {
    app,
    gateway,
    runners,
    ctx,
    metrics,
    async listen() {
      const filesLimit = openFilesLimit();
      const ceiling = connectionCeiling(config.maxConnections, filesLimit);
      if (ceiling !== undefined) app.server.maxConnections = ceiling;
      logger.info(
        { maxConnections: ceiling ?? null, openFilesLimit: filesLimit },
        'client connections (HTTP and sockets) this node holds at most',
      );
      const address = await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
      if (config.projectionsEnabled) for (const runner of runners) runner.start();
      if (config.projectionsEnabled) meetingSweeper.start();
      stopUploadSweep = sweepAbandonedUploads(attachments, clock, logger);
      return address;
    },
    async close() {
      // Requests in flight are answered; a connection kept alive after its answer is ended then, not when its client lets go.
      const connectionsClosed = stopAccepting(app.server, IN_FLIGHT_GRACE_MS);
      await Promise.all(runners.map((r) => r.stop()));
      await meetingSweeper.stop();
      stopUploadSweep();
      stopSeatRenewal();
      await gateway.close();
      await connectionsClosed;
      await app.close();
      await hasher.close();
      await store.close();
      await attachmentStorage.close?.();
      await pool.end();
      await redis?.close();
    },
    async drain() {
      const deadline = performance.now() + config.drainTimeoutMs - 1_000;
      const until = (ms: number) => Math.max(0, Math.min(ms, deadline - performance.now()));
      draining = true;
      const polling = gateway.beginDrain(performance.now() + until(config.drainLeaveRotationMs));
      if (polling > 0) logger.info({ polling }, 'draining: polling sockets moved at once');
      const handedOver = Promise.all(runners.map((r) => r.stop()));
      // Not ready from now on; serving on until the balancer's next check has taken us out of its rotation.
      await new Promise((resolve) => setTimeout(resolve, until(config.drainLeaveRotationMs)));
      const connectionsClosed = stopAccepting(app.server, until(IN_FLIGHT_GRACE_MS));
      logger.info({ sockets: gateway.io.of('/').sockets.size }, 'draining: stopped accepting, moving the sockets elsewhere');
      const [moves] = await Promise.all([
        gateway.moveSocketsAway(deadline, { presenceAfterMs: config.presenceOfflineGraceMs + 500 }),
        handedOver,
        connectionsClosed,
      ]);
      logger.info(moves, 'draining: sockets moved');
      await server.close();
    },
  };
  return server;
}
