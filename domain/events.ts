import type { AccountEvent } from './accounts/events.js';
import type { ContactEvent } from './contacts/events.js';
import type { MeetingEvent, MeetingSlotEvent } from './meetings/events.js';

export type DerbelEvent = AccountEvent | ContactEvent | MeetingEvent | MeetingSlotEvent;
export type DerbelEventType = DerbelEvent['type'];

/** Every event type this product writes; subscriptions (e.g. KurrentDB `$all`) filter on these. */
export const DERBEL_EVENT_TYPES: readonly DerbelEventType[] = [
  'UsernameClaimed',
  'UsernameReleased',
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
  'MeetingSlotClaimed',
  'MeetingSlotReleased',
];

export const streams = {
  account: (userId: string) => `account-${userId}`,
  username: (username: string) => `username-${username.toLowerCase()}`,
  contact: (contactId: string) => `contact-${contactId}`,
  meeting: (meetingId: string) => `meeting-${meetingId}`,
  /** At most one active meeting per contact: the claim on this stream says which. */
  meetingSlot: (contactId: string) => `meeting-slot-${contactId}`,
};
