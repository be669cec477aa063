import type { DerbelEvent, DerbelEventType } from './events.js';

type DataOf<T extends DerbelEventType> = Extract<DerbelEvent, { type: T }>['data'];
type KeysOf<D, V> = { [K in keyof D]-?: Exclude<D[K], undefined> extends V ? K : never }[keyof D] & string;
type IdFields<D> = { ids: readonly KeysOf<D, string | null>[]; lists?: readonly KeysOf<D, string[]>[] };

/**
 * The fields of each event type's data that hold ids (`lists`: arrays of ids). Not `peerId`: a string the
 * client picks for its seat, no id of ours. Typed against the events, so a new type must be listed here.
 */
export const EVENT_ID_FIELDS: { [T in DerbelEventType]: IdFields<DataOf<T>> } = {
  UsernameClaimed: { ids: ['userId'] },
  UsernameReleased: { ids: ['userId'] },
  AccountRegistered: { ids: ['userId'] },
  ContactRequested: { ids: ['contactId', 'requestedBy', 'recipientId'], lists: ['members'] },
  ContactRequestDeclined: { ids: ['contactId', 'declinedBy'] },
  ContactRequestCancelled: { ids: ['contactId', 'cancelledBy'] },
  ContactAdded: { ids: ['contactId', 'addedBy'], lists: ['members'] },
  ContactRemoved: { ids: ['contactId', 'removedBy'] },
  MessageSent: { ids: ['contactId', 'messageId', 'senderId', 'replyTo'] },
  MessageEdited: { ids: ['contactId', 'messageId', 'editorId'] },
  MessageDeleted: { ids: ['contactId', 'messageId', 'deletedBy'] },
  ReactionAdded: { ids: ['contactId', 'messageId', 'userId'] },
  ReactionRemoved: { ids: ['contactId', 'messageId', 'userId'] },
  ConversationRead: { ids: ['contactId', 'userId', 'messageId'] },
  GroupCreated: { ids: ['contactId', 'createdBy'], lists: ['members', 'admins'] },
  GroupRenamed: { ids: ['contactId', 'renamedBy'] },
  GroupMembersAdded: { ids: ['contactId', 'addedBy'], lists: ['userIds'] },
  GroupMemberRemoved: { ids: ['contactId', 'userId', 'removedBy'] },
  GroupMemberLeft: { ids: ['contactId', 'userId'] },
  GroupAdminAppointed: { ids: ['contactId', 'userId', 'appointedBy'] },
  GroupSettingsChanged: { ids: ['contactId', 'changedBy'] },
  MeetingStarted: { ids: ['meetingId', 'contactId', 'startedBy'], lists: ['members', 'invitees'] },
  ParticipantJoined: { ids: ['meetingId', 'contactId', 'userId'] },
  ParticipantLeft: { ids: ['meetingId', 'contactId', 'userId'] },
  InvitationDeclined: { ids: ['meetingId', 'contactId', 'userId'] },
  MeetingEnded: { ids: ['meetingId', 'contactId', 'endedBy'] },
  MeetingSlotClaimed: { ids: ['meetingId'] },
  MeetingSlotReleased: { ids: ['meetingId'] },
  UserBlocked: { ids: ['blockerId', 'blockedId'] },
  UserUnblocked: { ids: ['blockerId', 'blockedId'] },
};

const byType = new Map<string, { ids: readonly string[]; lists?: readonly string[] }>(Object.entries(EVENT_ID_FIELDS));

/** The id fields of an event type's data; undefined for a type this product does not write. */
export const idFieldsOf = (type: string) => byType.get(type);
