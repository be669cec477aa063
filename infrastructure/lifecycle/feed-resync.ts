import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Server } from 'socket.io';
import { PROJECTIONS } from '../../projections/names.js';
import { userRoom } from '../realtime/rooms.js';

/**
 * An ephemeral push (no position) telling clients to fetch `GET /api/events?after=<their last position>`:
 * some pushes may have been lost even though their socket stayed up. It is sent before any push that
 * could overtake the lost ones, so a client that catches up on it misses nothing.
 */
export const FEED_RESYNC = 'FeedResync';

export function announceResync(io: Server, scope: 'all-nodes' | 'this-node', reason: string) {
  (scope === 'all-nodes' ? io : io.local).emit('event', { type: FEED_RESYNC, data: { reason } });
}

export interface MissedPushes {
  io: Server;
  pool: pg.Pool;
  /** The highest feed position pushed (FeedFanout.lastPushed), null when unknown. */
  lastPushed(): Promise<number | null>;
  /** Records that everyone up to a position has their pushes or was told to catch up (FeedFanout.markPushed). */
  markPushed(position: number): void;
  /** With Redis, an unknown last push may hide lost pushes on any node; without, this process pushed nothing yet. */
  unknownMeansAll: boolean;
}

/**
 * Called by a new feed leader before it pushes anything. Its predecessor may have committed feed entries
 * it never pushed (it died, or lost Redis, in between): their users, and only they, are told to catch up.
 * Nothing was missed when everything committed was pushed (a clean handover, a leader retrying a batch
 * that keeps failing), and then nobody is told anything. Returns how many users were told ('all' when the
 * last push is unknown).
 */
export async function resyncWhoMissedPushes(deps: MissedPushes, reason = 'feed-leader-changed'): Promise<number | 'all'> {
  const pushed = await deps.lastPushed();
  const { rows } = await deps.pool.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [PROJECTIONS.feed]);
  const committed = Number(rows[0]?.position ?? 0);
  if (pushed === null) {
    if (!deps.unknownMeansAll || committed === 0) return 0;
    announceResync(deps.io, 'all-nodes', reason);
    deps.markPushed(committed);
    return 'all';
  }
  if (committed <= pushed) return 0;
  const missed = await deps.pool.query<{ user_id: string }>('SELECT DISTINCT user_id::text FROM feed WHERE position > $1 AND position <= $2', [
    pushed,
    committed,
  ]);
  // Never an empty room list: `io.to([])` would reach everyone.
  if (missed.rows.length > 0) deps.io.to(missed.rows.map((r) => userRoom(r.user_id))).emit('event', { type: FEED_RESYNC, data: { reason } });
  // Told once: the next leader change must not tell them again.
  deps.markPushed(committed);
  return missed.rows.length;
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
