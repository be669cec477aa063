import type { ContactAdded, ConversationRead, MessageSent } from '../../domain/contacts/events.js';
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
}

/** The document this fold keeps per contact: both members' entries. */
export interface ContactEntries {
  contactId: string;
  rows: readonly ContactListRow[];
}

export type ContactListEvent = Recorded<
ContactAdded | MessageSent | ConversationRead | MeetingStarted | ParticipantJoined | MeetingEnded>;

const TYPES = new Set(['ContactAdded', 'MessageSent', 'ConversationRead', 'MeetingStarted', 'ParticipantJoined', 'MeetingEnded']);

/** Each entry `change` returns something new for; the document itself is new only if one of them is. */
function update(doc: ContactEntries | null, change: (row: ContactListRow) => ContactListRow): ContactEntries | null {
  if (!doc) return doc;
  const rows = doc.rows.map(change);
  return rows.some((row, i) => row !== doc.rows[i]) ? { ...doc, rows } : doc;
}

/**
 * Per user: each contact with its peer, read markers, active meeting and last activity. The last message and
 * the unread count are read from `messages` at query time (`contact-list.queries.ts`), so they always agree
 * with the history.
 */
export const contactListFold: Fold<ContactEntries, ContactListEvent> = {
  handles: (event: RecordedDerbelEvent): event is ContactListEvent => TYPES.has(event.type),
  keyOf: (event) => uuid(event, dataOf(event).contactId, 'contactId'),
  createsOnly: (event) => event.type === 'ContactAdded',
  evolve(doc, event) {
    const at = occurredAt(event);
    switch (event.type) {
      case 'ContactAdded': {
        const [a, b] = uuids(event, event.data.members, 'members', 2);
        if (doc) return doc;
        const entry = (userId: string, peerId: string): ContactListRow => ({
          userId,
          contactId: event.data.contactId,
          peerId,
          lastActivityAt: at,
          lastReadMessageId: null,
          peerLastReadMessageId: null,
          activeMeeting: null,
        });
        return { contactId: event.data.contactId, rows: [entry(a, b), entry(b, a)] };
      }
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
        const activeMeeting: ActiveMeetingSummary = { id: uuid(event, d.meetingId, 'meetingId'), state: 'ringing', startedBy: uuid(event, d.startedBy, 'startedBy') };
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
