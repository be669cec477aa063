import type { AccountEvent } from './accounts/events.js';
import type { BlockListEvent, ContactEvent } from './contacts/events.js';
import type { MeetingEvent, MeetingSlotEvent } from './meetings/events.js';

export type DerbelEvent = AccountEvent | ContactEvent | BlockListEvent | MeetingEvent | MeetingSlotEvent;
export type DerbelEventType = DerbelEvent['type'];

/** Every event type this product writes; subscriptions (e.g. KurrentDB `$all`) filter on these. */
export const DERBEL_EVENT_TYPES: readonly DerbelEventType[] = [
  'UsernameClaimed',
  'UsernameReleased',
  'AccountRegistered',
  'ContactRequested',
  'ContactRequestDeclined',
  'ContactRequestCancelled',
  'ContactAdded',
  'ContactRemoved',
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
  'UserBlocked',
  'UserUnblocked',
];

export const streams = {
  account: (userId: string) => `account-${userId}`,
  username: (username: string) => `username-${username.toLowerCase()}`,
  contact: (contactId: string) => `contact-${contactId}`,
  /** Whom one user has blocked. */
  blocks: (blockerId: string) => `blocks-${blockerId}`,
  meeting: (meetingId: string) => `meeting-${meetingId}`,
  /** At most one active meeting per contact: the claim on this stream says which. */
  meetingSlot: (contactId: string) => `meeting-slot-${contactId}`,
};
