import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Log } from '../observability/log.js';
import type { RedisNames } from '../redis/redis-names.js';
import type { Server } from 'socket.io';
import { userRoom } from './rooms.js';

/** What it carries of a feed entry (`FeedEntry` in projections/feed/feed-wire.ts); the payload is opaque here. */
export interface FanoutEntry {
  userId: string;
  type: string;
  position: number;
  data: object;
}

/** One event and the users it goes to: every recipient gets the same payload. */
interface Delivery {
  userIds: string[];
  event: { type: string; position: number; data: object };
}

/**
 * Delivers committed feed entries to their users' sockets on every node. The projection leader's node emits
 * to its own sockets at once and sends the whole batch to the other nodes as one Redis message; each node
 * emits only to the rooms it holds. (One Socket.io broadcast per event had every node decode every event,
 * whether or not it held any recipient: see BENCHMARKS.md.) Redis keeps one publisher's messages in order.
 */
/** Raises the pushed-position marker, never lowers it (a deposed leader may still be finishing a push). */
const RAISE = `local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end`;

export class FeedFanout {
  private readonly origin = randomUUID();
  private pushedHere: number | null = null;

  constructor(
    private readonly io: Server,
    private readonly log: Log,
    private readonly redis?: { pub: Redis; sub: Redis; names: Pick<RedisNames, 'feedChannel' | 'feedPushed'> },
  ) {
    if (!redis) return;
    const channel = redis.names.feedChannel;
    // Resubscribed by ioredis after a reconnect; what was published meanwhile is lost, and clients are
    // told to catch up then (lifecycle/feed-resync.ts).
    redis.sub
      .subscribe(channel)
      .catch((err) => log.warn({ err, channel }, 'feed fan-out: could not subscribe; this node receives no pushes from the others'));
    redis.sub.on('message', (from: string, message: string) => {
      if (from === channel) this.receive(message);
    });
  }

  /** Called after each commit of the feed projection, with the entries in position order. */
  publish(entries: readonly FanoutEntry[]) {
    const deliveries: Delivery[] = [];
    const byPosition = new Map<number, Delivery>();
    for (const entry of entries) {
      let delivery = byPosition.get(entry.position);
      if (!delivery) {
        delivery = { userIds: [], event: { type: entry.type, position: entry.position, data: entry.data } };
        byPosition.set(entry.position, delivery);
        deliveries.push(delivery);
      }
      delivery.userIds.push(entry.userId);
    }
    if (deliveries.length === 0) return;
    this.deliverHere(deliveries);
    const [from, to] = [deliveries[0].event.position, deliveries[deliveries.length - 1].event.position];
    this.redis?.pub
      .publish(this.redis.names.feedChannel, JSON.stringify({ origin: this.origin, deliveries }))
      .catch((err) =>
        this.log.warn(
          { err, from, to },
          'feed fan-out: publishing to the other nodes failed; their users get these entries when they catch up',
        ),
      );
    // After the publish on the same connection: once Redis holds the marker, it has sent the batch.
    this.markPushed(deliveries[deliveries.length - 1].event.position);
  }

  /** Everything up to `position` reached its users, or they were told to catch up (lifecycle/feed-resync.ts). */
  markPushed(position: number) {
    this.pushedHere = Math.max(this.pushedHere ?? position, position);
    this.redis?.pub
      .eval(RAISE, 1, this.redis.names.feedPushed, position)
      .catch((err) =>
        this.log.warn(
          { err, position },
          'feed fan-out: could not record the pushed position; the next leader tells more users to catch up',
        ),
      );
  }

  /**
   * The highest feed position pushed to every node (with Redis, by whichever node led; without, by this
   * process), or null when unknown: Redis lost it, or nothing was pushed yet.
   */
  async lastPushed(): Promise<number | null> {
    if (!this.redis) return this.pushedHere;
    const stored = await this.redis.pub.get(this.redis.names.feedPushed);
    return stored === null ? null : Number(stored);
  }

  private receive(message: string) {
    let batch: { origin?: unknown; deliveries?: unknown };
    try {
      batch = JSON.parse(message);
    } catch {
      return;
    }
    if (batch.origin === this.origin || !Array.isArray(batch.deliveries)) return;
    this.deliverHere(batch.deliveries as Delivery[]);
  }

  private deliverHere(deliveries: Delivery[]) {
    const held = this.io.of('/').adapter.rooms;
    for (const { userIds, event } of deliveries) {
      // Encoding a packet for rooms this node does not hold would be wasted work.
      const rooms = userIds.map(userRoom).filter((room) => held.has(room));
      if (rooms.length > 0) this.io.local.to(rooms).emit('event', event);
    }
  }
}
