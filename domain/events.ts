import type { AccountEvent } from './accounts/events.js';
import type { ContactEvent } from './contacts/events.js';
import type { MeetingEvent } from './meetings/events.js';

export type DerbelEvent = AccountEvent | ContactEvent | MeetingEvent;
export type DerbelEventType = DerbelEvent['type'];

/** Every event type this product writes; subscriptions (e.g. KurrentDB `$all`) filter on these. */
export const DERBEL_EVENT_TYPES: readonly DerbelEventType[] = [
  'UsernameClaimed',
  'AccountRegistered',
  'ContactAdded',
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'ConversationRead',
  'MeetingStarted',
  'ParticipantJoined',
  'ParticipantLeft',
  'InvitationDeclined',
  'MeetingEnded',
];

export const streams = {
  account: (userId: string) => `account-${userId}`,
  username: (username: string) => `username-${username.toLowerCase()}`,
  contact: (contactId: string) => `contact-${contactId}`,
  meeting: (meetingId: string) => `meeting-${meetingId}`,
};
