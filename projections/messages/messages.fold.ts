import type { MessageDeleted, MessageEdited, MessageSent, ReactionAdded, ReactionRemoved } from '../../domain/contacts/events.js';
import { isReactionEmoji } from '../../domain/contacts/reaction-emoji.js';
import { MalformedEventError } from '../malformed-event.js';
import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import { attachments, dataOf, occurredAt, text, uuid } from '../event-fields.js';
import type { Fold } from '../fold.js';
import type { Recorded, RecordedDerbelEvent } from '../recorded-event.js';

/** A message as the history shows it. */
export interface MessageRow {
  contactId: string;
  id: string;
  /** The revision of its `MessageSent` in the contact stream: the order messages were accepted in. */
  seq: number;
  senderId: string;
  text: string | null;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
  /** The files sent with it (metadata); none once it is deleted, as their files are. */
  attachments: MessageAttachment[];
  /** The message this one answers, or null. */
  replyTo: string | null;
  /** Who reacted with which emoji, each emoji in the order it first came; none once it is deleted. */
  reactions: MessageReactions;
}

export type MessageReactions = Array<{ emoji: string; userIds: string[] }>;

export type MessageEvent = Recorded<MessageSent | MessageEdited | MessageDeleted | ReactionAdded | ReactionRemoved>;

const TYPES = new Set(['MessageSent', 'MessageEdited', 'MessageDeleted', 'ReactionAdded', 'ReactionRemoved']);

/**
 * The messages read model. The decider already refuses what this fold ignores; the fold holds the same line
 * for any log (an old one, written before ids were canonical): the first send of an id is the message, and
 * only its sender edits or deletes it, while it is not deleted.
 */
export const messagesFold: Fold<MessageRow, MessageEvent> = {
  handles: (event: RecordedDerbelEvent): event is MessageEvent => TYPES.has(event.type),
  keyOf(event) {
    const d = dataOf(event);
    return `${uuid(event, d.contactId, 'contactId')}/${uuid(event, d.messageId, 'messageId')}`;
  },
  createsOnly: (event) => event.type === 'MessageSent',
  evolve(row, event) {
    const at = occurredAt(event);
    switch (event.type) {
      case 'MessageSent': {
        const d = event.data;
        const message: MessageRow = {
          contactId: d.contactId,
          id: d.messageId,
          seq: event.revision,
          senderId: uuid(event, d.senderId, 'senderId'),
          text: text(event, d.text, 'text'),
          sentAt: at,
          editedAt: null,
          deleted: false,
          attachments: attachments(event, d.attachments),
          replyTo: d.replyTo === undefined ? null : uuid(event, d.replyTo, 'replyTo'),
          reactions: [],
        };
        return row ?? message;
      }
      case 'MessageEdited': {
        const d = event.data;
        const editorId = uuid(event, d.editorId, 'editorId');
        const edited = text(event, d.text, 'text');
        if (!row || row.deleted || row.senderId !== editorId) return row;
        return { ...row, text: edited, editedAt: at };
      }
      case 'MessageDeleted': {
        const deletedBy = uuid(event, event.data.deletedBy, 'deletedBy');
        if (!row || row.deleted || row.senderId !== deletedBy) return row;
        return { ...row, text: null, deleted: true, attachments: [], reactions: [] };
      }
      case 'ReactionAdded':
      case 'ReactionRemoved': {
        const userId = uuid(event, event.data.userId, 'userId');
        const emoji = event.data.emoji;
        if (typeof emoji !== 'string' || !isReactionEmoji(emoji)) throw new MalformedEventError(event, 'emoji');
        if (!row || row.deleted) return row;
        return { ...row, reactions: withReaction(row.reactions, emoji, userId, event.type === 'ReactionAdded') };
      }
    }
  },
};

/** The reactions with `userId`'s `emoji` added or taken back; the same array when that changes nothing. */
function withReaction(reactions: MessageReactions, emoji: string, userId: string, on: boolean): MessageReactions {
  const current = reactions.find((r) => r.emoji === emoji);
  if (on === (current?.userIds.includes(userId) ?? false)) return reactions;
  if (on && !current) return [...reactions, { emoji, userIds: [userId] }];
  return reactions
    .map((r) => (r.emoji !== emoji ? r : { emoji, userIds: on ? [...r.userIds, userId] : r.userIds.filter((u) => u !== userId) }))
    .filter((r) => r.userIds.length > 0);
}
