import type { AccountEvent } from './accounts/events.js';
import type { BlockListEvent, ContactEvent } from './contacts/events.js';
import type { MeetingEvent, MeetingSlotEvent } from './meetings/events.js';
import { GROUP_EVENT_TYPE_KEYS } from './contacts/group-events.js';

export type DerbelEvent = AccountEvent | ContactEvent | BlockListEvent | MeetingEvent | MeetingSlotEvent;
export type DerbelEventType = DerbelEvent['type'];

/** Listed as keys so that a type added to `DerbelEvent` and not here is a compile error. */
const EVENT_TYPES = {
  UsernameClaimed: true,
  UsernameReleased: true,
  AccountRegistered: true,
  ContactRequested: true,
  ContactRequestDeclined: true,
  ContactRequestCancelled: true,
  ContactAdded: true,
  ContactRemoved: true,
  MessageSent: true,
  MessageEdited: true,
  MessageDeleted: true,
  ReactionAdded: true,
  ReactionRemoved: true,
  ConversationRead: true,
  MeetingStarted: true,
  ParticipantJoined: true,
  ParticipantLeft: true,
  InvitationDeclined: true,
  MeetingEnded: true,
  MeetingSlotClaimed: true,
  MeetingSlotReleased: true,
  UserBlocked: true,
  UserUnblocked: true,
  ...GROUP_EVENT_TYPE_KEYS,
} satisfies Record<DerbelEventType, true>;

/** Every event type this product writes; subscriptions (e.g. KurrentDB `$all`) filter on these. */
export const DERBEL_EVENT_TYPES = Object.keys(EVENT_TYPES) as readonly DerbelEventType[];

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
