import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';

/**
 * An ephemeral push (no position) telling clients to fetch `GET /api/events?after=<their last position>`:
 * some pushes may have been lost even though their socket stayed up. It is sent before any push that
 * could overtake the lost ones, so a client that catches up on it misses nothing.
 */
export const FEED_RESYNC = 'FeedResync';

export function announceResync(io: Server, scope: 'all-nodes' | 'this-node', reason: string) {
  (scope === 'all-nodes' ? io : io.local).emit('event', { type: FEED_RESYNC, data: { reason } });
}

/**
 * While this node's Redis subscriber was away, pushes published by the other nodes never reached it.
 * ioredis resubscribes as it turns ready again, and "ready" is handled before any message of the new
 * subscription, so the resync precedes every push the node relays afterwards.
 */
export function resyncWhenRedisReturns(subscriber: Redis, io: () => Server) {
  let lost = false;
  subscriber.on('close', () => (lost = true));
  subscriber.on('ready', () => {
    if (lost) announceResync(io(), 'this-node', 'redis-reconnected');
    lost = false;
  });
}
