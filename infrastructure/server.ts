import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AccountService } from '../application/accounts/account-service.js';
import { ContactService } from '../application/contacts/contact-service.js';
import type { EventStore } from '../application/ports/event-store.js';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../application/shared/clock.js';
import { accountsProjection } from '../projections/accounts.projection.js';
import { CheckpointWaiter } from '../projections/checkpoint-waiter.js';
import { contactListProjection } from '../projections/contact-list.projection.js';
import { feedProjection } from '../projections/feed.projection.js';
import { messagesProjection } from '../projections/messages.projection.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import type { AppContext } from './app-context.js';
import { JwtTokenService } from './auth/jwt-token-service.js';
import { PostgresCredentials, PostgresSessions } from './auth/postgres-auth-repositories.js';
import { WorkerPasswordHasher } from './auth/worker-password-hasher.js';
import type { Config } from './config/config.js';
import { migrate } from './database/migrate.js';
import { createPool } from './database/pool.js';
import { PostgresEventStore } from './event-store/postgres-event-store.js';
import { buildHttpApp } from './http/build-http-app.js';
import { SocketGateway } from './realtime/socket-gateway.js';

export interface DerbelServer {
  app: FastifyInstance;
  gateway: SocketGateway;
  runners: ProjectionRunner[];
  ctx: AppContext;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface ServerOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  /** Builds the event store (default: PostgreSQL in the same database as the read models). */
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
  const store = overrides.createEventStore ? await overrides.createEventStore(config) : new PostgresEventStore(pool, config.databaseUrl);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const tokens = new JwtTokenService(config.jwtSecret, config.jwtExpiresInSeconds);
  const sessions = new PostgresSessions(pool);
  const hasher = new WorkerPasswordHasher(config.passwordRounds);
  const accounts = new AccountService({ store, hasher, credentials: new PostgresCredentials(pool), sessions, tokens, clock, ids });
  const contacts = new ContactService(store, accounts, { clock, ids });
  const checkpoints = new CheckpointWaiter(pool);

  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  let gateway!: SocketGateway;
  const projections: Projection<any>[] = [
    accountsProjection,
    contactListProjection,
    messagesProjection,
    feedProjection((entries) => gateway.push(entries)),
  ];
  const runners = projections.map(
    (projection) =>
      new ProjectionRunner(projection, {
        store,
        connectionString: config.databaseUrl,
        nodeId: config.nodeId,
        log: logger,
      }),
  );

  const ctx: AppContext = {
    config,
    pool,
    store,
    clock,
    ids,
    accounts,
    contacts,
    tokens,
    sessions,
    checkpoints,
    realtime: null as any,
    async readiness() {
      const database = await pool.query('SELECT 1').then(() => true, () => false);
      const leaders = database
        ? await pool
            .query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 7355700 AND granted`)
            .then((r) => r.rows[0].n >= projections.length, () => false)
        : false;
      return { ready: database && leaders, checks: { database, projections: leaders } };
    },
  };
  const app = await buildHttpApp(ctx, { logger, redis: redis?.client });
  gateway = new SocketGateway(app.server, ctx, logger, redis);
  ctx.realtime = gateway;

  return {
    app,
    gateway,
    runners,
    ctx,
    async listen() {
      const address = await app.listen({ port: config.port, host: config.host });
      if (config.projectionsEnabled) for (const runner of runners) runner.start();
      return address;
    },
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
      await gateway.close();
      await app.close();
      await hasher.close();
      await store.close();
      await pool.end();
      if (redis) for (const client of [redis.pub, redis.sub, redis.client]) client.disconnect();
    },
  };
}

function connectRedis(url: string, logger: Logger) {
  const pub = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const sub = pub.duplicate();
  const client = pub.duplicate();
  for (const [name, c] of Object.entries({ pub, sub, client })) {
    c.on('error', (err) => logger.warn({ err: err.message, redis: name }, 'redis connection problem'));
  }
  return { pub, sub, client };
}
