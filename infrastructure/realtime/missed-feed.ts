import type pg from 'pg';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { readFeedAfter } from '../http/batched-feed.js';

/**
 * Server → client once, right after a connect whose handshake named `auth.feedAfter` (the last feed position
 * the client applied): the user's feed after it, `{ after, events, hasMore }`, or `{ after, error }` when it
 * could not be read. A reconnecting client is caught up without a request of its own (after a node dies, its
 * thousands of clients each made a `GET /api/events` on the survivor, most of them to learn nothing was
 * missed); beyond the first page it reads on with `GET /api/events`.
 */
export const FEED_MISSED_EVENT = 'feed:missed';
/** The handshake's field naming where the client's feed stands. */
export const FEED_AFTER_AUTH_FIELD = 'feedAfter';
/** As many entries as a default `GET /api/events` page. */
export const MISSED_PAGE_LIMIT = 200;

type MissedFeedError = { code: 'VALIDATION_ERROR' | 'UNAVAILABLE'; message: string };
export type MissedFeed =
  | { after: number; events: Array<{ type: string; position: number; data: Record<string, unknown> }>; hasMore: boolean }
  | { after: unknown; error: MissedFeedError };

/** What the handshake asked: nothing (a first connect, an older client), a position, or something that is not one. */
export function feedAfterIn(auth: unknown): { asked: false } | { asked: true; after: unknown; valid: boolean } {
  if (typeof auth !== 'object' || auth === null || !(FEED_AFTER_AUTH_FIELD in auth)) return { asked: false };
  const after = (auth as Record<string, unknown>)[FEED_AFTER_AUTH_FIELD];
  return { asked: true, after, valid: Number.isSafeInteger(after) && (after as number) >= 0 };
}

/**
 * Reads the feed after the handshake's position and sends it on the socket. `joined` is the socket's join to its
 * user room: the read starts after it, so an entry committed meanwhile is either in the page or pushed live (the
 * client applies each position once), never in neither.
 */
export async function sendMissedFeed(socket: Socket, userId: string, joined: Promise<void> | void, pool: pg.Pool, log: Logger) {
  const asked = feedAfterIn(socket.handshake.auth);
  if (!asked.asked) return;
  if (!asked.valid) {
    const message = `${FEED_AFTER_AUTH_FIELD} must be a feed position (an integer of 0 or more)`;
    return void socket.emit(FEED_MISSED_EVENT, { after: asked.after, error: { code: 'VALIDATION_ERROR', message } } satisfies MissedFeed);
  }
  const after = asked.after as number;
  let missed: MissedFeed;
  try {
    await joined;
    missed = { after, ...(await readFeedAfter(pool, userId, after, MISSED_PAGE_LIMIT)) };
  } catch (err) {
    log.warn({ err }, 'missed feed could not be read on connect');
    missed = { after, error: { code: 'UNAVAILABLE', message: 'The feed could not be read: catch up with GET /api/events' } };
  }
  if (socket.connected) socket.emit(FEED_MISSED_EVENT, missed);
}
