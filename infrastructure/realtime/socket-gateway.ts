import type { Server as HttpServer } from 'node:http';
import { Type } from '@sinclair/typebox';
import { fastifyCookie } from '@fastify/cookie';
import { createAdapter } from '@socket.io/redis-adapter';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Server, type DefaultEventsMap, type Socket } from 'socket.io';
import type { SessionClaims } from '../../application/ports/auth.js';
import type { FeedEntry } from '../../projections/feed/feed-wire.js';
import type { AppContext, RealtimeControl } from '../app-context.js';
import { tokenFrom } from '../http/authenticate.js';
import { Uuid } from '../http/schemas.js';
import { SESSION_COOKIE } from '../http/session-cookie.js';
import { bounded } from '../redis/bounded.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import { FeedFanout } from './feed-fanout.js';
import { HandshakeAdmission } from './handshake-admission.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { allowPageOrigins } from './handshake-origin.js';
import { timedStep, type HandshakeStepObserver } from './handshake-steps.js';
import { watchSessionExpiry } from './session-expiry.js';
import { MemoryPresence, type PresenceRegistry } from './presence.js';
import { PresenceAnnouncer } from './presence-announcer.js';
import { asPresenceBatch, PRESENCE_BATCH, PresenceFanout } from './presence-fanout.js';
import { ReconnectCapacity } from './reconnect-capacity.js';
import { ReconnectSpread } from './reconnect-spread.js';
import { reconnectSpreadMs, takenPerSecond } from './spread-window.js';
import { RedisPresence } from './redis-presence.js';
import { userRoom } from './rooms.js';
import { dropOldestSockets, limitSocketEvents } from './socket-limits.js';
import { answerProbe, PROBE_EVENT } from './liveness-probe.js';
import { sendMissedFeed } from './missed-feed.js';
import { AWAY_MS_INVALID, awayMsIsInvalid, sendMissedPresence } from './missed-presence.js';
import { RecentPresence } from './recent-presence.js';
import { isPolling, movePollingSockets, moveSocketsElsewhere } from '../lifecycle/drain.js';
import { validated } from './socket-payload.js';

export interface SocketData {
  userId: string;
  sessionId: string;
  expiresAt: number;
}
export type DerbelSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
export type ConnectionHandler = (socket: DerbelSocket) => void;

/** The handshake's credentials are not (or no longer) good: the client must sign in again. */
class CredentialRefused extends Error {}

/** A handshake field that is not what it must be: refused with the field's problem, costing the node nothing more. */
class HandshakeInvalid extends Error {
  readonly data: { code: 'VALIDATION_ERROR'; message: string };
  constructor(message: string) {
    super('VALIDATION_ERROR');
    this.data = { code: 'VALIDATION_ERROR', message };
  }
}

/** The node takes no more handshakes for now: the client comes back after `retryAfterMs` (its slot). */
class NotNow extends Error {
  readonly data: { retryAfterMs: number };
  constructor(retryAfterMs: number) {
    super('UNAVAILABLE');
    this.data = { retryAfterMs };
  }
}

const sessionRoom = (sessionId: string) => `session:${sessionId}`;
/** Between nodes (Socket.io's server-side emit): a session was ended. */
const SESSION_ENDED = 'derbel:session-ended';
const TYPING_MIN_INTERVAL_MS = 1_000;
const Typing = Type.Object({ contactId: Uuid });

/**
 * Socket.io on this node. With Redis, `@socket.io/redis-adapter` joins every node's sockets, so an emit to
 * `user:<id>` reaches that user wherever they are connected.
 */
export class SocketGateway implements RealtimeControl {
  readonly io: Server;
  private readonly presence: PresenceRegistry;
  /** Set once `presence` is: its first heartbeat is sent while it is being made. */
  private presenceReady = false;
  private readonly presenceAnnouncer: PresenceAnnouncer;
  private readonly connectionHandlers: ConnectionHandler[] = [];
  private readonly feed: FeedFanout;
  /**
   * Sessions ended lately (here or announced by another node): a handshake whose database check passed just
   * before the sign-out committed is dropped when it joins its rooms, without asking the database again.
   */
  private readonly endedSessions = new LRUCache<string, true>({ max: 100_000, ttl: 60_000 });
  readonly admission: HandshakeAdmission;
  private readonly heartbeats: HeartbeatWheel;
  private readonly reconnectSpread: ReconnectSpread;
  private readonly reconnectCapacity: ReconnectCapacity;
  /** Presence writes and announcements under way: a draining node lets them finish before it goes. */
  private readonly presenceWork = new Set<Promise<unknown>>();
  /**
   * Sockets a draining node sent away: their presence stays in Redis for another node to reap once this one is
   * gone, as a dead node's, so their users are announced offline only if not back within the window the moves
   * take (their count at the rate). Removed as each closed, a user whose return took longer than the offline
   * grace — a busy node to come back to, a slot it gave — was shown offline and online again: in a mid-size
   * drain on two shared cores, 54,000 such pushes, whose fan-out slowed the returns further.
   */
  private readonly leftToReap = new Set<string>();
  private readonly recentPresence = new RecentPresence();
  /** Draining: until then (performance.now() time) the balancer may still send this node new connections. */
  private drainingUntil: number | null = null;

  constructor(
    httpServer: HttpServer,
    private readonly ctx: AppContext,
    private readonly log: Logger,
    redis?: Pick<RedisConnections, 'pub' | 'sub' | 'client' | 'names' | 'health'> & { onFallback?: (call: string) => void },
    private readonly options: { onHandshakeStep?: HandshakeStepObserver } = {},
  ) {
    this.io = new Server(httpServer, {
      cors: { origin: ctx.config.corsOrigins, credentials: true },
      allowRequest: allowPageOrigins(ctx.config.corsOrigins),
      maxHttpBufferSize: 128 * 1024,
      // A tab that died without closing its socket is dropped (and shown offline) within their sum.
      pingInterval: ctx.config.socketPingIntervalMs,
      pingTimeout: ctx.config.socketPingTimeoutMs,
    });
    this.heartbeats = new HeartbeatWheel(this.io.engine, { pingIntervalMs: ctx.config.socketPingIntervalMs });
    this.admission = new HandshakeAdmission({
      maxPerSecond: ctx.config.socketHandshakesPerSecond,
      // Requests already queueing for a database connection: every handshake would add one more.
      saturated: () => ctx.pool.waitingCount > 0,
    });
    this.reconnectCapacity = new ReconnectCapacity({
      busyPerSecond: ctx.config.socketReconnectSpreadPerSecond,
      idlePerSecond: ctx.config.socketReconnectSpreadIdlePerSecond,
    });
    this.reconnectSpread = new ReconnectSpread(this.io, () => this.takenPerSecond());
    if (redis) this.io.adapter(createAdapter(redis.pub, redis.sub, { key: redis.names.adapterKey }));
    this.presence = redis
      ? new RedisPresence(redis.client, {
          names: redis.names,
          nodeId: ctx.config.nodeId,
          onTransition: (userIds, online, reaped) => {
            // A dead node's users were told to spread their return over this window: they are expected back
            // within it, so they are announced offline only after it (if not back by then). Its last heartbeat
            // said how long; a node that never saw it beat counts what this one and the others live now offer.
            const delayMs = reaped
              ? Math.max(
                  ctx.config.presenceOfflineGraceMs,
                  reaped.toldSpreadMs ??
                    reconnectSpreadMs(reaped.deadInstanceSockets, this.reconnectOfferPerSecond() + this.othersReconnectsPerSecond()),
                )
              : undefined;
            for (const userId of userIds) this.presenceAnnouncer.changed(userId, online, delayMs);
          },
          // The first beat goes out from within this constructor, before `presence` is set: that one says only
          // that the node lives (its offer would need the other nodes, which it has not looked at yet either).
          offer: () => (this.presenceReady ? this.nodeOffer() : undefined),
          onFallback: redis.onFallback,
          redisUp: () => redis.health.up,
          log,
        })
      : new MemoryPresence();
    this.presenceReady = true;
    this.feed = new FeedFanout(this.io, log, redis);
    const presenceFanout = new PresenceFanout(this.io, ctx.pool, redis !== undefined, this.recentPresence);
    this.presenceAnnouncer = new PresenceAnnouncer({
      onlineSettleMs: ctx.config.presenceOnlineSettleMs,
      offlineGraceMs: ctx.config.presenceOfflineGraceMs,
      onlineNow: (userIds) => this.presence.onlineNow(userIds),
      lastAnnounced: (userIds) => this.presence.lastAnnounced(userIds),
      recordAnnounced: (changes) => this.presence.recordAnnounced(changes),
      publish: (changes) => void this.track(presenceFanout.publish(changes)).catch((err) => log.warn({ err }, 'presence update failed')),
      slotsPromisedForMs: () => this.admission.slotsPromisedForMs(),
      log,
    });
    this.io.on(PRESENCE_BATCH, (value: unknown) => {
      const batch = asPresenceBatch(value);
      if (!batch) return;
      presenceFanout.deliverHere(batch).catch((err) => log.warn({ err }, 'presence update failed'));
    });
    this.io.use((socket, next) => {
      this.authenticate(socket)
        .then((claims) => {
          socket.data = claims;
          next();
        })
        .catch((err) => {
          // Only a refused credential ends the client's session; a database that could not answer is retried.
          if (err instanceof CredentialRefused) return next(new Error('UNAUTHORIZED'));
          if (err instanceof NotNow || err instanceof HandshakeInvalid) return next(err);
          this.log.warn({ err }, 'socket handshake could not check the session');
          next(new Error('UNAVAILABLE'));
        });
    });
    this.io.on('connection', (socket) => this.handleConnection(socket));
    // Another node ended a session: forget that it was active, so no request is let through by a cache.
    this.io.on(SESSION_ENDED, (sessionId: unknown) => typeof sessionId === 'string' && this.sessionEnded(sessionId));
  }

  /** Lets other slices (meetings) add their socket events. */
  onConnection(handler: ConnectionHandler) {
    this.connectionHandlers.push(handler);
  }

  /** Emits committed feed entries to their users (called by the feed projection after each commit). */
  push(entries: FeedEntry[]) {
    this.feed.publish(entries);
  }

  /** The highest feed position pushed to every node, null when unknown (lifecycle/feed-resync.ts). */
  lastPushed() {
    return this.feed.lastPushed();
  }

  markPushed(position: number) {
    this.feed.markPushed(position);
  }

  /** An ephemeral event (typing, presence): pushed, never stored, no position. */
  emitEphemeral(userIds: readonly string[], type: string, data: Record<string, unknown>) {
    if (userIds.length === 0) return;
    this.io.to(userIds.map(userRoom)).emit('event', { type, data });
  }

  async endSession(sessionId: string) {
    this.sessionEnded(sessionId);
    this.io.serverSideEmit(SESSION_ENDED, sessionId);
    this.io.to(sessionRoom(sessionId)).emit('session:expired', { reason: 'SESSION_EXPIRED' });
    this.io.in(sessionRoom(sessionId)).disconnectSockets(true);
  }

  private sessionEnded(sessionId: string) {
    this.ctx.sessions.forget(sessionId);
    this.endedSessions.set(sessionId, true);
  }

  /**
   * A drain begins: the balancer may route here until `rotationEndsAt` (performance.now() time). The sockets that
   * poll are sent elsewhere now, while their next request still reaches this node, and a polling handshake is
   * refused with a slot that ends when the balancer sends it elsewhere (a polling client's requests follow the
   * sticky cookie back here, and would be cut off from their session mid-way). WebSocket handshakes are taken as
   * before: their sockets move with the rest.
   */
  beginDrain(rotationEndsAt: number) {
    this.drainingUntil = rotationEndsAt;
    return movePollingSockets(this.io, { sending: (socket) => this.leaveToReap(socket) });
  }

  /** What this node offers to take should another die, how busy it is, and the window its clients were told (metrics). */
  reconnectOffer() {
    const { reconnectsPerSecond, utilization, spreadMs } = this.nodeOffer();
    return { perSecond: reconnectsPerSecond, utilization, spreadMs };
  }

  /** What it publishes with its heartbeat (node-liveness.ts). */
  private nodeOffer() {
    return {
      reconnectsPerSecond: this.reconnectOfferPerSecond(),
      spreadMs: this.reconnectSpread.toldMs(),
      utilization: this.reconnectCapacity.utilization(),
    };
  }

  /** What this node would take a second should the busiest of the others die (one without an offer: as busy as this one). */
  private reconnectOfferPerSecond() {
    return this.reconnectCapacity.perSecond({
      others: this.presence.otherLiveNodes(),
      othersBusiest: this.presence.othersBusiestUtilization() ?? this.reconnectCapacity.utilization(),
    });
  }

  /** How many of this node's clients the other nodes would take a second, should it go away. */
  private takenPerSecond() {
    return takenPerSecond(this.othersReconnectsPerSecond(), this.reconnectOfferPerSecond());
  }

  /** What the other live nodes offer together (a node of an earlier version, beating without an offer: the busy rate). */
  private othersReconnectsPerSecond() {
    return this.presence.othersReconnectsPerSecond(this.ctx.config.socketReconnectSpreadPerSecond);
  }

  private leaveToReap(socket: Socket) {
    if (this.presence instanceof RedisPresence) this.leftToReap.add(socket.id);
  }

  /**
   * Draining: sends this node's sockets elsewhere a few at a time, at the rate the others take them (lifecycle/drain.ts),
   * leaving their presence for another node's reap (`leftToReap`), then lets the presence changes this node
   * still has to announce (users who left just before) go out, at most until `deadline` (performance.now() time).
   */
  async moveSocketsAway(deadline: number, { presenceAfterMs }: { presenceAfterMs: number }) {
    const moves = await moveSocketsElsewhere(this.io, {
      onePerSecond: this.ctx.config.socketReconnectSpreadPerSecond,
      allPerSecond: this.takenPerSecond(),
      withinMs: Math.max(0, deadline - presenceAfterMs - performance.now()),
      sending: (socket) => this.leaveToReap(socket),
    });
    const left = () => Math.max(0, deadline - performance.now());
    await bounded(Promise.allSettled([...this.presenceWork]), [], { ms: left() });
    const settled = await this.presenceAnnouncer.whenSettled(left());
    await bounded(Promise.allSettled([...this.presenceWork]), [], { ms: left() });
    return { ...moves, presenceSettled: settled };
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.presenceWork.add(work);
    const done = () => void this.presenceWork.delete(work);
    work.then(done, done);
    return work;
  }

  /** What contacts were last told of these users; the truth for those never announced (or not for a day). */
  private async shownOnline(userIds: string[]) {
    const announced = await this.presence.lastAnnounced(userIds);
    const unknown = userIds.filter((id) => !announced.has(id));
    const online = unknown.length > 0 ? await this.presence.onlineAmong(unknown) : new Set<string>();
    return new Map(userIds.map((id) => [id, announced.get(id) ?? online.has(id)]));
  }

  isOnline(userIds: string[]) {
    return this.presence.onlineAmong(userIds);
  }

  async close() {
    this.heartbeats.close();
    this.admission.close();
    this.reconnectSpread.close();
    this.reconnectCapacity.close();
    this.presenceAnnouncer.close();
    this.presence.close({ leaveForReap: this.leftToReap.size > 0 });
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  /**
   * A bearer token in `auth.token`, or the session cookie together with the session's CSRF token in
   * `auth.csrfToken`: a foreign page can make the browser send the cookie, but cannot read the token.
   */
  private async authenticate(socket: Socket): Promise<SessionClaims> {
    const auth = socket.handshake.auth as { token?: unknown; csrfToken?: unknown } | undefined;
    const bearer = typeof auth?.token === 'string' && auth.token ? auth.token : null;
    const cookie = fastifyCookie.parse(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
    const token = bearer ?? tokenFrom({}, { [SESSION_COOKIE]: cookie })?.token;
    if (!token) throw new CredentialRefused('no token');
    const step = this.options.onHandshakeStep;
    const claims = await timedStep(step, 'token', () => {
      let claims: SessionClaims;
      try {
        claims = this.ctx.tokens.verify(token);
      } catch {
        throw new CredentialRefused('invalid token');
      }
      if (!bearer && auth?.csrfToken !== this.ctx.tokens.csrfTokenFor(claims.sessionId))
        throw new CredentialRefused('cookie without its CSRF token');
      return claims;
    });
    if (awayMsIsInvalid(auth)) throw new HandshakeInvalid(AWAY_MS_INVALID);
    // After the token (a stranger's handshakes cost no one a slot), before the first database question.
    if (this.drainingUntil !== null && isPolling(socket)) throw new NotNow(Math.max(0, Math.ceil(this.drainingUntil - performance.now())));
    const admission = this.admission.admit();
    if (!admission.admitted) throw new NotNow(admission.retryAfterMs);
    if (!(await timedStep(step, 'session', () => this.ctx.sessions.isActive(claims.sessionId, { fresh: true }))))
      throw new CredentialRefused('session ended');
    return claims;
  }

  private handleConnection(socket: DerbelSocket) {
    const { userId, sessionId } = socket.data;
    const joined = socket.join([userRoom(userId), sessionRoom(sessionId)]);
    limitSocketEvents(socket, this.ctx.config.rateLimits.socketEvents);
    // A sign-out committed after the handshake's check was announced to a room this socket was not in yet.
    if (this.endedSessions.has(sessionId)) {
      socket.emit('session:expired', { reason: 'SESSION_EXPIRED' });
      socket.disconnect(true);
      return;
    }
    const step = this.options.onHandshakeStep;
    this.reconnectSpread.greet(socket);
    void sendMissedFeed(socket, userId, joined, this.ctx.pool, this.log);
    void sendMissedPresence(socket, userId, joined, {
      pool: this.ctx.pool,
      recent: this.recentPresence,
      shownOnline: (userIds) => this.shownOnline(userIds),
      log: this.log,
    });

    const expiry = watchSessionExpiry(socket, this.ctx);

    const maxSockets = this.ctx.config.rateLimits.maxSocketsPerUser;
    void timedStep(step, 'presence', () => this.presence.connect(userId, socket.id))
      .then(async (sockets) => {
        if (sockets === 1) this.presenceAnnouncer.changed(userId, true);
        // Only a user over the cap costs a question to every node (the count may still hold a crashed node's sockets).
        if (sockets > maxSockets)
          await dropOldestSockets(this.io, userId, maxSockets).catch((err) => this.log.warn({ err }, 'socket cap check failed'));
      })
      .catch((err) => this.log.warn({ err }, 'presence update failed'));

    const lastTyping = new Map<string, number>();
    socket.on(
      'typing',
      validated(Typing, async ({ contactId }) => {
        const now = Date.now();
        if (now - (lastTyping.get(contactId) ?? 0) < TYPING_MIN_INTERVAL_MS) return;
        lastTyping.set(contactId, now);
        const members = await this.ctx.contacts.membersFor(userId, contactId);
        this.emitEphemeral(
          members.filter((m) => m !== userId),
          'Typing',
          { contactId, userId },
        );
      }),
    );

    socket.on(PROBE_EVENT, answerProbe);

    socket.on('disconnect', () => {
      expiry.clear();
      if (this.leftToReap.has(socket.id)) return;
      void this.track(this.presence.disconnect(userId, socket.id))
        .then((last) => last && this.presenceAnnouncer.changed(userId, false))
        .catch((err) => this.log.warn({ err }, 'presence update failed'));
    });

    for (const handler of this.connectionHandlers) handler(socket);
  }
}
