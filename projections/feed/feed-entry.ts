import { attachments, bool, dataOf, occurredAt, oneOf, text, timestamp, uuid, uuids } from '../event-fields.js';
import type { Recorded, RecordedDerbelEvent } from '../recorded-event.js';
import type { BlockListEvent, ContactEvent } from '../../domain/contacts/events.js';
import { DERBEL_EVENT_TYPES, type DerbelEventType } from '../../domain/events.js';
import type { MeetingEvent } from '../../domain/meetings/events.js';
import type { FeedEventData } from './feed-wire.js';
import { isReactionEmoji } from '../../domain/contacts/reaction-emoji.js';
import { MalformedEventError } from '../malformed-event.js';

/** The events that go into feeds by their contact: those of a contact (direct or group), and of a meeting in one. */
export type FeedSourceEvent = Recorded<ContactEvent | MeetingEvent>;
/** Block-list events go to the blocker's feed alone. */
export type BlockFeedEvent = Recorded<BlockListEvent>;

/** Account and meeting-slot events concern no contact, so no feed; block-list events have their own way in. */
const NOT_BY_CONTACT = new Set<DerbelEventType>([
  'UsernameClaimed',
  'UsernameReleased',
  'AccountRegistered',
  'MeetingSlotClaimed',
  'MeetingSlotReleased',
  'UserBlocked',
  'UserUnblocked',
]);
const TYPES = new Set<string>(DERBEL_EVENT_TYPES.filter((type) => !NOT_BY_CONTACT.has(type)));

export const isFeedSource = (event: RecordedDerbelEvent): event is FeedSourceEvent => TYPES.has(event.type);
export const isBlockFeedEvent = (event: RecordedDerbelEvent): event is BlockFeedEvent =>
  event.type === 'UserBlocked' || event.type === 'UserUnblocked';

/**
 * Which of a contact's members see this event: the consent events are for one side, or both, as the contract
 * says (docs/contacts-consent.md); a group's removal or leave goes to the members before it (docs/groups.md);
 * everything else to the members after it (`members`; `before`: the members before it).
 */
export function feedRecipients(event: FeedSourceEvent, members: readonly string[], before: readonly string[] = members): readonly string[] {
  const d = dataOf(event) as Record<string, unknown>;
  const id = (field: string) => uuid(event, d[field], field);
  switch (event.type) {
    case 'ContactRequested':
      return d.silenced === true ? [id('requestedBy')] : [id('requestedBy'), id('recipientId')];
    case 'ContactRequestDeclined':
      return [id('declinedBy')];
    case 'ContactRequestCancelled': {
      const by = id('cancelledBy');
      return d.seenByRecipient === true ? [by, ...members.filter((m) => m !== by)] : [by];
    }
    case 'GroupMemberRemoved':
    case 'GroupMemberLeft':
      return before;
    default:
      return members;
  }
}

/** A block-list event for its blocker's feed, with the wire's data (the blocked user is `userId`). */
export function toBlockFeedEntry(event: BlockFeedEvent): {
  userId: string;
  data: FeedEventData['UserBlocked'] | FeedEventData['UserUnblocked'];
} {
  const d = dataOf(event);
  const blockerId = uuid(event, d.blockerId, 'blockerId');
  const userId = uuid(event, d.blockedId, 'blockedId');
  const at = occurredAt(event);
  return { userId: blockerId, data: event.type === 'UserBlocked' ? { userId, blockedAt: at } : { userId, unblockedAt: at } };
}

/** A stored emoji that is not one is parked like any malformed field. */
function reactionEmoji(event: FeedSourceEvent): string {
  const emoji = (dataOf(event) as Record<string, unknown>).emoji;
  if (typeof emoji !== 'string' || !isReactionEmoji(emoji)) throw new MalformedEventError(event, 'emoji');
  return emoji;
}

/**
 * What the members of the event's contact see of it: exactly these fields, checked, with the moment it
 * happened under the name clients expect. Nothing else of the stored event reaches a client.
 */
export function toFeedData(event: FeedSourceEvent): FeedEventData[FeedSourceEvent['type']] {
  const at = occurredAt(event);
  const d = dataOf(event);
  const contactId = uuid(event, d.contactId, 'contactId');
  const id = (field: string) => uuid(event, (d as Record<string, unknown>)[field], field);
  switch (event.type) {
    case 'ContactRequested': {
      const message = event.data.message == null ? null : text(event, event.data.message, 'message');
      return { contactId, requestedBy: id('requestedBy'), recipientId: id('recipientId'), message, requestedAt: at };
    }
    case 'ContactRequestDeclined':
      return { contactId, declinedAt: at };
    case 'ContactRequestCancelled':
      return { contactId, cancelledAt: at };
    case 'ContactRemoved':
      return { contactId, removedAt: at };
    case 'ContactAdded':
      return { contactId, kind: 'direct', members: uuids(event, event.data.members, 'members', 2), addedBy: id('addedBy'), addedAt: at };
    case 'MessageSent': {
      const files = attachments(event, event.data.attachments);
      return {
        contactId,
        messageId: id('messageId'),
        senderId: id('senderId'),
        text: text(event, event.data.text, 'text'),
        sentAt: at,
        ...(files.length > 0 ? { attachments: files } : {}),
        ...(event.data.replyTo !== undefined ? { replyToId: id('replyTo') } : {}),
      };
    }
    case 'MessageEdited':
      return { contactId, messageId: id('messageId'), editorId: id('editorId'), text: text(event, event.data.text, 'text'), editedAt: at };
    case 'MessageDeleted':
      return { contactId, messageId: id('messageId'), deletedBy: id('deletedBy'), deletedAt: at };
    case 'ConversationRead':
      return { contactId, userId: id('userId'), messageId: id('messageId'), readAt: at };
    case 'ReactionAdded':
      return { contactId, messageId: id('messageId'), userId: id('userId'), emoji: reactionEmoji(event), reactedAt: at };
    case 'ReactionRemoved':
      return { contactId, messageId: id('messageId'), userId: id('userId'), emoji: reactionEmoji(event), removedAt: at };
    case 'GroupCreated': {
      const g = event.data;
      return {
        contactId,
        kind: 'group',
        title: text(event, g.title, 'title'),
        members: uuids(event, g.members, 'members', 1),
        admins: uuids(event, g.admins, 'admins'),
        createdBy: id('createdBy'),
        membersMayAdd: bool(event, g.membersMayAdd, 'membersMayAdd'),
        createdAt: at,
      };
    }
    case 'GroupRenamed':
      return { contactId, title: text(event, event.data.title, 'title'), renamedBy: id('renamedBy'), renamedAt: at };
    case 'GroupMembersAdded':
      return { contactId, userIds: uuids(event, event.data.userIds, 'userIds', 1), addedBy: id('addedBy'), addedAt: at };
    case 'GroupMemberRemoved':
      return { contactId, userId: id('userId'), removedBy: id('removedBy'), removedAt: at };
    case 'GroupMemberLeft':
      return { contactId, userId: id('userId'), leftAt: at };
    case 'GroupAdminAppointed':
      return { contactId, userId: id('userId'), appointedBy: event.data.appointedBy == null ? null : id('appointedBy'), appointedAt: at };
    case 'GroupSettingsChanged':
      return {
        contactId,
        membersMayAdd: bool(event, event.data.membersMayAdd, 'membersMayAdd'),
        changedBy: id('changedBy'),
        changedAt: at,
      };
    case 'MeetingStarted': {
      const m = event.data;
      return {
        meetingId: id('meetingId'),
        contactId,
        startedBy: id('startedBy'),
        members: uuids(event, m.members, 'members'),
        invitees: uuids(event, m.invitees, 'invitees'),
        startedAt: timestamp(event, m.startedAt, 'startedAt'),
        ringUntil: timestamp(event, m.ringUntil, 'ringUntil'),
        at,
      };
    }
    case 'ParticipantJoined': {
      const m = event.data;
      return {
        meetingId: id('meetingId'),
        contactId,
        userId: id('userId'),
        peerId: text(event, m.peerId, 'peerId'),
        joinedAt: timestamp(event, m.joinedAt, 'joinedAt'),
        at,
      };
    }
    case 'ParticipantLeft': {
      const m = event.data;
      return {
        meetingId: id('meetingId'),
        contactId,
        userId: id('userId'),
        peerId: text(event, m.peerId, 'peerId'),
        reason: oneOf(event, m.reason, ['left', 'disconnected'], 'reason'),
        leftAt: timestamp(event, m.leftAt, 'leftAt'),
        at,
      };
    }
    case 'InvitationDeclined':
      return {
        meetingId: id('meetingId'),
        contactId,
        userId: id('userId'),
        declinedAt: timestamp(event, event.data.declinedAt, 'declinedAt'),
        at,
      };
    case 'MeetingEnded': {
      const m = event.data;
      return {
        meetingId: id('meetingId'),
        contactId,
        reason: oneOf(event, m.reason, ['ended', 'empty', 'missed', 'declined'], 'reason'),
        endedBy: m.endedBy == null ? null : id('endedBy'),
        endedAt: timestamp(event, m.endedAt, 'endedAt'),
        at,
      };
    }
  }
}
