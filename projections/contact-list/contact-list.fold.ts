import type { ContactAdded, ContactRemoved, ConversationRead, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingEnded, MeetingStarted, ParticipantJoined } from '../../domain/meetings/events.js';
import { bool, dataOf, occurredAt, text, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import { GROUP_EVENT_TYPES, type Recorded, type RecordedDerbelEvent, type RecordedGroupEvent } from '../recorded-event.js';

export interface ActiveMeetingSummary {
  id: string;
  state: 'ringing' | 'active';
  startedBy: string;
}

/** One member's entry for a conversation: a direct contact, or a group (docs/groups.md). */
export interface ContactListRow {
  userId: string;
  contactId: string;
  /** Direct: the other member; group: null. */
  peerId: string | null;
  kind: 'direct' | 'group';
  /** Group: its title; direct: null. */
  title: string | null;
  /** The conversation's current members (direct: 2). */
  memberCount: number;
  /** Direct: always 'member'. */
  role: 'admin' | 'member';
  /** Group: whether any member may add members (else admins only); direct: false. */
  membersMayAdd: boolean;
  lastActivityAt: string;
  lastReadMessageId: string | null;
  peerLastReadMessageId: string | null;
  activeMeeting: ActiveMeetingSummary | null;
  /**
   * Direct: the contact was removed or blocked, hidden from both lists until they are contacts again. Group:
   * this member left or was removed, hidden from their list until they are added again.
   */
  removed: boolean;
}

/** The document this fold keeps per contact: every member's entry (both of a direct contact's). */
export interface ContactEntries {
  contactId: string;
  rows: readonly ContactListRow[];
}

export type ContactListEvent =
  | Recorded<ContactAdded | ContactRemoved | MessageSent | ConversationRead | MeetingStarted | ParticipantJoined | MeetingEnded>
  | RecordedGroupEvent;

const TYPES = new Set<string>([
  ...GROUP_EVENT_TYPES,
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

/** A group's member count: its entries not hidden. */
function withMemberCount(doc: ContactEntries): ContactEntries {
  const memberCount = doc.rows.filter((row) => !row.removed).length;
  return { ...doc, rows: doc.rows.map((row) => (row.memberCount === memberCount ? row : { ...row, memberCount })) };
}

/** A group member's entry who is in the group now (a former member's entry changes no more). */
const current = (row: ContactListRow) => !(row.kind === 'group' && row.removed);

/**
 * Per user: each accepted contact with its peer, read markers, active meeting and last activity. The last
 * message and the unread count are read from `messages` at query time (`contact-list.queries.ts`), so they
 * always agree with the history. Requests are not here (`contact-requests`): a `ContactAdded` (an acceptance,
 * or alone in a log from before requests) is what makes the entries. A removal hides them; a new acceptance
 * shows them again, read markers and all. A group has an entry per member, made by its `GroupCreated` or
 * the add of that member; a member who leaves or is removed has theirs hidden, and shown again (read marker
 * kept) when added again; the group's title, setting and member count are kept on every entry.
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
          kind: 'direct',
          title: null,
          memberCount: 2,
          role: 'member',
          membersMayAdd: false,
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
        return update(doc, (row) => (row.lastActivityAt === at || !current(row) ? row : { ...row, lastActivityAt: at }));
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
        return update(doc, (row) => (current(row) ? { ...row, activeMeeting, lastActivityAt: at } : row));
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
      default:
        return evolveGroup(doc, event, at);
    }
  },
};

function evolveGroup(doc: ContactEntries | null, event: RecordedGroupEvent, at: string): ContactEntries | null {
  switch (event.type) {
    case 'GroupCreated': {
      const members = [...new Set(uuids(event, event.data.members, 'members', 1))];
      const admins = uuids(event, event.data.admins, 'admins');
      const title = text(event, event.data.title, 'title');
      const membersMayAdd = bool(event, event.data.membersMayAdd, 'membersMayAdd');
      // A conversation's members are set by its first event, as for a direct contact.
      if (doc) return doc;
      return {
        contactId: event.data.contactId,
        rows: members.map((userId) => ({
          userId,
          contactId: event.data.contactId,
          peerId: null,
          kind: 'group',
          title,
          memberCount: members.length,
          role: admins.includes(userId) ? 'admin' : 'member',
          membersMayAdd,
          lastActivityAt: at,
          lastReadMessageId: null,
          peerLastReadMessageId: null,
          activeMeeting: null,
          removed: false,
        })),
      };
    }
    case 'GroupRenamed': {
      const title = text(event, event.data.title, 'title');
      uuid(event, event.data.renamedBy, 'renamedBy');
      return update(doc, (row) => (row.title === title ? row : { ...row, title }));
    }
    case 'GroupSettingsChanged': {
      const membersMayAdd = bool(event, event.data.membersMayAdd, 'membersMayAdd');
      uuid(event, event.data.changedBy, 'changedBy');
      return update(doc, (row) => (row.membersMayAdd === membersMayAdd ? row : { ...row, membersMayAdd }));
    }
    case 'GroupMembersAdded': {
      const userIds = [...new Set(uuids(event, event.data.userIds, 'userIds', 1))];
      uuid(event, event.data.addedBy, 'addedBy');
      if (!doc || doc.rows[0]?.kind !== 'group') return doc;
      const activeMeeting = doc.rows.find((row) => !row.removed)?.activeMeeting ?? null;
      const back = (row: ContactListRow): ContactListRow => ({ ...row, removed: false, role: 'member', lastActivityAt: at, activeMeeting });
      const rows = doc.rows.map((row) => (row.removed && userIds.includes(row.userId) ? back(row) : row));
      const template = doc.rows[0];
      for (const userId of userIds) {
        if (rows.some((row) => row.userId === userId)) continue;
        rows.push(back({ ...template, userId, lastReadMessageId: null, peerLastReadMessageId: null }));
      }
      return rows.some((row, i) => row !== doc.rows[i]) ? withMemberCount({ ...doc, rows }) : doc;
    }
    case 'GroupMemberRemoved':
    case 'GroupMemberLeft': {
      const userId = uuid(event, event.data.userId, 'userId');
      if (event.type === 'GroupMemberRemoved') uuid(event, event.data.removedBy, 'removedBy');
      const gone = update(doc, (row) =>
        row.userId === userId && row.kind === 'group' && !row.removed
          ? { ...row, removed: true, role: 'member', activeMeeting: null }
          : row,
      );
      return gone && gone !== doc ? withMemberCount(gone) : gone;
    }
    case 'GroupAdminAppointed': {
      const userId = uuid(event, event.data.userId, 'userId');
      if (event.data.appointedBy != null) uuid(event, event.data.appointedBy, 'appointedBy');
      return update(doc, (row) =>
        row.userId === userId && row.kind === 'group' && !row.removed && row.role !== 'admin' ? { ...row, role: 'admin' } : row,
      );
    }
  }
}
