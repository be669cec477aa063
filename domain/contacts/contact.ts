import { DomainError, type Decider } from '../decider.js';
import { contactNotFound } from './contact-not-found.js';
import type {
  ContactAdded,
  ContactEvent,
  ConversationRead,
  MessageDeleted,
  MessageEdited,
  MessageSent,
} from './events.js';
import { assertValidMessageText, textFingerprint } from './message-text.js';

/** The `contact-<contactId>` stream: a direct conversation between two members. Ids come from the edges. */
export type AddContact = {
  type: 'AddContact';
  data: { contactId: string; members: [string, string]; addedBy: string };
};
export type SendMessage = {
  type: 'SendMessage';
  data: { contactId: string; messageId: string; senderId: string; text: string };
};
export type EditMessage = {
  type: 'EditMessage';
  data: { contactId: string; messageId: string; editorId: string; text: string };
};
export type DeleteMessage = {
  type: 'DeleteMessage';
  data: { contactId: string; messageId: string; deletedBy: string };
};
export type MarkConversationRead = {
  type: 'MarkConversationRead';
  data: { contactId: string; userId: string; messageId: string };
};
export type ContactCommand = AddContact | SendMessage | EditMessage | DeleteMessage | MarkConversationRead;

/** Only what the invariants need; the text itself lives in the `messages` read model. */
export type MessageRecord = {
  senderId: string;
  /** Deleted messages stay as tombstones: their id stays taken and they keep their place. */
  deleted: boolean;
  /** Order of acceptance in this conversation: 0, 1, 2… */
  seq: number;
  /** See `textFingerprint`: enough to recognise an edit that changes nothing. */
  textFingerprint: number;
};

export type ExistingContact = {
  status: 'added';
  contactId: string;
  kind: 'direct';
  members: readonly string[];
  messages: Map<string, MessageRecord>;
  /** Per member: seq of the latest message they have read. Absent = read nothing. */
  lastReadSeq: Map<string, number>;
};

export type ContactState = { status: 'none' } | ExistingContact;

export const contactDecider: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'AddContact':
        return addContact(command, state);
      case 'SendMessage':
        return sendMessage(command, existingContact(state, command.data.senderId));
      case 'EditMessage':
        return editMessage(command, existingContact(state, command.data.editorId));
      case 'DeleteMessage':
        return deleteMessage(command, existingContact(state, command.data.deletedBy));
      case 'MarkConversationRead':
        return markConversationRead(command, existingContact(state, command.data.userId));
    }
  },

  // Mutates in place: a 100,000-message conversation cannot be copied per event, and the
  // command handler evolves its cached state only after a successful append (decide never mutates).
  evolve(state, event) {
    if (event.type === 'ContactAdded') {
      return {
        status: 'added',
        contactId: event.data.contactId,
        kind: event.data.kind,
        members: [...event.data.members],
        messages: new Map(),
        lastReadSeq: new Map(),
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
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
        if (message && message.senderId === event.data.editorId && !message.deleted) message.textFingerprint = textFingerprint(event.data.text);
        return state;
      }
      case 'MessageDeleted': {
        const message = state.messages.get(event.data.messageId);
        if (message && message.senderId === event.data.deletedBy) message.deleted = true;
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

function addContact({ data }: AddContact, state: ContactState): ContactAdded[] {
  const { contactId, members, addedBy } = data;
  if (members.length !== 2 || members.some((member) => member.length === 0)) {
    throw new DomainError('INVALID_MEMBERS', 'A direct contact has exactly two members');
  }
  if (members[0] === members[1]) throw new DomainError('CANNOT_ADD_SELF', 'You cannot add yourself as a contact');
  if (!members.includes(addedBy)) throw notAMember();
  if (state.status === 'added') {
    if (!state.members.includes(addedBy)) throw notAMember();
    throw new DomainError('ALREADY_CONTACTS', 'You are already contacts');
  }
  return [{ type: 'ContactAdded', data: { contactId, kind: 'direct', members: [members[0], members[1]], addedBy } }];
}

function sendMessage({ data }: SendMessage, contact: ExistingContact): MessageSent[] {
  const { contactId, messageId, senderId, text } = data;
  assertValidMessageText(text);
  const existing = contact.messages.get(messageId);
  if (existing) {
    if (existing.senderId === senderId) return []; // a retried send
    throw new DomainError('MESSAGE_ID_CONFLICT', `Message id ${messageId} is already used`);
  }
  return [{ type: 'MessageSent', data: { contactId, messageId, senderId, text } }];
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

/** The contact, if `userId` is one of its members. Non-members learn nothing more than "not a member". */
function existingContact(state: ContactState, userId: string): ExistingContact {
  if (state.status === 'none') throw contactNotFound();
  if (!state.members.includes(userId)) throw notAMember();
  return state;
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

function notAMember(): DomainError {
  return new DomainError('NOT_A_MEMBER', 'Not a member of this contact');
}
