/**
 * The group conversation wire contract as docs/groups.md states it ("Wire details"), for the client.
 * The server's `projections/feed/feed-wire.ts` wins for any event type it defines (see `types.ts`).
 */
import type { Message, User } from './types.js';

export type MemberRole = 'admin' | 'member';

export type ConversationMember = User & { role: MemberRole };

/** One row of `GET /api/conversations` (newest activity first) and the body of `GET /api/conversations/:id`. */
export type ConversationListItem = {
  id: string;
  kind: 'direct' | 'group';
  /** Group: its title; direct: null (the UI shows the peer's name). */
  title: string | null;
  /** Direct only. */
  peer: User | null;
  /** Current members, self included. */
  members: ConversationMember[];
  membersMayAdd: boolean;
  /** Start of the caller's current membership period. */
  joinedAt: string;
  lastMessage: Omit<Message, 'contactId'> | null;
  unreadCount: number;
  lastActivityAt: string;
  lastReadMessageId: string | null;
  /** The other current members' read marks. */
  readMarks: { userId: string; messageId: string }[];
  peerLastReadMessageId: string | null;
  activeMeeting: { id: string; state: string; startedBy: string } | null;
  /** Direct only, where the server says it (as `GET /api/contacts` does). */
  peerOnline?: boolean;
};

/** The group events of the user's feed, each with the time it happened. */
export type GroupFeedEventData = {
  GroupCreated: {
    contactId: string;
    kind: 'group';
    title: string;
    members: string[];
    admins: string[];
    createdBy: string;
    membersMayAdd: boolean;
    createdAt: string;
  };
  GroupRenamed: { contactId: string; title: string; renamedBy: string; renamedAt: string };
  GroupMembersAdded: { contactId: string; userIds: string[]; addedBy: string; addedAt: string };
  GroupMemberRemoved: { contactId: string; userId: string; removedBy: string; removedAt: string };
  GroupMemberLeft: { contactId: string; userId: string; leftAt: string };
  GroupAdminAppointed: { contactId: string; userId: string; appointedBy: string | null; appointedAt: string };
  GroupSettingsChanged: { contactId: string; membersMayAdd: boolean; changedBy: string; changedAt: string };
};

export type GroupEventType = keyof GroupFeedEventData;

export const GROUP_EVENT_TYPES: ReadonlySet<string> = new Set<GroupEventType>([
  'GroupCreated',
  'GroupRenamed',
  'GroupMembersAdded',
  'GroupMemberRemoved',
  'GroupMemberLeft',
  'GroupAdminAppointed',
  'GroupSettingsChanged',
]);
