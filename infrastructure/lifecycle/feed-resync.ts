import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.js';
import { isCanonicalUuid } from '../../domain/ids.js';
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
  /** The log, to find the contacts of the events never pushed. */
  store: Pick<EventStore, 'readAll'>;
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
  const { rows } = await deps.pool.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [
    PROJECTIONS.feed,
  ]);
  const committed = Number(rows[0]?.position ?? 0);
  if (pushed === null) {
    if (!deps.unknownMeansAll || committed === 0) return 0;
    announceResync(deps.io, 'all-nodes', reason);
    deps.markPushed(committed);
    return 'all';
  }
  if (committed <= pushed) return 0;
  const contactIds = await contactsBetween(deps.store, pushed, committed);
  if (contactIds === null) {
    announceResync(deps.io, 'all-nodes', reason);
    deps.markPushed(committed);
    return 'all';
  }
  // Their members are exactly the feeds those events went to (the feed table has no index by position alone).
  const missed = await deps.pool.query<{ user_id: string }>(
    'SELECT DISTINCT user_id::text FROM feed_contact_members WHERE contact_id = ANY($1::uuid[])',
    [[...contactIds]],
  );
  // Never an empty room list: `io.to([])` would reach everyone.
  if (missed.rows.length > 0)
    deps.io.to(missed.rows.map((r) => userRoom(r.user_id))).emit('event', { type: FEED_RESYNC, data: { reason } });
  // Told once: the next leader change must not tell them again.
  deps.markPushed(committed);
  return missed.rows.length;
}

/** More missed events than this and everyone is told: cheaper than working out who. */
const MAX_MISSED_EVENTS = 10_000;

/** The contacts of the events in (after, upTo]; null when there are too many to look at. */
async function contactsBetween(store: Pick<EventStore, 'readAll'>, after: number, upTo: number): Promise<Set<string> | null> {
  const contactIds = new Set<string>();
  let read = 0;
  for (let position = after; position < upTo;) {
    const page = await store.readAll({ after: position, limit: 1_000 });
    if (page.length === 0) break;
    for (const event of page) {
      if (event.position > upTo) return contactIds;
      const contactId = (event.data as { contactId?: unknown } | null)?.contactId;
      if (isCanonicalUuid(contactId)) contactIds.add(contactId);
    }
    read += page.length;
    if (read > MAX_MISSED_EVENTS) return null;
    position = page[page.length - 1].position;
  }
  return contactIds;
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
