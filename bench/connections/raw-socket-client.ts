import WebSocket from 'ws';
import { Backoff, drainingSpreadMs, spreadDelay, spreadHintMs } from '../../web/src/client/transport/backoff.js';
import { DRAINING_EVENT, FEED_MISSED_EVENT, RECONNECT_SPREAD_EVENT, slotDelay } from '../../web/src/client/transport/socket-connection.js';
import { anotherNode } from './worker-protocol.js';

/** What a client saw of the server, for the bench to count. */
export interface RawClientHooks {
  /** A server `event` push (feed entries with a position, ephemeral ones without). */
  onEvent(event: { type: string; position?: number; data: any }): void;
  /**
   * Connected (the Socket.IO CONNECT was acknowledged); `reconnect` after the first time; `namedFeedAfter`: the
   * feed position the handshake named (a reconnect's), for which the server sends `feed:missed`.
   */
  onConnected(info: { reconnect: boolean; url: string; latencyMs: number; namedFeedAfter: number | null }): void;
  /** The server's `feed:missed`: what the feed held after the position the handshake named. */
  onMissed(payload: unknown): void;
  /** A handshake that failed: refused by the middleware (`message`), a transport error, or a closed connection. */
  onConnectError(reason: string): void;
  onDisconnected(): void;
  /** A connection attempt begins (a redirect to the next node is part of the same attempt). */
  onAttempt(): void;
}

let nextSocketId = 0;

/**
 * A Socket.IO v5 client over Engine.IO v4 on a raw WebSocket (`ws`), a few kilobytes each, so one
 * load-generator process can hold thousands: the open packet, the CONNECT with `{ token }` (and on a reconnect
 * `feedAfter`) as the web client sends it, pings answered, `event` and `feed:missed` pushes parsed. Its reconnection is the web client's (`backoff.ts`:
 * full-jitter exponential back-off); a refused connection goes to the next node at once, as the balancer
 * redispatches one (HAProxy `option redispatch`).
 */
export class RawSocketClient {
  readonly id = nextSocketId++;
  state: 'idle' | 'connecting' | 'online' | 'waiting' | 'closed' = 'idle';
  /** Index into `urls` of the node this client is (or was last) connected to. */
  node: number;
  everConnected = false;
  private ws: WebSocket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff = new Backoff();
  /** The node's `reconnect:spread` hint, honoured as the web client does when the node goes away. */
  private spreadMs = 0;
  /** When its last connection was lost (performance.now()), named in the next handshake as the web client does. */
  private lostAt: number | null = null;

  constructor(
    private readonly urls: readonly string[],
    preferredNode: number,
    private readonly token: string,
    private readonly hooks: RawClientHooks,
    /** The last feed position applied (the web client's `feedAfter`). */
    private readonly feedAfter: () => number | null = () => null,
  ) {
    this.node = preferredNode;
  }

  connect() {
    if (this.state === 'closed' || this.state === 'connecting' || this.state === 'online') return;
    this.open(0);
  }

  close() {
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
    this.ws = null;
  }

  private open(redirects: number) {
    this.state = 'connecting';
    if (redirects === 0) this.hooks.onAttempt();
    const url = this.urls[this.node];
    const started = performance.now();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      handshakeTimeout: 20_000,
    });
    this.ws = ws;
    let opened = false;
    let connected = false;
    /** The slot a busy node gave (`UNAVAILABLE` with `retryAfterMs`), as the web client honours it. */
    let slotMs: number | null = null;
    let namedFeedAfter: number | null = null;
    ws.on('open', () => (opened = true));
    ws.on('message', (raw) => {
      const text = raw.toString();
      const kind = text[0];
      if (kind === '2') return ws.send('3'); // ping → pong
      if (kind === '0') {
        // Engine.IO open → Socket.IO CONNECT; only a reconnect has missed anything.
        namedFeedAfter = this.everConnected ? this.feedAfter() : null;
        const awayMs = this.lostAt === null ? null : Math.round(performance.now() - this.lostAt);
        const auth = {
          token: this.token,
          ...(namedFeedAfter === null ? {} : { feedAfter: namedFeedAfter }),
          ...(awayMs === null ? {} : { awayMs }),
        };
        return ws.send(`40${JSON.stringify(auth)}`);
      }
      if (kind !== '4') return;
      const packet = text[1];
      if (packet === '2') {
        const [name, data] = JSON.parse(text.slice(text.indexOf('[')));
        if (name === 'event') this.hooks.onEvent(data);
        else if (name === FEED_MISSED_EVENT) this.hooks.onMissed(data);
        else if (name === RECONNECT_SPREAD_EVENT) this.spreadMs = spreadHintMs(data) ?? this.spreadMs;
        else if (name === DRAINING_EVENT) this.spreadMs = drainingSpreadMs(data) ?? this.spreadMs;
      } else if (packet === '0') {
        connected = true;
        this.state = 'online';
        this.lostAt = null;
        this.backoff.reset();
        const reconnect = this.everConnected;
        this.everConnected = true;
        this.hooks.onConnected({ reconnect, url, latencyMs: performance.now() - started, namedFeedAfter });
      } else if (packet === '4') {
        const refusal = parseRefusal(text.slice(2));
        slotMs = refusal.retryAfterMs;
        this.hooks.onConnectError(refusal.message);
        ws.terminate();
      } else if (packet === '1') {
        ws.terminate(); // the server hung up on this socket
      }
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      if (this.ws !== ws) return;
      // Nobody listens there (the node died): the balancer would send the connection to another node at once.
      if (!opened && error.code === 'ECONNREFUSED' && redirects < this.urls.length - 1) {
        this.ws = null;
        ws.removeAllListeners();
        ws.on('error', () => {});
        this.node = anotherNode(this.node, this.urls.length);
        return this.open(redirects + 1);
      }
      if (!connected) this.hooks.onConnectError(error.code ?? error.message);
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (connected) {
        this.lostAt = performance.now();
        this.hooks.onDisconnected();
      } else if (!opened) {
        // error already reported
      } else this.hooks.onConnectError('closed during the handshake');
      if (this.state === 'closed') return;
      this.state = 'waiting';
      // As the web client: the node went away → spread as it asked; refused with a slot → the slot; else back off.
      let delay: number;
      if (connected) {
        this.backoff.next();
        delay = spreadDelay(this.spreadMs);
      } else delay = slotMs === null ? this.backoff.next() : slotDelay(slotMs);
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.state === 'waiting') this.open(0);
      }, delay);
    });
  }
}

function parseRefusal(json: string): { message: string; retryAfterMs: number | null } {
  try {
    const packet = JSON.parse(json);
    const retryAfterMs = packet?.data?.retryAfterMs;
    return { message: String(packet?.message ?? 'refused'), retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : null };
  } catch {
    return { message: 'refused', retryAfterMs: null };
  }
}
