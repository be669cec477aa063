import type { ContactAdded, ContactRemoved, ConversationRead, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingEnded, MeetingStarted, ParticipantJoined } from '../../domain/meetings/events.js';
import { dataOf, occurredAt, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import type { Recorded, RecordedDerbelEvent } from '../recorded-event.js';

export interface ActiveMeetingSummary {
  id: string;
  state: 'ringing' | 'active';
  startedBy: string;
}

/** One member's entry for a contact. */
export interface ContactListRow {
  userId: string;
  contactId: string;
  peerId: string;
  lastActivityAt: string;
  lastReadMessageId: string | null;
  peerLastReadMessageId: string | null;
  activeMeeting: ActiveMeetingSummary | null;
  /** The contact was removed or blocked: hidden from both lists until they are contacts again. */
  removed: boolean;
}

/** The document this fold keeps per contact: both members' entries. */
export interface ContactEntries {
  contactId: string;
  rows: readonly ContactListRow[];
}

export type ContactListEvent = Recorded<
  ContactAdded | ContactRemoved | MessageSent | ConversationRead | MeetingStarted | ParticipantJoined | MeetingEnded
>;

const TYPES = new Set([
  'ContactAdded',
  'ContactRemoved',
  'MessageSent',
  'ConversationRead',
  'MeetingStarted',
  'ParticipantJoined',
  'MeetingEnded',
]);

/** Each entry `change` returns something new for; the document itself is new only if one of them is. */
function update(doc: ContactEntries | null, change: (row: ContactListRow) => ContactListRow): ContactEntries | null {
  if (!doc) return doc;
  const rows = doc.rows.map(change);
  return rows.some((row, i) => row !== doc.rows[i]) ? { ...doc, rows } : doc;
}

/**
 * Per user: each accepted contact with its peer, read markers, active meeting and last activity. The last
 * message and the unread count are read from `messages` at query time (`contact-list.queries.ts`), so they
 * always agree with the history. Requests are not here (`contact-requests`): a `ContactAdded` (an acceptance,
 * or alone in a log from before requests) is what makes the entries. A removal hides them; a new acceptance
 * shows them again, read markers and all.
 */
export const contactListFold: Fold<ContactEntries, ContactListEvent> = {
  handles: (event: RecordedDerbelEvent): event is ContactListEvent => TYPES.has(event.type),
  keyOf: (event) => uuid(event, dataOf(event).contactId, 'contactId'),
  evolve(doc, event) {
    const at = occurredAt(event);
    switch (event.type) {
      case 'ContactAdded': {
        const [a, b] = uuids(event, event.data.members, 'members', 2);
        // Accepted again after a removal: back on top of both lists. Otherwise (only a corrupt log adds twice)
        // the first members stay.
        if (doc) return update(doc, (row) => (row.removed ? { ...row, removed: false, lastActivityAt: at } : row));
        const entry = (userId: string, peerId: string): ContactListRow => ({
          userId,
          contactId: event.data.contactId,
          peerId,
          lastActivityAt: at,
          lastReadMessageId: null,
          peerLastReadMessageId: null,
          activeMeeting: null,
          removed: false,
        });
        return { contactId: event.data.contactId, rows: [entry(a, b), entry(b, a)] };
      }
      case 'ContactRemoved':
        uuid(event, event.data.removedBy, 'removedBy');
        return update(doc, (row) => (row.removed ? row : { ...row, removed: true, activeMeeting: null }));
      case 'MessageSent':
        uuid(event, event.data.messageId, 'messageId');
        uuid(event, event.data.senderId, 'senderId');
        return update(doc, (row) => (row.lastActivityAt === at ? row : { ...row, lastActivityAt: at }));
      case 'ConversationRead': {
        const d = event.data;
        const [userId, messageId] = [uuid(event, d.userId, 'userId'), uuid(event, d.messageId, 'messageId')];
        return update(doc, (row) => {
          if (row.userId === userId) return { ...row, lastReadMessageId: messageId };
          if (row.peerId === userId) return { ...row, peerLastReadMessageId: messageId };
          return row;
        });
      }
      case 'MeetingStarted': {
        const d = event.data;
        const activeMeeting: ActiveMeetingSummary = {
          id: uuid(event, d.meetingId, 'meetingId'),
          state: 'ringing',
          startedBy: uuid(event, d.startedBy, 'startedBy'),
        };
        return update(doc, (row) => ({ ...row, activeMeeting, lastActivityAt: at }));
      }
      case 'ParticipantJoined': {
        const d = event.data;
        const [meetingId, userId] = [uuid(event, d.meetingId, 'meetingId'), uuid(event, d.userId, 'userId')];
        return update(doc, (row) =>
          row.activeMeeting?.id === meetingId && row.activeMeeting.state !== 'active' && row.activeMeeting.startedBy !== userId
            ? { ...row, activeMeeting: { ...row.activeMeeting, state: 'active' } }
            : row,
        );
      }
      case 'MeetingEnded': {
        const meetingId = uuid(event, event.data.meetingId, 'meetingId');
        return update(doc, (row) => (row.activeMeeting?.id === meetingId ? { ...row, activeMeeting: null } : row));
      }
    }
  },
};
