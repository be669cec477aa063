import type pg from 'pg';
import type { Server } from 'socket.io';
import { inSlices } from '../lifecycle/in-slices.js';
import type { PresenceChange } from './presence-announcer.js';
import type { RecentPresence } from './recent-presence.js';
import { userRoom } from './rooms.js';

/** Between nodes (Socket.io's server-side emit): a batch of presence changes, delivered by every node to its own sockets. */
export const PRESENCE_BATCH = 'derbel:presence';
/** Recipients pushed to per turn of the event loop: a storm's batch reaches thousands. */
const EMIT_SLICE = 500;

/**
 * The contacts of the changed users who have a socket on this node (`isHere`): who should hear of which change.
 * Asked by the changed users' contacts only, and kept here if they have a room on this node (at 20,000 sockets,
 * passing every local user to PostgreSQL cost a 20,000-id array per batch).
 */
export async function contactsToTell(pool: pg.Pool, changedUserIds: string[], isHere: (userId: string) => boolean) {
  const { rows } = await pool.query<{ user_id: string; peer_id: string }>({
    name: 'presence_contacts_to_tell',
    text: 'SELECT user_id, peer_id FROM contact_list WHERE user_id = ANY($1::uuid[]) AND NOT removed',
    values: [changedUserIds],
  });
  return rows.filter((r) => isHere(r.peer_id)).map((r) => ({ changed: r.user_id, recipient: r.peer_id }));
}

/**
 * One Redis message per batch whatever its size (instead of one per changed user and its contacts): each node
 * looks up which of its own connected users are contacts of the changed users, and pushes each of them one
 * event: `PresenceChanged {userId, online}` for a single change (as before batching), `PresenceChanges
 * {changes: [{userId, online}…]}` for several.
 */
export class PresenceFanout {
  /** The last batch's pushes (settled either way): the next batch's begin after them. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: Server,
    private readonly pool: pg.Pool,
    private readonly shared: boolean,
    /** Remembers every batch delivered here, for the clients that were away meanwhile (missed-presence.ts). */
    private readonly recent?: RecentPresence,
  ) {}

  /** Sends a batch decided on this node to every node (this one included). */
  async publish(changes: PresenceChange[]) {
    if (this.shared) this.io.serverSideEmit(PRESENCE_BATCH, changes);
    await this.deliverHere(changes);
  }

  /**
   * Pushes a batch to this node's sockets of the changed users' contacts. The batches' contact queries run
   * side by side, but their pushes go out one batch after the other, in the order the batches were given (a
   * recipient hears an earlier change before a later one, whichever query answered first); each batch's
   * pushes go `EMIT_SLICE` recipients per turn of the event loop, so that thousands of them do not hold
   * this node's other work (its users' messages) for a second.
   */
  deliverHere(changes: PresenceChange[]): Promise<void> {
    this.recent?.record(changes);
    const recipients = this.recipientsOf(changes);
    recipients.catch(() => {}); // answered when its turn comes
    const delivered = this.delivering.then(async () => this.emitInSlices(await recipients));
    this.delivering = delivered.catch(() => {});
    return delivered;
  }

  /** Each local recipient and the changes it should hear of. */
  private async recipientsOf(changes: PresenceChange[]) {
    const byRecipient = new Map<string, PresenceChange[]>();
    const rooms = this.io.of('/').adapter.rooms;
    if (rooms.size === 0 || changes.length === 0) return byRecipient;
    const online = new Map(changes.map((c) => [c.userId, c.online]));
    const isHere = (userId: string) => rooms.has(userRoom(userId));
    for (const { changed, recipient } of await contactsToTell(this.pool, [...online.keys()], isHere)) {
      const list = byRecipient.get(recipient) ?? [];
      list.push({ userId: changed, online: online.get(changed)! });
      byRecipient.set(recipient, list);
    }
    return byRecipient;
  }

  private async emitInSlices(byRecipient: Map<string, PresenceChange[]>) {
    await inSlices([...byRecipient], EMIT_SLICE, (slice) => {
      for (const [recipient, list] of slice) {
        const event = list.length === 1 ? { type: 'PresenceChanged', data: list[0] } : { type: 'PresenceChanges', data: { changes: list } };
        this.io.local.to(userRoom(recipient)).emit('event', event);
      }
    });
  }
}

/** A batch as another node sent it; anything else is ignored. */
export function asPresenceBatch(value: unknown): PresenceChange[] | null {
  if (!Array.isArray(value)) return null;
  const valid = value.every((c) => c && typeof c.userId === 'string' && typeof c.online === 'boolean');
  return valid ? (value as PresenceChange[]) : null;
}
