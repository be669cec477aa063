import { io, type Socket } from 'socket.io-client';
import { FeedSync, type FeedPage } from '../../../web/src/client/sync/feed-sync.js';
import type { FeedEvent } from '../../../web/src/client/types.js';
import type { ApiClient } from '../../support/api-client.js';

/**
 * A receiving client built like the web client: Socket.io (WebSocket, reconnecting by itself) plus the
 * web client's own FeedSync, which applies the feed once, in order, across pushes and
 * `GET /api/events?after=` catch-ups. It catches up after every reconnect and on a FeedResync push.
 * It records everything raw as well, so a test can tell how each event arrived.
 */
export class FeedClient {
  /** Every positioned push as received, duplicates included. */
  readonly pushes: FeedEvent[] = [];
  /** What the client applied, in order: its view of the feed. */
  readonly applied: FeedEvent[] = [];
  /** Positions a catch-up page returned. */
  readonly caughtUp = new Set<number>();
  /** Non-feed things that happened to the connection, timed with performance.now(). */
  readonly notices: Array<{ type: string; at: number }> = [];
  readonly socket: Socket;
  /** When each (re)connection happened (performance.now()). */
  readonly connectedAt: number[] = [];
  connections = 0;
  private readonly feed: FeedSync;
  private catchingUp: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly api: ApiClient,
    url: string,
    options: { reconnectionDelayMs?: number } = {},
  ) {
    this.feed = new FeedSync(
      (after) => this.fetchPage(after),
      (event) => this.applied.push(event),
    );
    this.feed.setBaseline(0);
    this.socket = io(url, {
      auth: { token: api.token },
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: options.reconnectionDelayMs ?? 1_000,
      reconnectionDelayMax: Math.max(2_000, options.reconnectionDelayMs ?? 0),
      randomizationFactor: 0,
    });
    this.socket.on('connect', () => {
      this.connections++;
      this.connectedAt.push(performance.now());
      // The first connection loads the history too, like the web client's snapshot.
      void this.catchUp();
    });
    this.socket.on('event', (event: FeedEvent | { type: string; position?: undefined }) => {
      if (typeof event.position === 'number') {
        this.pushes.push(event as FeedEvent);
        this.feed.receive(event as FeedEvent);
      } else if (event.type === 'FeedResync') {
        this.notices.push({ type: 'FeedResync', at: performance.now() });
        void this.catchUp();
      }
    });
    this.socket.on('server:draining', () => this.notices.push({ type: 'server:draining', at: performance.now() }));
    this.socket.on('disconnect', (reason) => this.notices.push({ type: `disconnect:${reason}`, at: performance.now() }));
  }

  whenConnected(): Promise<this> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve(this);
      this.socket.once('connect', () => resolve(this));
      this.socket.once('connect_error', reject);
    });
  }

  /** Catches up until it succeeds (a node may be down or the database away for a moment). */
  catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      while (!this.closed) {
        try {
          await this.feed.catchUp();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })().finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  /** Message ids in the order the client applied them. */
  messageIds(): string[] {
    return this.applied.filter((e) => e.type === 'MessageSent').map((e) => (e.data as { messageId: string }).messageId);
  }

  close() {
    this.closed = true;
    this.socket.disconnect();
  }

  private async fetchPage(after: number): Promise<FeedPage> {
    const response = await this.api.get(`/api/events?after=${after}&limit=500`);
    if (response.status !== 200) throw new Error(`catch-up answered ${response.status}`);
    for (const event of response.body.events) this.caughtUp.add(event.position);
    return response.body;
  }
}
