import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { ContactAdded, ConversationRead, MessageDeleted, MessageEdited, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingEnded, MeetingStarted, ParticipantJoined } from '../../domain/meetings/events.js';
import { applyEach, isCanonicalUuid, jsonText } from '../batch-support.js';
import type { LeaderMemory, Projection, Sql } from '../projection.js';

interface Row {
  user_id: string;
  contact_id: string;
  peer_id: string;
  last_message: Record<string, unknown> | null;
  /** Kept as PostgreSQL's own text for stored rows, so writing it back loses no precision. */
  last_activity_at: string;
  last_read_message_id: string | null;
  peer_last_read_message_id: string | null;
  active_meeting: Record<string, unknown> | null;
}

const HANDLED = new Set(['ContactAdded', 'MessageSent', 'MessageEdited', 'MessageDeleted', 'ConversationRead', 'MeetingStarted', 'ParticipantJoined', 'MeetingEnded']);

/**
 * The contact list over a batch: the rows of the contacts the batch touches are read once, each event's
 * UPDATE/INSERT is replayed on them in memory with the same conditions as its SQL, and the changed rows
 * are written back with one upsert. With a leader's memory, only contacts it does not remember are read.
 */
export async function applyContactListBatch(sql: Sql, events: RecordedEvent[], perEvent: Projection, memory?: LeaderMemory): Promise<void> {
  const relevant = events.filter((event) => HANDLED.has(event.type));
  if (relevant.length === 0) return;
  for (const event of relevant) {
    const d = event.data as { contactId?: unknown; members?: unknown; userId?: unknown };
    const idsOk =
      isCanonicalUuid(d.contactId) &&
      (event.type !== 'ContactAdded' || (Array.isArray(d.members) && d.members.length >= 2 && d.members.slice(0, 2).every(isCanonicalUuid))) &&
      (event.type !== 'ConversationRead' || isCanonicalUuid(d.userId));
    if (!idsOk || typeof event.metadata.timestamp !== 'string') {
      // The per-event path writes behind the memory's back.
      memory?.clear();
      return void (await applyEach(perEvent, sql, events));
    }
  }

  const contacts = new Map<string, Map<string, Row>>();
  const contactIds = [...new Set(relevant.map((event) => (event.data as { contactId: string }).contactId))];
  const unknown: string[] = [];
  for (const contactId of contactIds) {
    const remembered = memory?.get(contactId) as Map<string, Row> | undefined;
    if (remembered) contacts.set(contactId, remembered);
    else unknown.push(contactId);
  }
  if (unknown.length > 0) {
    const { rows: stored } = await sql.query<Row>(
      `SELECT user_id::text, contact_id::text, peer_id::text, last_message, last_activity_at::text, last_read_message_id::text,
              peer_last_read_message_id::text, active_meeting
       FROM contact_list WHERE contact_id = ANY($1::uuid[])`,
      [unknown],
    );
    for (const row of stored) rowsOf(contacts, row.contact_id).set(row.user_id, row);
  }
  // Rows are changed in place below: the memory sees this batch's changes, and is dropped if it fails.
  if (memory) for (const contactId of contactIds) memory.set(contactId, rowsOf(contacts, contactId));
  const changed = new Set<Row>();
  const update = (contactId: string, where: (row: Row) => boolean, change: (row: Row) => void) => {
    for (const row of rowsOf(contacts, contactId).values()) {
      if (!where(row)) continue;
      change(row);
      changed.add(row);
    }
  };
  const always = () => true;

  for (const event of relevant) {
    const at = event.metadata.timestamp;
    switch (event.type) {
      case 'ContactAdded': {
        const { contactId, members } = event.data as ContactAdded['data'];
        const [a, b] = members;
        const rows = rowsOf(contacts, contactId);
        for (const [user, peer] of [[a, b], [b, a]]) {
          if (rows.has(user)) continue;
          const row: Row = {
            user_id: user,
            contact_id: contactId,
            peer_id: peer,
            last_message: null,
            last_activity_at: at,
            last_read_message_id: null,
            peer_last_read_message_id: null,
            active_meeting: null,
          };
          rows.set(user, row);
          changed.add(row);
        }
        break;
      }
      case 'MessageSent': {
        const d = event.data as MessageSent['data'];
        const lastMessage = withoutUndefined({ id: d.messageId, senderId: d.senderId, text: d.text, sentAt: at, editedAt: null, deleted: false });
        update(d.contactId, always, (row) => {
          row.last_message = lastMessage;
          row.last_activity_at = at;
        });
        break;
      }
      case 'MessageEdited': {
        const d = event.data as MessageEdited['data'];
        update(
          d.contactId,
          (row) => row.last_message !== null && sameText(row.last_message.id, d.messageId),
          (row) => (row.last_message = { ...row.last_message, text: d.text ?? null, editedAt: at }),
        );
        break;
      }
      case 'MessageDeleted': {
        const d = event.data as MessageDeleted['data'];
        update(
          d.contactId,
          (row) => row.last_message !== null && sameText(row.last_message.id, d.messageId),
          (row) => (row.last_message = { ...row.last_message, text: null, deleted: true }),
        );
        break;
      }
      case 'ConversationRead': {
        const d = event.data as ConversationRead['data'];
        update(d.contactId, (row) => row.user_id === d.userId, (row) => (row.last_read_message_id = d.messageId ?? null));
        update(d.contactId, (row) => row.peer_id === d.userId, (row) => (row.peer_last_read_message_id = d.messageId ?? null));
        break;
      }
      case 'MeetingStarted': {
        const d = event.data as MeetingStarted['data'];
        const meeting = withoutUndefined({ id: d.meetingId, state: 'ringing', startedBy: d.startedBy });
        update(d.contactId, always, (row) => {
          row.active_meeting = meeting;
          row.last_activity_at = at;
        });
        break;
      }
      case 'ParticipantJoined': {
        const d = event.data as ParticipantJoined['data'];
        update(
          d.contactId,
          (row) => {
            const meeting = row.active_meeting;
            if (meeting === null || !sameText(meeting.id, d.meetingId)) return false;
            const startedBy = jsonText(meeting.startedBy);
            const userId = jsonText(d.userId);
            return startedBy !== null && userId !== null && userId !== startedBy;
          },
          (row) => (row.active_meeting = { ...row.active_meeting, state: 'active' }),
        );
        break;
      }
      case 'MeetingEnded': {
        const d = event.data as MeetingEnded['data'];
        update(
          d.contactId,
          (row) => row.active_meeting !== null && sameText(row.active_meeting.id, d.meetingId),
          (row) => (row.active_meeting = null),
        );
        break;
      }
    }
  }
  if (changed.size === 0) return;
  await sql.query(
    `INSERT INTO contact_list (user_id, contact_id, peer_id, last_message, last_activity_at, last_read_message_id, peer_last_read_message_id, active_meeting)
     SELECT * FROM json_to_recordset($1::json) AS r(user_id uuid, contact_id uuid, peer_id uuid, last_message jsonb, last_activity_at timestamptz,
       last_read_message_id uuid, peer_last_read_message_id uuid, active_meeting jsonb)
     ON CONFLICT (user_id, contact_id) DO UPDATE SET
       peer_id = EXCLUDED.peer_id, last_message = EXCLUDED.last_message, last_activity_at = EXCLUDED.last_activity_at,
       last_read_message_id = EXCLUDED.last_read_message_id, peer_last_read_message_id = EXCLUDED.peer_last_read_message_id,
       active_meeting = EXCLUDED.active_meeting`,
    [JSON.stringify([...changed])],
  );
}

function rowsOf(contacts: Map<string, Map<string, Row>>, contactId: string): Map<string, Row> {
  let rows = contacts.get(contactId);
  if (!rows) contacts.set(contactId, (rows = new Map()));
  return rows;
}

/** SQL's `a = b` on `->>` texts: never true when either side is null. */
function sameText(a: unknown, b: unknown): boolean {
  const left = jsonText(a);
  return left !== null && left === jsonText(b);
}

/**
 * What the per-event SQL stores for a JS object parameter (JSON.stringify drops undefined fields). Rows may
 * share the result: later changes replace `last_message`/`active_meeting` with new objects, never mutate them.
 */
function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
