import type pg from 'pg';
import type { Server } from 'socket.io';
import type { PresenceChange } from './presence-announcer.js';
import { userRoom, usersInRooms } from './rooms.js';

/** Between nodes (Socket.io's server-side emit): a batch of presence changes, delivered by every node to its own sockets. */
export const PRESENCE_BATCH = 'derbel:presence';

/** The contacts of the changed users who have a socket on this node: who should hear of which change. */
export async function contactsToTell(pool: pg.Pool, changedUserIds: string[], localUserIds: string[]) {
  const { rows } = await pool.query<{ user_id: string; peer_id: string }>(
    'SELECT user_id, peer_id FROM contact_list WHERE user_id = ANY($1::uuid[]) AND peer_id = ANY($2::uuid[]) AND NOT removed',
    [changedUserIds, localUserIds],
  );
  return rows.map((r) => ({ changed: r.user_id, recipient: r.peer_id }));
}

/**
 * One Redis message per batch whatever its size (instead of one per changed user and its contacts): each node
 * looks up which of its own connected users are contacts of the changed users, and pushes each of them one
 * event: `PresenceChanged {userId, online}` for a single change (as before batching), `PresenceChanges
 * {changes: [{userId, online}…]}` for several.
 */
export class PresenceFanout {
  constructor(
    private readonly io: Server,
    private readonly pool: pg.Pool,
    private readonly shared: boolean,
  ) {}

  /** Sends a batch decided on this node to every node (this one included). */
  async publish(changes: PresenceChange[]) {
    if (this.shared) this.io.serverSideEmit(PRESENCE_BATCH, changes);
    await this.deliverHere(changes);
  }

  /** Pushes a batch to this node's sockets of the changed users' contacts. */
  async deliverHere(changes: PresenceChange[]) {
    const local = usersInRooms(this.io.of('/').adapter.rooms.keys());
    if (local.length === 0 || changes.length === 0) return;
    const online = new Map(changes.map((c) => [c.userId, c.online]));
    const byRecipient = new Map<string, PresenceChange[]>();
    for (const { changed, recipient } of await contactsToTell(this.pool, [...online.keys()], local)) {
      const list = byRecipient.get(recipient) ?? [];
      list.push({ userId: changed, online: online.get(changed)! });
      byRecipient.set(recipient, list);
    }
    for (const [recipient, list] of byRecipient) {
      const event = list.length === 1 ? { type: 'PresenceChanged', data: list[0] } : { type: 'PresenceChanges', data: { changes: list } };
      this.io.local.to(userRoom(recipient)).emit('event', event);
    }
  }
}

/** A batch as another node sent it; anything else is ignored. */
export function asPresenceBatch(value: unknown): PresenceChange[] | null {
  if (!Array.isArray(value)) return null;
  const valid = value.every((c) => c && typeof c.userId === 'string' && typeof c.online === 'boolean');
  return valid ? (value as PresenceChange[]) : null;
}
