import { randomUUID } from 'node:crypto';
import type { AccountRegistered, UsernameClaimed } from '../../domain/accounts/events.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import type { GroupEvent } from '../../domain/contacts/group-events.js';
import { streams, type DerbelEvent } from '../../domain/events.js';
import type { MeetingEndReason, MeetingEvent, ParticipantLeftReason } from '../../domain/meetings/events.js';
import type { RecordedDerbelEvent } from '../../projections/recorded-event.js';

type DataOf<T extends DerbelEvent['type']> = Extract<DerbelEvent, { type: T }>['data'];

export interface RecordOptions {
  /** Who issued the command (metadata.userId); null for the sweeper. */
  userId?: string | null;
  /** The handler's clock (metadata.timestamp); by default the log's clock, one second after the last event. */
  at?: string;
  /** Anything else to put into (or over) the metadata, e.g. a malformed timestamp. */
  metadata?: Record<string, unknown>;
}

/**
 * A log as the event store would hand it to a projection: every event recorded here gets the next global
 * position, the next revision of its stream, a fresh event id and the metadata a command handler writes
 * (`userId`, `correlationId`, `causationId`, an ISO `timestamp`, `schemaVersion`). The clock moves one second
 * per event from a fixed start, so timestamps are predictable in expectations.
 *
 * Build the given and the when events from one log, in log order.
 */
export class TestLog {
  private position: number;
  private clock: number;
  private readonly revisions = new Map<string, number>();

  constructor(options: { firstPosition?: number; start?: string } = {}) {
    this.position = (options.firstPosition ?? 1) - 1;
    this.clock = Date.parse(options.start ?? '2025-03-03T09:00:00.000Z');
  }

  /** The timestamp the next event gets unless it says otherwise. */
  nextAt(): string {
    return new Date(this.clock + 1_000).toISOString();
  }

  /** A well-formed event of this product; `data` may be computed from the event's timestamp. */
  record<T extends DerbelEvent['type']>(
    streamId: string,
    type: T,
    data: DataOf<T> | ((at: string) => DataOf<T>),
    options: RecordOptions = {},
  ): RecordedDerbelEvent {
    const at = options.at ?? this.nextAt();
    return this.raw(streamId, type, typeof data === 'function' ? data(at) : data, { ...options, at });
  }

  /** Any event, as an old or hostile log may hold it: its data is not checked against the domain's types. */
  raw(streamId: string, type: string, data: unknown, options: RecordOptions = {}): RecordedDerbelEvent {
    const at = options.at ?? this.nextAt();
    this.clock = Math.max(this.clock + 1_000, Number.isNaN(Date.parse(at)) ? 0 : Date.parse(at));
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    const causationId = randomUUID();
    return {
      id: randomUUID(),
      streamId,
      revision,
      position: ++this.position,
      type,
      data,
      metadata: {
        userId: options.userId ?? null,
        correlationId: causationId,
        causationId,
        timestamp: at,
        schemaVersion: 1,
        ...options.metadata,
      },
    } as RecordedDerbelEvent;
  }
}

/** The events of one `contact-<id>` stream, as the contact decider writes them. */
export function contactStream(log: TestLog, contactId: string = randomUUID()) {
  const stream = streams.contact(contactId);
  // Typed at each builder below; the domain's types have already checked the data.
  const record = <T extends ContactEvent['type']>(type: T, data: DataOf<T>, userId: string, options?: RecordOptions) =>
    log.raw(stream, type, data, { userId, ...options });
  return {
    contactId,
    stream,
    /** `requestedBy` asks `recipient`; `silenced` as the decider decides it (blocked, or cooling off). */
    requested: (requestedBy: string, recipient: string, options: RecordOptions & { message?: string | null; silenced?: boolean } = {}) =>
      record(
        'ContactRequested',
        {
          contactId,
          kind: 'direct',
          members: [requestedBy, recipient],
          requestedBy,
          recipientId: recipient,
          message: options.message ?? null,
          silenced: options.silenced ?? false,
        },
        requestedBy,
        options,
      ),
    declined: (declinedBy: string, options?: RecordOptions) =>
      log.record(stream, 'ContactRequestDeclined', (at) => ({ contactId, declinedBy, declinedAt: at }), { userId: declinedBy, ...options }),
    cancelled: (cancelledBy: string, seenByRecipient: boolean, options?: RecordOptions) =>
      record('ContactRequestCancelled', { contactId, cancelledBy, seenByRecipient }, cancelledBy, options),
    /** An acceptance (or, alone, a contact from before requests existed). */
    added: (addedBy: string, peer: string, options?: RecordOptions) =>
      record('ContactAdded', { contactId, kind: 'direct', members: [addedBy, peer], addedBy }, addedBy, options),
    removed: (removedBy: string, reason: 'removed' | 'blocked' = 'removed', options?: RecordOptions) =>
      record('ContactRemoved', { contactId, removedBy, reason }, removedBy, options),
    sent: (senderId: string, text: string, messageId: string = randomUUID(), options?: RecordOptions) =>
      record('MessageSent', { contactId, messageId, senderId, text }, senderId, options),
    edited: (editorId: string, messageId: string, text: string, options?: RecordOptions) =>
      record('MessageEdited', { contactId, messageId, editorId, text }, editorId, options),
    deleted: (deletedBy: string, messageId: string, options?: RecordOptions) =>
      record('MessageDeleted', { contactId, messageId, deletedBy }, deletedBy, options),
    read: (userId: string, messageId: string, options?: RecordOptions) =>
      record('ConversationRead', { contactId, userId, messageId }, userId, options),
    replied: (senderId: string, replyTo: string, text: string, messageId: string = randomUUID(), options?: RecordOptions) =>
      record('MessageSent', { contactId, messageId, senderId, text, replyTo }, senderId, options),
    reacted: (userId: string, messageId: string, emoji: string, options?: RecordOptions) =>
      record('ReactionAdded', { contactId, messageId, userId, emoji }, userId, options),
    unreacted: (userId: string, messageId: string, emoji: string, options?: RecordOptions) =>
      record('ReactionRemoved', { contactId, messageId, userId, emoji }, userId, options),
    /** Anything in this stream, for events the decider would never write. */
    raw: (type: string, data: unknown, options?: RecordOptions) => log.raw(stream, type, data, options),
  };
}

/**
 * The events of one group's `contact-<id>` stream, as the group decider writes them (docs/groups.md): its
 * membership events, and the message events of `contactStream` (a group shares them with direct contacts).
 */
export function groupStream(log: TestLog, contactId: string = randomUUID()) {
  const messages = contactStream(log, contactId);
  const record = <T extends GroupEvent['type']>(
    type: T,
    data: Extract<GroupEvent, { type: T }>['data'],
    userId: string,
    options?: RecordOptions,
  ) => log.raw(messages.stream, type, data, { userId, ...options });
  return {
    ...messages,
    /** `createdBy` (the first admin) makes a group of `members` (`createdBy` first). */
    created: (createdBy: string, others: string[], title = 'Team', options?: RecordOptions) =>
      record(
        'GroupCreated',
        { contactId, kind: 'group', title, members: [createdBy, ...others], admins: [createdBy], createdBy, membersMayAdd: false },
        createdBy,
        options,
      ),
    renamed: (renamedBy: string, title: string, options?: RecordOptions) =>
      record('GroupRenamed', { contactId, title, renamedBy }, renamedBy, options),
    membersAdded: (addedBy: string, userIds: string[], options?: RecordOptions) =>
      record('GroupMembersAdded', { contactId, userIds, addedBy }, addedBy, options),
    memberRemoved: (removedBy: string, userId: string, options?: RecordOptions) =>
      record('GroupMemberRemoved', { contactId, userId, removedBy }, removedBy, options),
    memberLeft: (userId: string, options?: RecordOptions) => record('GroupMemberLeft', { contactId, userId }, userId, options),
    adminAppointed: (appointedBy: string | null, userId: string, options?: RecordOptions) =>
      record('GroupAdminAppointed', { contactId, userId, appointedBy }, appointedBy ?? userId, options),
    settingsChanged: (changedBy: string, membersMayAdd: boolean, options?: RecordOptions) =>
      record('GroupSettingsChanged', { contactId, membersMayAdd, changedBy }, changedBy, options),
  };
}

/** The events of one `meeting-<id>` stream between the two members of a contact, as the meeting decider writes them. */
export function meetingStream(log: TestLog, contactId: string, meetingId: string = randomUUID()) {
  const stream = streams.meeting(meetingId);
  const record = <T extends MeetingEvent['type']>(
    type: T,
    data: (at: string) => DataOf<T>,
    userId: string | null,
    options?: RecordOptions,
  ) => log.record(stream, type, data, { userId, ...options });
  return {
    meetingId,
    contactId,
    stream,
    /** `startedBy` calls `peer`; the ring lasts 45 s. */
    started: (startedBy: string, peer: string, options?: RecordOptions) =>
      record(
        'MeetingStarted',
        (at) => ({
          meetingId,
          contactId,
          startedBy,
          members: [startedBy, peer],
          invitees: [peer],
          startedAt: at,
          ringUntil: new Date(Date.parse(at) + 45_000).toISOString(),
        }),
        startedBy,
        options,
      ),
    joined: (userId: string, peerId: string, options?: RecordOptions) =>
      record('ParticipantJoined', (at) => ({ meetingId, contactId, userId, peerId, joinedAt: at }), userId, options),
    left: (userId: string, peerId: string, reason: ParticipantLeftReason = 'left', options?: RecordOptions) =>
      record('ParticipantLeft', (at) => ({ meetingId, contactId, userId, peerId, reason, leftAt: at }), userId, options),
    declined: (userId: string, options?: RecordOptions) =>
      record('InvitationDeclined', (at) => ({ meetingId, contactId, userId, declinedAt: at }), userId, options),
    ended: (reason: MeetingEndReason, endedBy: string | null, options?: RecordOptions) =>
      record('MeetingEnded', (at) => ({ meetingId, contactId, reason, endedBy, endedAt: at }), endedBy, options),
    raw: (type: string, data: unknown, options?: RecordOptions) => log.raw(stream, type, data, options),
  };
}

/** The events of one user's `blocks-<id>` stream. */
export function blockStream(log: TestLog, blockerId: string) {
  const stream = streams.blocks(blockerId);
  return {
    stream,
    blocked: (blockedId: string, options?: RecordOptions) =>
      log.record(stream, 'UserBlocked', (at) => ({ blockerId, blockedId, blockedAt: at }), { userId: blockerId, ...options }),
    unblocked: (blockedId: string, options?: RecordOptions) =>
      log.record(stream, 'UserUnblocked', { blockerId, blockedId }, { userId: blockerId, ...options }),
  };
}

/** A sign-up: the username claim and the account, as the account handler writes them. */
export function signUp(log: TestLog, username: string, displayName = username, userId: string = randomUUID(), options?: RecordOptions) {
  const claimed: UsernameClaimed['data'] = { username, userId };
  const registered: AccountRegistered['data'] = { userId, username, displayName };
  return {
    userId,
    claimed: log.record(streams.username(username), 'UsernameClaimed', claimed, { userId, ...options }),
    registered: log.record(streams.account(userId), 'AccountRegistered', registered, { userId, ...options }),
  };
}
