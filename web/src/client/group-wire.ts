/**
 * The group conversation wire contract as docs/groups.md states it ("Wire details"), for the client; the
 * group feed events are the server's (`projections/feed/feed-wire.ts`).
 */
import { GROUP_EVENT_TYPES, isGroupEventType } from '../../../domain/contacts/group-events.js';
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

/** The group events of the user's feed (their data: the server's `FeedEventData`). */
export type GroupEventType = (typeof GROUP_EVENT_TYPES)[number];

export { isGroupEventType };
