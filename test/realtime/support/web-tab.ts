import { Backoff } from '../../../web/src/client/transport/backoff.js';
import { FeedSync, type FeedPage } from '../../../web/src/client/sync/feed-sync.js';
import { SocketConnection } from '../../../web/src/client/transport/socket-connection.js';
import type { FeedEvent } from '../../../web/src/client/types.js';

type PresenceChange = { userId: string; online: boolean };

/**
 * A person's tab, as the web app builds it: the web client's own SocketConnection (its reconnection policy)
 * through the balancer, and its FeedSync, catching up after every reconnect from the page the node sends with
 * the connect (`feed:missed`, for the position the handshake named) and with `GET /api/events?after=` for the
 * rest or when none came, retrying a failed catch-up with the same jittered back-off. It also keeps the
 * presence it was pushed, as the contact list shows it.
 */
export class Tab {
  readonly applied: FeedEvent[] = [];
  readonly connection: SocketConnection;
  readonly feed: FeedSync;
  lostAt: number | null = null;
  backAt: number | null = null;
  /** The node that let go of it asked it back at once (a drain's paced move), rather than to spread its return. */
  movedAtOnce = false;
  caughtUpAt: number | null = null;
  /** Pages the node sent with a reconnect, and pages this tab fetched itself. */
  pagesSent = 0;
  pagesFetched = 0;
  online = false;
  /** Every presence change pushed to this tab, in order. */
  readonly presencePushed: Array<PresenceChange & { at: number }> = [];

  constructor(
    readonly userId: string,
    private readonly token: string,
    private readonly url: string,
    baseline: number,
  ) {
    this.feed = new FeedSync(
      async (after) => {
        this.pagesFetched++;
        const response = await fetch(`${url}/api/events?after=${after}&limit=200`, { headers: { authorization: `Bearer ${token}` } });
        if (response.status !== 200) throw new Error(`catch-up answered ${response.status}`);
        return response.json();
      },
      (event) => this.applied.push(event),
    );
    this.feed.setBaseline(baseline);
    this.connection = new SocketConnection({ server: url, token: () => token, feedAfter: () => this.feed.position });
    const retry = new Backoff();
    const catchUp = (afterReconnect: boolean, missed?: Promise<FeedPage | null>): void =>
      void this.feed.catchUp(missed).then(
        () => {
          retry.reset();
          if (afterReconnect) this.caughtUpAt ??= performance.now();
        },
        () => void setTimeout(() => catchUp(afterReconnect), retry.next()),
      );
    this.connection.on('event', (event) => {
      if (typeof event.position === 'number') this.feed.receive(event as FeedEvent);
      // A new projection leader found pushes its predecessor committed and never sent (it led on the lost node).
      else if (event.type === 'FeedResync') catchUp(false);
      else if (event.type === 'PresenceChanged') this.presencePushed.push({ ...(event.data as PresenceChange), at: performance.now() });
      else if (event.type === 'PresenceChanges')
        for (const change of (event.data as { changes: PresenceChange[] }).changes)
          this.presencePushed.push({ ...change, at: performance.now() });
    });
    this.connection.on('connected', ({ reconnect, missed }) => {
      this.online = true;
      if (!reconnect) return;
      this.backAt ??= performance.now();
      void missed?.then((page) => page && this.pagesSent++);
      catchUp(true, missed);
    });
    this.connection.on('moving', () => {
      if (this.lostAt === null) this.movedAtOnce = true;
    });
    this.connection.state.subscribe((state) => {
      if (state !== 'reconnecting') return;
      this.online = false;
      this.lostAt ??= performance.now();
    });
  }

  messageIds() {
    return this.applied.filter((e) => e.type === 'MessageSent').map((e) => (e.data as { messageId: string }).messageId);
  }

  /** Whom this tab shows online: the contact list's snapshot, then every push in order. */
  shownOnline(snapshot: Map<string, boolean>) {
    const shown = new Map(snapshot);
    for (const change of this.presencePushed) shown.set(change.userId, change.online);
    return shown;
  }
}
