import { io, type Socket } from 'socket.io-client';
import { Backoff, drainingSpreadMs, RECONNECT_BACKOFF, SERVER_WENT_AWAY, spreadDelay, spreadHintMs } from './backoff.js';
import { Emitter, Observable } from '../observable.js';
import type { ConnectionState, Realtime, RealtimeEvents } from './realtime.js';
import type { IncomingSignal, ServerEvent } from '../types.js';
import type { FeedPage } from '../sync/feed-sync.js';

/** The server's `reconnect:spread` hint (infrastructure/realtime/reconnect-spread.ts). */
export const RECONNECT_SPREAD_EVENT = 'reconnect:spread';
/** A draining node's notice before it closes this socket, naming how widely to spread the return (infrastructure/lifecycle/drain.ts). */
export const DRAINING_EVENT = 'server:draining';
/** Answered at once by the server (infrastructure/realtime/liveness-probe.ts). */
export const PROBE_EVENT = 'probe';
/** How long a socket that looks open has to answer a probe when the network comes back before it is replaced. */
export const PROBE_TIMEOUT_MS = 5_000;
/**
 * Sent by the server right after a reconnect whose handshake named `feedAfter`: the feed after it
 * (infrastructure/realtime/missed-feed.ts), so the client is caught up without a request of its own.
 */
export const FEED_MISSED_EVENT = 'feed:missed';
/**
 * How long a reconnected client waits for `feed:missed` before it asks `GET /api/events` itself. Live pushes are
 * held meanwhile, so this is how late they can be on a node that does not send it (an older one, mid-deploy); in a
 * storm the page comes within the second of the connect (BENCHMARKS.md), and one that comes later is only asked
 * again.
 */
export const MISSED_FEED_TIMEOUT_MS = 5_000;

export type SocketConnectionOptions = {
  /** Api server origin; empty for the page's own. */
  server: string;
  /** Bearer token when known (sign-in answer, or given by the host page); the cookie otherwise. */
  token?: () => string | null;
  /** With the cookie, the session's CSRF token: the server refuses a cookie alone (a foreign page could send it). */
  csrfToken?: () => string | null;
  /**
   * What fires `online` when the device's network comes back: the page's `window` by default, none where there
   * is no window (node); tests pass their own.
   */
  network?: NetworkEvents | null;
  /** How long a probe may go unanswered (`PROBE_TIMEOUT_MS` unless a test says otherwise). */
  probeTimeoutMs?: number;
  /** The last feed position applied, named in a reconnect's handshake so the server sends what was missed. */
  feedAfter?: () => number | null;
  /** How long to wait for `feed:missed` (`MISSED_FEED_TIMEOUT_MS` unless a test says otherwise). */
  missedFeedTimeoutMs?: number;
  /** Where the waits' jitter is drawn from (`Math.random` unless a test says otherwise). */
  random?: () => number;
};

/** The part of `window` that says the device's network came back. */
export type NetworkEvents = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/**
 * Why the next attempt waits: the back-off after a failure, the spread a node asked for before it went away, or
 * the slot a busy node gave in its refusal. The first two are this client's own caution and end when the
 * network comes back; a slot is the server's admission control and is kept.
 */
export type RetryCause = 'backoff' | 'spread' | 'slot';

/**
 * The Socket.io connection: reconnects on its own and reports each (re)connection.
 *
 * It schedules its reconnections itself, with full-jitter back-off (`backoff.ts`), instead of Socket.io's:
 * when a node dies, thousands of clients lose it at the same instant, and Socket.io's capped back-off
 * would bring them back in step.
 *
 * When the device's own network comes back (`online`), a wait of its own back-off or of a spread is cut short:
 * the user who walked out of a tunnel is back at once, not up to a minute later. A slot a busy node gave is
 * still waited out — `online` firing on many devices at once must not defeat the node's admission control.
 * A socket that still looks open then is probed: after a move to another network it may lead nowhere, and
 * one that does not answer within `PROBE_TIMEOUT_MS` is replaced at once instead of at the heartbeat's timeout.
 */
export class SocketConnection implements Realtime {
  readonly state = new Observable<ConnectionState>('closed');
  private readonly emitter = new Emitter<RealtimeEvents>();
  private socket: Socket | null = null;
  private everConnected = false;
  private readonly random: () => number;
  private readonly backoff: Backoff;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryCause: RetryCause | null = null;
  private probing = false;
  private readonly network: NetworkEvents | null;
  private readonly networkBack = () => this.reconnectNow();
  /** How widely the current node asked its clients to spread a return, should it go away. */
  private spreadMs = 0;
  /** The node said it is moving this socket elsewhere and wants it back at once (`server:draining`, `spreadMs: 0`). */
  private movedByServer = false;
  /** When the last connection was lost (performance.now()), until the next one is made. */
  private lostAt: number | null = null;
  /** The feed position the current attempt's handshake named, if any. */
  private namedFeedAfter: number | null = null;
  private missedFeed: MissedFeedWait | null = null;

  constructor(private readonly options: SocketConnectionOptions) {
    this.network = options.network !== undefined ? options.network : typeof window !== 'undefined' ? window : null;
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff(RECONNECT_BACKOFF, this.random);
  }

  on<K extends keyof RealtimeEvents>(type: K, listener: (payload: RealtimeEvents[K]) => void) {
    return this.emitter.on(type, listener);
  }

  /** Moves the open socket to the renewed token (`session:renew`); the server keeps it open past the old one. */
  renew(token: string) {
    this.socket?.emit('session:renew', { token });
  }

  connect() {
    if (this.socket) return;
    const auth = (cb: (data: object) => void) => {
      const token = this.options.token?.();
      const csrfToken = this.options.csrfToken?.();
      // Only a reconnect has missed anything: a first connect loads its snapshot.
      const feedAfter = this.everConnected ? (this.options.feedAfter?.() ?? null) : null;
      this.namedFeedAfter = feedAfter;
      // And the presence changes pushed while it was away: the node sends those since then.
      const awayMs = this.lostAt === null ? null : Math.round(performance.now() - this.lostAt);
      cb({
        ...(token ? { token } : csrfToken ? { csrfToken } : {}),
        ...(feedAfter === null ? {} : { feedAfter }),
        ...(awayMs === null ? {} : { awayMs }),
      });
    };
    // WebSocket first: its handshake costs a node less than half of polling-then-upgrade, and one round trip
    // instead of four; where a proxy refuses WebSocket, `tryAllTransports` falls back to long-polling.
    const options = { withCredentials: true, auth, reconnection: false, transports: ['websocket', 'polling'], tryAllTransports: true };
    const socket = this.options.server ? io(this.options.server, options) : io(options);
    this.socket = socket;
    this.state.set('connecting');
    this.network?.addEventListener('online', this.networkBack);

    socket.on('connect', () => {
      this.lostAt = null;
      this.backoff.reset();
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.state.set('online');
      this.missedFeed?.settle(null);
      this.missedFeed = this.namedFeedAfter === null ? null : new MissedFeedWait(this.namedFeedAfter, this.options.missedFeedTimeoutMs);
      this.emitter.emit('connected', { reconnect, ...(this.missedFeed ? { missed: this.missedFeed.page } : {}) });
    });
    socket.on(FEED_MISSED_EVENT, (payload: unknown) => this.missedFeed?.settle(payload));
    socket.on('disconnect', (reason) => {
      this.lostAt ??= performance.now();
      this.missedFeed?.settle(null);
      if (this.state.value === 'closed') return;
      if (reason === 'io client disconnect') return;
      if (this.movedByServer && SERVER_WENT_AWAY.has(reason)) this.emitter.emit('moving', {});
      this.movedByServer = false;
      this.state.set('reconnecting');
      // A lost transport, a node that died or drained, or a server that hung up on purpose (not a session
      // end, which says so first): try again — spread as the node asked if it went away with everyone else.
      if (SERVER_WENT_AWAY.has(reason)) {
        this.backoff.next();
        this.scheduleReconnect(socket, 'spread', spreadDelay(this.spreadMs, RECONNECT_BACKOFF, this.random));
      } else this.scheduleReconnect(socket, 'backoff');
    });
    socket.on('connect_error', (error: Error) => {
      if (error.message === 'UNAUTHORIZED') {
        this.emitter.emit('unauthorized', { reason: 'UNAUTHORIZED' });
        return;
      }
      if (this.state.value === 'closed') return;
      this.state.set(this.everConnected ? 'reconnecting' : 'connecting');
      // A busy node names the slot it keeps for this client (a reconnect storm, spread at the rate it can take);
      // anything else — a transport error, a timeout, a database that could not answer — backs off.
      const slotMs = retryAfterMs(error);
      if (slotMs === null) this.scheduleReconnect(socket, 'backoff');
      else this.scheduleReconnect(socket, 'slot', slotDelay(slotMs, this.random));
    });
    socket.on('session:expired', () => {
      this.emitter.emit('unauthorized', { reason: 'SESSION_EXPIRED' });
    });
    socket.on(RECONNECT_SPREAD_EVENT, (hint: unknown) => (this.spreadMs = spreadHintMs(hint) ?? this.spreadMs));
    // A draining node paces its sockets' moves itself: it names the spread for this one (0: come back at once).
    socket.on(DRAINING_EVENT, (notice: unknown) => {
      const spreadMs = drainingSpreadMs(notice);
      this.spreadMs = spreadMs ?? this.spreadMs;
      this.movedByServer = spreadMs === 0;
    });
    socket.on('event', (event: ServerEvent) => this.emitter.emit('event', event));
    socket.on('signal', (signal: IncomingSignal) => this.emitter.emit('signal', signal));
  }

  private scheduleReconnect(socket: Socket, cause: RetryCause, delayMs?: number) {
    if (this.retry) clearTimeout(this.retry);
    this.retryCause = cause;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.retryCause = null;
      if (this.socket === socket && !socket.connected) socket.connect();
    }, delayMs ?? this.backoff.next());
  }

  /**
   * The network came back: an attempt waiting out this client's back-off or a spread goes now, and the back-off
   * starts again from its first step. A socket that looks connected is probed instead; nothing to do when an
   * attempt is already under way, or when the wait is a slot a busy node gave.
   */
  private reconnectNow() {
    const socket = this.socket;
    if (socket?.connected) return this.probe(socket);
    if (!socket || !this.retry || this.retryCause === 'slot') return;
    clearTimeout(this.retry);
    this.retry = null;
    this.retryCause = null;
    this.backoff.reset();
    socket.connect();
  }

  /** The network came back while the socket looks open: one that does not answer the probe in time is replaced. */
  private probe(socket: Socket) {
    if (this.probing) return;
    this.probing = true;
    socket.timeout(this.options.probeTimeoutMs ?? PROBE_TIMEOUT_MS).emit(PROBE_EVENT, {}, (unanswered: Error | null) => {
      this.probing = false;
      if (!unanswered || this.socket !== socket || !socket.connected) return;
      // This device's connection was lost, not the server: no spread, the back-off's first step.
      socket.disconnect(); // 'io client disconnect': the disconnect listener leaves the rest to this
      this.state.set('reconnecting');
      this.backoff.reset();
      socket.connect();
    });
  }

  emit(type: string, data: unknown) {
    this.socket?.emit(type, data);
  }

  async request<T>(type: string, data: unknown, timeoutMs = 10_000): Promise<T> {
    if (!this.socket?.connected) throw new Error('Not connected');
    return (await this.socket.timeout(timeoutMs).emitWithAck(type, data)) as T;
  }

  /** Reconnects with fresh credentials (after signing in again). */
  reconnect() {
    this.close();
    this.connect();
  }

  close() {
    this.state.set('closed');
    this.network?.removeEventListener('online', this.networkBack);
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.retryCause = null;
    this.probing = false;
    this.backoff.reset();
    this.missedFeed?.settle(null);
    this.missedFeed = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.everConnected = false;
    this.lostAt = null;
  }
}

/**
 * The `feed:missed` a connect is owed: resolves with the page when it comes and is the answer to the position the
 * handshake named, or with null (the caller asks `GET /api/events`) on an error, a disconnect or a timeout.
 */
export class MissedFeedWait {
  readonly page: Promise<FeedPage | null>;
  private resolve!: (page: FeedPage | null) => void;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly after: number,
    timeoutMs = MISSED_FEED_TIMEOUT_MS,
  ) {
    this.page = new Promise((resolve) => (this.resolve = resolve));
    this.timer = setTimeout(() => this.settle(null), timeoutMs);
  }

  settle(payload: unknown) {
    clearTimeout(this.timer);
    this.resolve(missedPage(payload, this.after));
  }
}

function missedPage(payload: unknown, after: number): FeedPage | null {
  const missed = payload as { after?: unknown; events?: unknown; hasMore?: unknown } | null;
  if (!missed || missed.after !== after || !Array.isArray(missed.events) || typeof missed.hasMore !== 'boolean') return null;
  return { events: missed.events as FeedPage['events'], hasMore: missed.hasMore };
}

/** The slot a busy node gave in its refusal (`UNAVAILABLE` with `data.retryAfterMs`), if any. */
export function retryAfterMs(error: Error): number | null {
  const value = (error as Error & { data?: { retryAfterMs?: unknown } }).data?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(value, MAX_SLOT_MS) : null;
}

const MAX_SLOT_MS = 120_000;

/** Up to a quarter of a second late: the clients given neighbouring slots do not arrive in the same instant. */
export function slotDelay(slotMs: number, random: () => number = Math.random): number {
  return slotMs + Math.floor(random() * 250);
}
