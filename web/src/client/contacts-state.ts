import type { Contact, FeedEvent, Message, User } from './types.js';

/** The contact list as the user sees it, kept current by feed events. Pure functions only. */
export type ContactsState = {
  contacts: Contact[];
  /** userId → online, from `PresenceChanged` (overrides the snapshot's `peerOnline`). */
  presence: Record<string, boolean>;
};

export const emptyContacts: ContactsState = { contacts: [], presence: {} };

export const sortByActivity = (contacts: Contact[]) =>
  [...contacts].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));

export function withContact(state: ContactsState, contact: Contact): ContactsState {
  const others = state.contacts.filter((existing) => existing.id !== contact.id);
  return { ...state, contacts: sortByActivity([...others, contact]) };
}

/** The list as shown: a conversation with an unseen missed call sorts as if active when the call ended. */
export function withMissedCallsOnTop(contacts: Contact[], missedAt: Record<string, string>): Contact[] {
  const activity = (contact: Contact) => {
    const missed = missedAt[contact.id];
    return missed && missed > contact.lastActivityAt ? missed : contact.lastActivityAt;
  };
  return [...contacts].sort((a, b) => activity(b).localeCompare(activity(a)));
}

/** A row for a contact just added, before the server's list has it: no messages yet, active now. */
export function newContactRow(added: { id: string; peer: User }, at: Date, peerOnline: boolean): Contact {
  return {
    id: added.id,
    peer: added.peer,
    lastMessage: null,
    unreadCount: 0,
    lastActivityAt: at.toISOString(),
    peerLastReadMessageId: null,
    activeMeeting: null,
    peerOnline,
  };
}

export function isOnline(state: ContactsState, contact: Contact) {
  return state.presence[contact.peer.id] ?? contact.peerOnline;
}

type Context = {
  me: User;
  /** The conversation the user is looking at right now: its messages do not count as unread. */
  openContactId: string | null;
};

function patch(state: ContactsState, contactId: string, change: (contact: Contact) => Contact): ContactsState {
  let touched = false;
  const contacts = state.contacts.map((contact) => {
    if (contact.id !== contactId) return contact;
    touched = true;
    return change(contact);
  });
  return touched ? { ...state, contacts: sortByActivity(contacts) } : state;
}

/** How one feed event changes the contact list. `ContactAdded` needs the peer, loaded separately. */
export function applyToContacts(state: ContactsState, event: FeedEvent, context: Context): ContactsState {
  switch (event.type) {
    case 'MessageSent': {
      const { contactId, messageId, senderId, text, sentAt } = event.data;
      return patch(state, contactId, (contact) => {
        if (contact.lastMessage?.id === messageId) return contact;
        const message: Message = { id: messageId, contactId, senderId, text, sentAt, editedAt: null, deleted: false };
        const unread = senderId !== context.me.id && context.openContactId !== contactId;
        return {
          ...contact,
          lastMessage: message,
          lastActivityAt: sentAt > contact.lastActivityAt ? sentAt : contact.lastActivityAt,
          unreadCount: unread ? contact.unreadCount + 1 : contact.unreadCount,
        };
      });
    }
    case 'MessageEdited':
      return patch(state, event.data.contactId, (contact) =>
        contact.lastMessage?.id === event.data.messageId
          ? { ...contact, lastMessage: { ...contact.lastMessage, text: event.data.text, editedAt: event.data.editedAt } }
          : contact,
      );
    case 'MessageDeleted':
      return patch(state, event.data.contactId, (contact) =>
        contact.lastMessage?.id === event.data.messageId
          ? { ...contact, lastMessage: { ...contact.lastMessage, text: '', deleted: true } }
          : contact,
      );
    case 'ConversationRead':
      return patch(state, event.data.contactId, (contact) =>
        event.data.userId === context.me.id
          ? { ...contact, unreadCount: 0 }
          : { ...contact, peerLastReadMessageId: event.data.messageId },
      );
    case 'MeetingStarted':
      return patch(state, event.data.contactId, (contact) => ({
        ...contact,
        activeMeeting: { id: event.data.meetingId, state: 'ringing', startedBy: event.data.startedBy },
      }));
    case 'ParticipantJoined':
      return {
        ...state,
        contacts: state.contacts.map((contact) => {
          const meeting = contact.activeMeeting;
          if (meeting?.id !== event.data.meetingId || meeting.state !== 'ringing') return contact;
          // The starter joining does not answer the call; anyone else joining does.
          if (meeting.startedBy === event.data.userId) return contact;
          return { ...contact, activeMeeting: { ...meeting, state: 'active' } };
        }),
      };
    case 'MeetingEnded':
      return patch(state, event.data.contactId, (contact) =>
        contact.activeMeeting?.id === event.data.meetingId ? { ...contact, activeMeeting: null } : contact,
      );
    default:
      return state;
  }
}

export function setPresence(state: ContactsState, userId: string, online: boolean): ContactsState {
  return { ...state, presence: { ...state.presence, [userId]: online } };
}

export function markReadLocally(state: ContactsState, contactId: string): ContactsState {
  return patch(state, contactId, (contact) => (contact.unreadCount === 0 ? contact : { ...contact, unreadCount: 0 }));
}
