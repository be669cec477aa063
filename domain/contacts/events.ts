import type { GroupEvent } from './group-events.js';
import type { MessageAttachment } from './message-attachments.js';

/** Events of a `contact-<contactId>` stream: a conversation between its members, and the consent before it. */

/**
 * `requestedBy` asks `recipientId` to become a contact. `silenced`: the recipient had blocked the requester
 * or is inside the cooling-off period after declining them; the requester sees "Request sent", the
 * recipient never sees it.
 */
export type ContactRequested = {
  type: 'ContactRequested';
  data: {
    contactId: string;
    kind: 'direct';
    members: string[];
    requestedBy: string;
    recipientId: string;
    message: string | null;
    silenced: boolean;
  };
};

/** The recipient declined (the requester is not told). `declinedAt` starts the requester's cooling-off. */
export type ContactRequestDeclined = {
  type: 'ContactRequestDeclined';
  data: { contactId: string; declinedBy: string; declinedAt: string };
};

/** The requester withdrew the request. `seenByRecipient`: it was pending in the recipient's list. */
export type ContactRequestCancelled = {
  type: 'ContactRequestCancelled';
  data: { contactId: string; cancelledBy: string; seenByRecipient: boolean };
};

/**
 * The contact exists (accepted): the recipient accepted, or two requests crossed. Logs written before
 * requests existed hold only this event, which is why it alone means "accepted".
 */
export type ContactAdded = {
  type: 'ContactAdded';
  data: { contactId: string; kind: 'direct'; members: string[]; addedBy: string };
};

/** The accepted contact ended; its history stays and comes back if they become contacts again. */
export type ContactRemoved = {
  type: 'ContactRemoved';
  data: { contactId: string; removedBy: string; reason: 'removed' | 'blocked' };
};

export type MessageSent = {
  type: 'MessageSent';
  /**
   * `attachments`: absent when none (and in every event written before files existed); `text` may then be empty.
   * `replyTo`: the id of an earlier message of the same conversation it answers; absent when none.
   */
  data: { contactId: string; messageId: string; senderId: string; text: string; attachments?: MessageAttachment[]; replyTo?: string };
};

export type MessageEdited = {
  type: 'MessageEdited';
  data: { contactId: string; messageId: string; editorId: string; text: string };
};

export type MessageDeleted = {
  type: 'MessageDeleted';
  data: { contactId: string; messageId: string; deletedBy: string };
};

/** `userId` reacted to a message with `emoji` (one grapheme). Never counts as activity or as unread. */
export type ReactionAdded = {
  type: 'ReactionAdded';
  data: { contactId: string; messageId: string; userId: string; emoji: string };
};

export type ReactionRemoved = {
  type: 'ReactionRemoved';
  data: { contactId: string; messageId: string; userId: string; emoji: string };
};

/** `userId` has read the conversation up to and including `messageId`. */
export type ConversationRead = {
  type: 'ConversationRead';
  data: { contactId: string; userId: string; messageId: string };
};

export type ContactEvent =
  | ContactRequested
  | ContactRequestDeclined
  | ContactRequestCancelled
  | ContactAdded
  | ContactRemoved
  | MessageSent
  | MessageEdited
  | MessageDeleted
  | ReactionAdded
  | ReactionRemoved
  | ConversationRead
  | GroupEvent;

/** Events of a `blocks-<blockerId>` stream: whom one user has blocked. Private to the blocker. */
export type UserBlocked = {
  type: 'UserBlocked';
  data: { blockerId: string; blockedId: string; blockedAt: string };
};

export type UserUnblocked = {
  type: 'UserUnblocked';
  data: { blockerId: string; blockedId: string };
};

export type BlockListEvent = UserBlocked | UserUnblocked;
