/**
 * The feed's wire contract: what a user's socket receives as `event {type, position, data}` and what
 * `GET /api/events` returns, per event type. Types only, so that the web app can import them too.
 */
/** A file sent with a message: its metadata (the bytes are at `GET /api/attachments/:id`). */
export type FeedAttachment = { id: string; name: string; size: number; contentType: string; width?: number; height?: number };

export type FeedEventData = {
  /** To the requester, and to the recipient unless the request is silenced (see docs/contacts-consent.md). */
  ContactRequested: { contactId: string; requestedBy: string; recipientId: string; message: string | null; requestedAt: string };
  /** To the decliner only: the requester is not told. */
  ContactRequestDeclined: { contactId: string; declinedAt: string };
  ContactRequestCancelled: { contactId: string; cancelledAt: string };
  ContactAdded: { contactId: string; kind: 'direct'; members: string[]; addedBy: string; addedAt: string };
  /** Never says who removed it, nor whether it was a block. */
  ContactRemoved: { contactId: string; removedAt: string };
  /** To the blocker only; `userId` is the blocked user. */
  UserBlocked: { userId: string; blockedAt: string };
  UserUnblocked: { userId: string; unblockedAt: string };
  /**
   * `attachments`: only when the message carries files. `replyToId`: only when it answers an earlier message
   * of the conversation (its quote is in the history: the feed knows no other message's text).
   */
  MessageSent: {
    contactId: string;
    messageId: string;
    senderId: string;
    text: string;
    sentAt: string;
    attachments?: FeedAttachment[];
    replyToId?: string;
  };
  MessageEdited: { contactId: string; messageId: string; editorId: string; text: string; editedAt: string };
  MessageDeleted: { contactId: string; messageId: string; deletedBy: string; deletedAt: string };
  ConversationRead: { contactId: string; userId: string; messageId: string; readAt: string };
  /** `userId` reacted to a message with `emoji`, or took that reaction back; never a new message nor unread. */
  ReactionAdded: { contactId: string; messageId: string; userId: string; emoji: string; reactedAt: string };
  ReactionRemoved: { contactId: string; messageId: string; userId: string; emoji: string; removedAt: string };
  /** Group conversations (docs/groups.md): to the members at that position, except as said. */
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
  /** To the members after the add, the new ones included. */
  GroupMembersAdded: { contactId: string; userIds: string[]; addedBy: string; addedAt: string };
  /** To the members before the removal: the removed one gets it, as the last event of the group. */
  GroupMemberRemoved: { contactId: string; userId: string; removedBy: string; removedAt: string };
  /** To the members before the leave, the leaver included. */
  GroupMemberLeft: { contactId: string; userId: string; leftAt: string };
  /** `appointedBy: null`: the last admin left or was removed and the longest-standing member inherits. */
  GroupAdminAppointed: { contactId: string; userId: string; appointedBy: string | null; appointedAt: string };
  GroupSettingsChanged: { contactId: string; membersMayAdd: boolean; changedBy: string; changedAt: string };
  MeetingStarted: {
    meetingId: string;
    contactId: string;
    startedBy: string;
    members: string[];
    invitees: string[];
    startedAt: string;
    ringUntil: string;
    at: string;
  };
  ParticipantJoined: { meetingId: string; contactId: string; userId: string; peerId: string; joinedAt: string; at: string };
  ParticipantLeft: {
    meetingId: string;
    contactId: string;
    userId: string;
    peerId: string;
    reason: 'left' | 'disconnected';
    leftAt: string;
    at: string;
  };
  InvitationDeclined: { meetingId: string; contactId: string; userId: string; declinedAt: string; at: string };
  MeetingEnded: {
    meetingId: string;
    contactId: string;
    reason: 'ended' | 'empty' | 'missed' | 'declined';
    endedBy: string | null;
    endedAt: string;
    at: string;
  };
};

export type FeedEventType = keyof FeedEventData;

/** One event as the feed carries it. */
export type FeedEvent = { [T in FeedEventType]: { type: T; position: number; data: FeedEventData[T] } }[FeedEventType];

/** A feed row: the event, and the user whose feed it is in. */
export type FeedEntry = FeedEvent & { userId: string };
