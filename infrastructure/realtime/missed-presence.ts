import type pg from 'pg';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { batchedPerPool } from '../database/batched-query.js';
import type { PresenceChange } from './presence-announcer.js';
import type { RecentPresence } from './recent-presence.js';

/** The handshake's field: how long (ms, by the client's own clock) the client was without a connection. */
export const AWAY_MS_AUTH_FIELD = 'awayMs';
/**
 * Added to the time away: a batch can reach this node a little after the client lost its old one (its
 * announcement, the Redis hop, the old node's own delay in seeing the connection go). Hearing a change twice
 * does no harm; missing one leaves a contact shown in the wrong state.
 */
const MARGIN_MS = 3_000;

/** The refusal's message for a handshake whose `awayMs` is named (not absent or null) and is not a time away. */
export const AWAY_MS_INVALID = `${AWAY_MS_AUTH_FIELD} must be the milliseconds without a connection (a number of 0 or more)`;

function awayMsValue(auth: unknown): unknown {
  return typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>)[AWAY_MS_AUTH_FIELD] : undefined;
}

const isTimeAway = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The handshake's `awayMs` is named and is not a time away (the handshake is refused: socket-gateway.ts). */
export function awayMsIsInvalid(auth: unknown): boolean {
  const value = awayMsValue(auth);
  return value !== undefined && value !== null && !isTimeAway(value);
}

/** The handshake's time away: a reconnect names it; a first connect does not. */
export function awayMsIn(auth: unknown): number | null {
  const value = awayMsValue(auth);
  return isTimeAway(value) ? value : null;
}

/** Which of `peerIds` are the user's contacts (one statement for the asks of one turn: a storm's reconnects). */
const contactsAmong = batchedPerPool<{ userId: string; peerIds: string[] }, Set<string>>(
  async (pool, ask) => {
    const { rows } = await pool.query<{ peer_id: string }>({
      name: 'missed_presence_contacts_among',
      text: 'SELECT peer_id FROM contact_list WHERE user_id = $1 AND peer_id = ANY($2::uuid[]) AND NOT removed',
      values: [ask.userId, ask.peerIds],
    });
    return new Set(rows.map((r) => r.peer_id));
  },
  async (pool, asks) => {
    const { rows } = await pool.query<{ user_id: string; peer_id: string }>({
      name: 'missed_presence_contacts_among_many',
      text: 'SELECT user_id, peer_id FROM contact_list WHERE user_id = ANY($1::uuid[]) AND peer_id = ANY($2::uuid[]) AND NOT removed',
      values: [[...new Set(asks.map((a) => a.userId))], [...new Set(asks.flatMap((a) => a.peerIds))]],
    });
    return asks.map((ask) => {
      const asked = new Set(ask.peerIds);
      return new Set(rows.filter((r) => r.user_id === ask.userId && asked.has(r.peer_id)).map((r) => r.peer_id));
    });
  },
);

async function allContacts(pool: pg.Pool, userId: string): Promise<string[]> {
  const { rows } = await pool.query<{ peer_id: string }>({
    name: 'missed_presence_all_contacts',
    text: 'SELECT peer_id FROM contact_list WHERE user_id = $1 AND peer_id IS NOT NULL AND NOT removed',
    values: [userId],
  });
  return rows.map((r) => r.peer_id);
}

export interface MissedPresenceDeps {
  pool: pg.Pool;
  recent: RecentPresence;
  /** What contacts were last told of these users (for a client away longer than this node remembers). */
  shownOnline(userIds: string[]): Promise<Map<string, boolean>>;
  log: Logger;
}

/**
 * Presence is pushed, not kept in the feed: a client that was without a connection missed the changes
 * announced meanwhile, and would show a contact who left as still online until their next change. So a
 * reconnect's handshake names how long it was away (`auth.awayMs`), and once the socket has joined its user
 * room (a change announced after that is pushed live) the node sends it, as one `PresenceChanges` event, the
 * latest state of every contact whose presence changed since — nothing, and no database question, when none
 * did. Away longer than the node remembers: every contact's presence, as contacts were last told it (a user
 * between two sockets, within the grace, is not shown offline for a moment nobody else saw).
 */
export async function sendMissedPresence(socket: Socket, userId: string, joined: Promise<void> | void, deps: MissedPresenceDeps) {
  const awayMs = awayMsIn(socket.handshake.auth);
  if (awayMs === null) return;
  try {
    await joined;
    const changed = deps.recent.changedSince(performance.now() - awayMs - MARGIN_MS);
    let changes: PresenceChange[];
    if (changed === null) {
      const peers = await allContacts(deps.pool, userId);
      const shown = peers.length > 0 ? await deps.shownOnline(peers) : new Map<string, boolean>();
      changes = peers.map((peer) => ({ userId: peer, online: shown.get(peer) ?? false }));
    } else {
      if (changed.length === 0) return;
      const contacts = await contactsAmong(deps.pool, { userId, peerIds: changed.map((c) => c.userId) });
      // The latest state now, not when the question was asked: a change made meanwhile may already have been pushed.
      changes = changed
        .filter((c) => contacts.has(c.userId))
        .map((c) => ({ userId: c.userId, online: deps.recent.latest(c.userId) ?? c.online }));
    }
    if (changes.length > 0 && socket.connected) socket.emit('event', { type: 'PresenceChanges', data: { changes } });
  } catch (err) {
    deps.log.warn({ err }, 'missed presence could not be sent on connect');
  }
}
