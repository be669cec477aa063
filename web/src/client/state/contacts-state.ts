import { applyToGroups, markGroupReadLocally, type Group } from './groups-state.js';
import type { Contact, ContactRequest, FeedEvent, FeedEventType, Message, User } from '../types.js';

/** The contact list as the user sees it, kept current by feed events. Pure functions only. */
export type ContactsState = {
  /** Accepted contacts, newest activity first. */
  contacts: Contact[];
  /** Pending requests: incoming, then outgoing, newest first in each. */
  requests: ContactRequest[];
  /** userId → online, from `PresenceChanged` (overrides the snapshot's `peerOnline`). */
  presence: Record<string, boolean>;
  /** Group conversations, newest activity first (see `groups-state.ts`). */
  groups: Group[];
};

export const emptyContacts: ContactsState = { contacts: [], requests: [], presence: {}, groups: [] };

/** One row of the conversation list: a direct conversation or a group. */
export type ConversationRow = { kind: 'direct'; id: string; contact: Contact } | { kind: 'group'; id: string; group: Group };

/** Direct and group conversations together, by last activity (an unseen missed call counts as activity). */
export function conversationRows(state: ContactsState, missedAt: Record<string, string> = {}): ConversationRow[] {
  const rows: Array<ConversationRow & { activity: string }> = [
    ...state.contacts.map((contact) => ({ kind: 'direct' as const, id: contact.id, contact, activity: contact.lastActivityAt })),
    ...state.groups.map((group) => ({ kind: 'group' as const, id: group.id, group, activity: group.lastActivityAt })),
  ];
  const activity = (row: { id: string; activity: string }) => {
    const missed = missedAt[row.id];
    return missed && missed > row.activity ? missed : row.activity;
  };
  return rows.sort((a, b) => activity(b).localeCompare(activity(a))).map(({ activity: _, ...row }) => row as ConversationRow);
}

/** Someone the user knows by name: a contact's peer, or a member of one of their groups. */
export function knownUser(state: ContactsState, userId: string): User | null {
  const peer = state.contacts.find((contact) => contact.peer.id === userId)?.peer;
  if (peer) return peer;
  for (const group of state.groups) {
    const member = group.members.find((m) => m.id === userId && m.username);
    if (member) return { id: member.id, username: member.username, displayName: member.displayName };
  }
  return null;
}

/** Feed events that change who is a contact or a request: the list is read again from the server after each. */
export const MEMBERSHIP_EVENTS: ReadonlySet<FeedEventType> = new Set<FeedEventType>([
  'ContactRequested',
  'ContactRequestDeclined',
  'ContactRequestCancelled',
  'ContactAdded',
  'ContactRemoved',
  'UserBlocked',
  'UserUnblocked',
]);

export const isMembershipEvent = (event: FeedEvent) => MEMBERSHIP_EVENTS.has(event.type);

export type ServerContactList = { contacts: Contact[]; requests?: ContactRequest[] };

/**
 * The server's list decides who is a contact and which requests are pending. Rows the client already
 * shows stay as they are: live events have kept them current, possibly past the list's position.
 */
export function withServerList(state: ContactsState, list: ServerContactList): ContactsState {
  const shown = new Map(state.contacts.map((contact) => [contact.id, contact]));
  const contacts = list.contacts.map((contact) => shown.get(contact.id) ?? contact);
  // Those waiting for the user's answer first, then those the user sent; newest first in each.
  const requests = [...(list.requests ?? [])].sort(
    (a, b) => Number(b.direction === 'incoming') - Number(a.direction === 'incoming') || b.requestedAt.localeCompare(a.requestedAt),
  );
  return { ...state, contacts: sortByActivity(contacts), requests };
}

/** The whole list replaced by the server's (a fresh snapshot). */
export function withSnapshot(state: ContactsState, list: ServerContactList): ContactsState {
  return withServerList({ ...state, contacts: [] }, list);
}

export const incomingRequests = (state: ContactsState) => state.requests.filter((request) => request.direction === 'incoming');

function without(state: ContactsState, keep: (row: { id: string; peer: { id: string } }) => boolean): ContactsState {
  const contacts = state.contacts.filter(keep);
  const requests = state.requests.filter(keep);
  return contacts.length === state.contacts.length && requests.length === state.requests.length ? state : { ...state, contacts, requests };
}

/** Without the contact or request of that id. */
export const withoutContact = (state: ContactsState, contactId: string) => without(state, (row) => row.id !== contactId);

/** Without anything shared with that user (they were blocked). */
export const withoutPeer = (state: ContactsState, userId: string) => without(state, (row) => row.peer.id !== userId);

/** The accepted contacts an event ends: removed, or its peer blocked. */
export function contactsEndedBy(state: ContactsState, event: FeedEvent): Contact[] {
  if (event.type === 'ContactRemoved') return state.contacts.filter((contact) => contact.id === event.data.contactId);
  if (event.type === 'UserBlocked') return state.contacts.filter((contact) => contact.peer.id === event.data.userId);
  return [];
}

/** What a membership event changes before the server's list arrives: what ends, ends at once. */
function applyMembership(state: ContactsState, event: FeedEvent): ContactsState {
  switch (event.type) {
    case 'ContactRemoved':
    case 'ContactRequestDeclined':
    case 'ContactRequestCancelled':
      return withoutContact(state, event.data.contactId);
    case 'ContactAdded': {
      const requests = state.requests.filter((request) => request.id !== event.data.contactId);
      return requests.length === state.requests.length ? state : { ...state, requests };
    }
    case 'UserBlocked':
      return withoutPeer(state, event.data.userId);
    default:
      return state;
  }
}

export const sortByActivity = (contacts: Contact[]) => [...contacts].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));

/** The list as shown: a conversation with an unseen missed call sorts as if active when the call ended. */
export function withMissedCallsOnTop(contacts: Contact[], missedAt: Record<string, string>): Contact[] {
  const activity = (contact: Contact) => {
    const missed = missedAt[contact.id];
    return missed && missed > contact.lastActivityAt ? missed : contact.lastActivityAt;
  };
  return [...contacts].sort((a, b) => activity(b).localeCompare(activity(a)));
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

/** How one feed event changes the contact list. New contacts and requests need their peer: the client reads the list again. */
export function applyToContacts(initial: ContactsState, event: FeedEvent, context: Context): ContactsState {
  const groups = applyToGroups(initial.groups, event, { ...context, knownUser: (userId) => knownUser(initial, userId) });
  const state = groups === initial.groups ? initial : { ...initial, groups };
  if (isMembershipEvent(event)) return applyMembership(state, event);
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
        event.data.userId === context.me.id ? { ...contact, unreadCount: 0 } : { ...contact, peerLastReadMessageId: event.data.messageId },
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
  const groups = markGroupReadLocally(state.groups, contactId);
  const next = groups === state.groups ? state : { ...state, groups };
  return patch(next, contactId, (contact) => (contact.unreadCount === 0 ? contact : { ...contact, unreadCount: 0 }));
}
