import { DomainError, type Decider } from '../decider.js';
import { contactNotFound } from './contact-not-found.js';
import { decideGroup, evolveGroup, type GroupCommand, type GroupConversation } from './group.js';
import { isMember, notAMember } from './membership.js';
import { isGroupEventType, type GroupEvent } from './group-events.js';
import type {
  ContactAdded,
  ContactEvent,
  ContactRemoved,
  ContactRequestCancelled,
  ContactRequestDeclined,
  ContactRequested,
  ConversationRead,
  MessageDeleted,
  MessageEdited,
  MessageSent,
  ReactionAdded,
  ReactionRemoved,
} from './events.js';
import { assertReactionEmoji, REACTIONS_PER_MESSAGE_MAX } from './reaction-emoji.js';
import { assertValidAttachments, type MessageAttachment } from './message-attachments.js';
import { assertValidMessageContent, assertValidMessageText, REQUEST_MESSAGE_MAX_LENGTH, textFingerprint } from './message-text.js';

/**
 * The `contact-<contactId>` stream: a direct conversation between two members and the consent before it,
 * or a group conversation (group.ts). Ids, times and what other aggregates know (is the requester blocked?) come in with the commands.
 */
export type RequestContact = {
  type: 'RequestContact';
  data: {
    contactId: string;
    members: [string, string];
    requestedBy: string;
    message: string | null;
    /** The handler's clock, and how long a decline silences its requester's new requests. */
    at: string;
    cooldownMs: number;
    /** Whether the recipient has blocked the requester (their `blocks-<id>` stream). */
    blockedByRecipient: boolean;
  };
};
export type AcceptContactRequest = { type: 'AcceptContactRequest'; data: { contactId: string; userId: string } };
export type DeclineContactRequest = { type: 'DeclineContactRequest'; data: { contactId: string; userId: string; at: string } };
/** `DELETE /api/contacts/:id`: cancels the caller's outgoing request, or removes an accepted contact. */
export type EndContact = { type: 'EndContact'; data: { contactId: string; userId: string } };
/** `userId` blocked the other member: whatever is between them ends, silently for the blocked one. */
export type EndContactForBlock = { type: 'EndContactForBlock'; data: { contactId: string; userId: string; at: string } };
export type SendMessage = {
  type: 'SendMessage';
  /**
   * `attachments`: the metadata of files its sender uploaded (the application checks they are theirs).
   * `replyTo`: an earlier message of this conversation that the sender may see (a deleted one too).
   */
  data: { contactId: string; messageId: string; senderId: string; text: string; attachments?: MessageAttachment[]; replyTo?: string };
};
export type EditMessage = {
  type: 'EditMessage';
  data: { contactId: string; messageId: string; editorId: string; text: string };
};
export type DeleteMessage = {
  type: 'DeleteMessage';
  data: { contactId: string; messageId: string; deletedBy: string };
};
/** Adding a reaction one already has, or removing one one has not, appends nothing. */
export type AddReaction = { type: 'AddReaction'; data: { contactId: string; messageId: string; userId: string; emoji: string } };
export type RemoveReaction = { type: 'RemoveReaction'; data: { contactId: string; messageId: string; userId: string; emoji: string } };
export type MarkConversationRead = {
  type: 'MarkConversationRead';
  data: { contactId: string; userId: string; messageId: string };
};
export type ContactCommand =
  | RequestContact
  | AcceptContactRequest
  | DeclineContactRequest
  | EndContact
  | EndContactForBlock
  | SendMessage
  | EditMessage
  | DeleteMessage
  | AddReaction
  | RemoveReaction
  | MarkConversationRead
  | GroupCommand;

/** Only what the invariants need; the text itself lives in the `messages` read model. */
export type MessageRecord = {
  senderId: string;
  /** Deleted messages stay as tombstones: their id stays taken and they keep their place. */
  deleted: boolean;
  /** Order of acceptance in this conversation: 0, 1, 2… */
  seq: number;
  /** See `textFingerprint`: enough to recognise an edit that changes nothing. */
  textFingerprint: number;
  /** Emoji → who reacted with it; absent until the first reaction (most messages have none). */
  reactions?: Map<string, Set<string>>;
};

export type ContactRequest = { requestedBy: string; recipientId: string; silenced: boolean };

/**
 * A pair that has ever had something between them. `added` = an accepted contact (only then may they talk);
 * `pending`/`declined` = an open request (a declined one still looks pending to its requester); `ended` =
 * removed or cancelled. Messages and read markers survive an end: they come back with a new acceptance.
 */
export type DirectConversation = {
  status: 'pending' | 'declined' | 'added' | 'ended';
  contactId: string;
  kind: 'direct';
  members: readonly string[];
  request: ContactRequest | null;
  /** The last decline: its requester's new requests are silenced until the cooling-off has passed. */
  lastDecline: { requestedBy: string; at: string } | null;
  messages: Map<string, MessageRecord>;
  /** Per member: seq of the latest message they have read. Absent = read nothing. */
  lastReadSeq: Map<string, number>;
};

export type Conversation = DirectConversation | GroupConversation;

export type ExistingContact = Conversation & { status: 'added' };

export type ContactState = { status: 'none' } | Conversation;

export const contactDecider: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'RequestContact':
        return requestContact(command, state);
      case 'AcceptContactRequest':
        return acceptRequest(command, incomingRequest(state, command.data.userId));
      case 'DeclineContactRequest':
        return declineRequest(command, incomingRequest(state, command.data.userId));
      case 'EndContact':
        return endContact(command, directConversationOf(state, command.data.userId));
      case 'EndContactForBlock':
        return endForBlock(command, state);
      case 'SendMessage':
        return sendMessage(command, existingContact(state, command.data.senderId));
      case 'EditMessage':
        return editMessage(command, existingContact(state, command.data.editorId));
      case 'DeleteMessage':
        return deleteMessage(command, existingContact(state, command.data.deletedBy));
      case 'AddReaction':
        return addReaction(command, existingContact(state, command.data.userId));
      case 'RemoveReaction':
        return removeReaction(command, existingContact(state, command.data.userId));
      case 'MarkConversationRead':
        return markConversationRead(command, existingContact(state, command.data.userId));
      default:
        return decideGroup(command, state);
    }
  },

  // Mutates in place: a 100,000-message conversation cannot be copied per event, and the
  // command handler evolves its cached state only after a successful append (decide never mutates).
  evolve(state, event) {
    if (isGroupEvent(event)) return evolveGroup(state, event);
    switch (event.type) {
      case 'ContactRequested': {
        // A direct contact's consent never touches a group (their ids come from different namespaces).
        if (state.status !== 'none' && state.kind === 'group') return state;
        const { requestedBy, recipientId, silenced } = event.data;
        const conversation = state.status === 'none' ? newConversation(event.data) : state;
        conversation.status = 'pending';
        conversation.request = { requestedBy, recipientId, silenced };
        return conversation;
      }
      case 'ContactAdded': {
        if (state.status !== 'none' && state.kind === 'group') return state;
        // Alone (a log from before requests), it both starts the conversation and accepts it.
        const conversation = state.status === 'none' ? newConversation(event.data) : state;
        conversation.status = 'added';
        conversation.request = null;
        conversation.lastDecline = null;
        return conversation;
      }
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'ContactRequestDeclined':
        if (state.kind === 'group') return state;
        if (state.request) state.lastDecline = { requestedBy: state.request.requestedBy, at: event.data.declinedAt };
        state.status = 'declined';
        return state;
      case 'ContactRequestCancelled':
      case 'ContactRemoved':
        if (state.kind === 'group') return state;
        state.status = 'ended';
        state.request = null;
        return state;
      case 'MessageSent': {
        const { messageId, senderId, text } = event.data;
        if (!state.messages.has(messageId)) {
          state.messages.set(messageId, {
            senderId,
            deleted: false,
            seq: state.messages.size,
            textFingerprint: textFingerprint(text),
          });
        }
        return state;
      }
      // Only the sender's changes count, as in the messages read model: a log written before ids were
      // canonical may hold another member's edit of a message whose id they spelled differently.
      case 'MessageEdited': {
        const message = state.messages.get(event.data.messageId);
        if (message && message.senderId === event.data.editorId && !message.deleted)
          message.textFingerprint = textFingerprint(event.data.text);
        return state;
      }
      case 'MessageDeleted': {
        const message = state.messages.get(event.data.messageId);
        if (message && message.senderId === event.data.deletedBy) {
          message.deleted = true;
          delete message.reactions;
        }
        return state;
      }
      case 'ReactionAdded': {
        const message = state.messages.get(event.data.messageId);
        if (!message || message.deleted) return state;
        const reactions = (message.reactions ??= new Map());
        const users = reactions.get(event.data.emoji) ?? new Set<string>();
        users.add(event.data.userId);
        reactions.set(event.data.emoji, users);
        return state;
      }
      case 'ReactionRemoved': {
        const users = state.messages.get(event.data.messageId)?.reactions?.get(event.data.emoji);
        if (!users) return state;
        users.delete(event.data.userId);
        if (users.size === 0) state.messages.get(event.data.messageId)!.reactions!.delete(event.data.emoji);
        return state;
      }
      case 'ConversationRead': {
        const message = state.messages.get(event.data.messageId);
        const previous = state.lastReadSeq.get(event.data.userId) ?? -1;
        if (message && message.seq > previous) state.lastReadSeq.set(event.data.userId, message.seq);
        return state;
      }
    }
  },
};

function isGroupEvent(event: ContactEvent): event is GroupEvent {
  return isGroupEventType(event.type);
}

function newConversation(data: { contactId: string; kind: 'direct'; members: string[] }): DirectConversation {
  return {
    status: 'pending',
    contactId: data.contactId,
    kind: data.kind,
    members: [...data.members],
    request: null,
    lastDecline: null,
    messages: new Map(),
    lastReadSeq: new Map(),
  };
}

function requestContact({ data }: RequestContact, state: ContactState): Array<ContactRequested | ContactAdded> {
  const { contactId, members, requestedBy, message } = data;
  if (members.length !== 2 || members.some((member) => member.length === 0)) {
    throw new DomainError('INVALID_MEMBERS', 'A direct contact has exactly two members');
  }
  if (members[0] === members[1]) throw new DomainError('CANNOT_ADD_SELF', 'You cannot add yourself as a contact');
  if (!members.includes(requestedBy)) throw notAMember();
  if (message !== null) assertValidMessageText(message, REQUEST_MESSAGE_MAX_LENGTH);
  if (state.status !== 'none' && state.kind === 'group') throw notAMember();
  if (state.status !== 'none' && !state.members.includes(requestedBy)) throw notAMember();
  const recipientId = members[0] === requestedBy ? members[1] : members[0];
  const requested = (): ContactRequested[] => [
    {
      type: 'ContactRequested',
      data: {
        contactId,
        kind: 'direct',
        members: [members[0], members[1]],
        requestedBy,
        recipientId,
        message,
        silenced: isSilenced(data, state),
      },
    },
  ];
  if (state.status === 'none' || state.status === 'ended') return requested();
  if (state.status === 'added') throw new DomainError('ALREADY_CONTACTS', 'You are already contacts');
  const request = state.request!;
  // The other side asked first (even if declined since: its requester still sees it as sent): both want it.
  if (request.requestedBy !== requestedBy) return [accepted(state, requestedBy)];
  // A repeat of a pending request; after a decline, a new one once the cooling-off is over.
  if (state.status === 'pending' || inCoolingOff(data, state)) return [];
  return requested();
}

function isSilenced(data: RequestContact['data'], state: { status: 'none' } | DirectConversation): boolean {
  return data.blockedByRecipient || (state.status !== 'none' && inCoolingOff(data, state));
}

function inCoolingOff({ requestedBy, at, cooldownMs }: RequestContact['data'], state: DirectConversation): boolean {
  const decline = state.lastDecline;
  return decline !== null && decline.requestedBy === requestedBy && Date.parse(at) - Date.parse(decline.at) < cooldownMs;
}

function accepted(state: DirectConversation, addedBy: string): ContactAdded {
  return { type: 'ContactAdded', data: { contactId: state.contactId, kind: state.kind, members: [...state.members], addedBy } };
}

function acceptRequest({ data }: AcceptContactRequest, state: DirectConversation): ContactAdded[] {
  return [accepted(state, data.userId)];
}

function declineRequest({ data }: DeclineContactRequest, state: DirectConversation): ContactRequestDeclined[] {
  return [{ type: 'ContactRequestDeclined', data: { contactId: state.contactId, declinedBy: data.userId, declinedAt: data.at } }];
}

function endContact({ data }: EndContact, state: DirectConversation): Array<ContactRequestCancelled | ContactRemoved> {
  if (state.status === 'added')
    return [{ type: 'ContactRemoved', data: { contactId: state.contactId, removedBy: data.userId, reason: 'removed' } }];
  if (isOutgoing(state, data.userId)) return [cancelled(state, data.userId)];
  throw contactNotFound();
}

function endForBlock({ data }: EndContactForBlock, state: ContactState): ContactEvent[] {
  if (state.status === 'none' || state.kind === 'group') return [];
  if (!state.members.includes(data.userId)) throw notAMember();
  if (state.status === 'added')
    return [{ type: 'ContactRemoved', data: { contactId: state.contactId, removedBy: data.userId, reason: 'blocked' } }];
  if (isOutgoing(state, data.userId)) return [cancelled(state, data.userId)];
  // Their request to the blocker: declined, so it leaves the blocker's list and still looks "sent" to them.
  if (isVisibleIncoming(state, data.userId)) return declineRequest({ type: 'DeclineContactRequest', data }, state);
  return [];
}

function cancelled(state: DirectConversation, userId: string): ContactRequestCancelled {
  const seenByRecipient = state.status === 'pending' && !state.request!.silenced;
  return { type: 'ContactRequestCancelled', data: { contactId: state.contactId, cancelledBy: userId, seenByRecipient } };
}

/** The user's own request, pending or (unknown to them) declined. */
function isOutgoing(state: DirectConversation, userId: string): boolean {
  return (state.status === 'pending' || state.status === 'declined') && state.request?.requestedBy === userId;
}

/** A request to the user that they can see: pending and not silenced. */
function isVisibleIncoming(state: DirectConversation, userId: string): boolean {
  return state.status === 'pending' && state.request?.recipientId === userId && !state.request.silenced;
}

/** Accept and decline: only a visible request to the caller; anything else is "no such contact". */
function incomingRequest(state: ContactState, userId: string): DirectConversation {
  const conversation = directConversationOf(state, userId);
  if (!isVisibleIncoming(conversation, userId)) throw contactNotFound();
  return conversation;
}

function conversationOf(state: ContactState, userId: string): Conversation {
  if (state.status === 'none') throw contactNotFound();
  if (!isMember(state, userId)) throw notAMember();
  return state;
}

/** Consent and ending are for direct contacts: a group's member asking them of a group finds no such contact. */
function directConversationOf(state: ContactState, userId: string): DirectConversation {
  const conversation = conversationOf(state, userId);
  if (conversation.kind === 'group') throw contactNotFound();
  return conversation;
}

function sendMessage({ data }: SendMessage, contact: ExistingContact): MessageSent[] {
  const { contactId, messageId, senderId, text, attachments = [], replyTo } = data;
  assertValidAttachments(attachments);
  assertValidMessageContent(text, attachments.length);
  const existing = contact.messages.get(messageId);
  if (existing) {
    if (existing.senderId === senderId) return []; // a retried send
    throw new DomainError('MESSAGE_ID_CONFLICT', `Message id ${messageId} is already used`);
  }
  if (replyTo !== undefined) assertReplyTarget(contact, replyTo, senderId);
  return [
    {
      type: 'MessageSent',
      data: {
        contactId,
        messageId,
        senderId,
        text,
        ...(attachments.length > 0 ? { attachments } : {}),
        ...(replyTo !== undefined ? { replyTo } : {}),
      },
    },
  ];
}

/**
 * A reply answers a message of this conversation that its sender may see: one of a group sent before they
 * (last) joined is answered exactly as one that does not exist, so it tells them nothing. A deleted one is fine.
 */
function assertReplyTarget(contact: ExistingContact, replyTo: string, senderId: string): void {
  const target = contact.messages.get(replyTo);
  const joinedAt = contact.kind === 'group' ? (contact.joinedAtSeq.get(senderId) ?? 0) : 0;
  if (!target || target.seq < joinedAt)
    throw new DomainError('REPLY_TARGET_NOT_FOUND', 'The message replied to is not in this conversation');
}

function addReaction({ data }: AddReaction, contact: ExistingContact): ReactionAdded[] {
  const { contactId, messageId, userId, emoji } = data;
  assertReactionEmoji(emoji);
  const message = visibleLiveMessage(contact, messageId, userId);
  const users = message.reactions?.get(emoji);
  if (users?.has(userId)) return [];
  if (!users && (message.reactions?.size ?? 0) >= REACTIONS_PER_MESSAGE_MAX)
    throw new DomainError('TOO_MANY_REACTIONS', `A message carries at most ${REACTIONS_PER_MESSAGE_MAX} different reactions`);
  return [{ type: 'ReactionAdded', data: { contactId, messageId, userId, emoji } }];
}

function removeReaction({ data }: RemoveReaction, contact: ExistingContact): ReactionRemoved[] {
  const { contactId, messageId, userId, emoji } = data;
  assertReactionEmoji(emoji);
  const message = visibleLiveMessage(contact, messageId, userId);
  if (!message.reactions?.get(emoji)?.has(userId)) return [];
  return [{ type: 'ReactionRemoved', data: { contactId, messageId, userId, emoji } }];
}

/** A message the user may see and that is not deleted; one outside their membership is "not found". */
function visibleLiveMessage(contact: ExistingContact, messageId: string, userId: string): MessageRecord {
  const message = foundMessage(contact, messageId);
  const joinedAt = contact.kind === 'group' ? (contact.joinedAtSeq.get(userId) ?? 0) : 0;
  if (message.seq < joinedAt) throw new DomainError('MESSAGE_NOT_FOUND', `Message ${messageId} not found`);
  if (message.deleted) throw new DomainError('MESSAGE_DELETED', `Message ${messageId} was deleted`);
  return message;
}

function editMessage({ data }: EditMessage, contact: ExistingContact): MessageEdited[] {
  const { contactId, messageId, editorId, text } = data;
  assertValidMessageText(text);
  const message = ownMessage(contact, messageId, editorId);
  if (message.deleted) throw new DomainError('MESSAGE_DELETED', `Message ${messageId} was deleted`);
  if (message.textFingerprint === textFingerprint(text)) return [];
  return [{ type: 'MessageEdited', data: { contactId, messageId, editorId, text } }];
}

function deleteMessage({ data }: DeleteMessage, contact: ExistingContact): MessageDeleted[] {
  const { contactId, messageId, deletedBy } = data;
  const message = ownMessage(contact, messageId, deletedBy);
  if (message.deleted) return [];
  return [{ type: 'MessageDeleted', data: { contactId, messageId, deletedBy } }];
}

function markConversationRead({ data }: MarkConversationRead, contact: ExistingContact): ConversationRead[] {
  const { contactId, userId, messageId } = data;
  const message = foundMessage(contact, messageId);
  const lastRead = contact.lastReadSeq.get(userId) ?? -1;
  if (message.seq <= lastRead) return [];
  return [{ type: 'ConversationRead', data: { contactId, userId, messageId } }];
}

/** The accepted contact, if `userId` is one of its members. Non-members learn nothing more than "not a member". */
function existingContact(state: ContactState, userId: string): ExistingContact {
  const conversation = conversationOf(state, userId);
  // A request, a removed contact or a block: to its members exactly as if there were no contact.
  if (conversation.status !== 'added') throw contactNotFound();
  return conversation as ExistingContact;
}

function foundMessage(contact: ExistingContact, messageId: string): MessageRecord {
  const message = contact.messages.get(messageId);
  if (!message) throw new DomainError('MESSAGE_NOT_FOUND', `Message ${messageId} not found`);
  return message;
}

function ownMessage(contact: ExistingContact, messageId: string, userId: string): MessageRecord {
  const message = foundMessage(contact, messageId);
  if (message.senderId !== userId) throw new DomainError('NOT_MESSAGE_SENDER', 'Only the sender may change a message');
  return message;
}
