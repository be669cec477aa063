import type { ContactAdded, ConversationRead, MessageDeleted, MessageEdited, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingEnded, MeetingStarted, ParticipantJoined } from '../../domain/meetings/events.js';
import { dataOf, occurredAt, text, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import type { Recorded, RecordedDerbelEvent } from '../recorded-event.js';

export interface LastMessage {
  id: string;
  senderId: string;
  text: string | null;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
}

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
  lastMessage: LastMessage | null;
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
  ContactAdded | MessageSent | MessageEdited | MessageDeleted | ConversationRead | MeetingStarted | ParticipantJoined | MeetingEnded
>;

const TYPES = new Set(['ContactAdded', 'MessageSent', 'MessageEdited', 'MessageDeleted', 'ConversationRead', 'MeetingStarted', 'ParticipantJoined', 'MeetingEnded']);

/** Each entry `change` returns something new for; the document itself is new only if one of them is. */
function update(doc: ContactEntries | null, change: (row: ContactListRow) => ContactListRow): ContactEntries | null {
  if (!doc) return doc;
  const rows = doc.rows.map(change);
  return rows.some((row, i) => row !== doc.rows[i]) ? { ...doc, rows } : doc;
}

/**
 * Per user: each contact with its peer, last message, read markers, active meeting and last activity. The
 * unread count is derived at query time from `messages` and the read marker. Like the messages fold, only
 * the sender's edits and deletions change the last message.
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
          lastMessage: null,
          lastActivityAt: at,
          lastReadMessageId: null,
          peerLastReadMessageId: null,
          activeMeeting: null,
        });
        return { contactId: event.data.contactId, rows: [entry(a, b), entry(b, a)] };
      }
      case 'MessageSent': {
        const d = event.data;
        const lastMessage: LastMessage = {
          id: uuid(event, d.messageId, 'messageId'),
          senderId: uuid(event, d.senderId, 'senderId'),
          text: text(event, d.text, 'text'),
          sentAt: at,
          editedAt: null,
          deleted: false,
        };
        return update(doc, (row) => ({ ...row, lastMessage, lastActivityAt: at }));
      }
      case 'MessageEdited': {
        const d = event.data;
        const [messageId, editorId, edited] = [uuid(event, d.messageId, 'messageId'), uuid(event, d.editorId, 'editorId'), text(event, d.text, 'text')];
        return update(doc, (row) =>
          isLive(row.lastMessage, messageId, editorId) ? { ...row, lastMessage: { ...row.lastMessage!, text: edited, editedAt: at } } : row,
        );
      }
      case 'MessageDeleted': {
        const d = event.data;
        const [messageId, deletedBy] = [uuid(event, d.messageId, 'messageId'), uuid(event, d.deletedBy, 'deletedBy')];
        return update(doc, (row) =>
          isLive(row.lastMessage, messageId, deletedBy) ? { ...row, lastMessage: { ...row.lastMessage!, text: null, deleted: true } } : row,
        );
      }
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

/** The last message is this one, still there, and `userId` sent it. */
const isLive = (message: LastMessage | null, messageId: string, userId: string) =>
  message !== null && message.id === messageId && message.senderId === userId && !message.deleted;
