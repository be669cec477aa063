import type { RecordedEvent } from '../ports/event-store.js';
import type { MessageDeleted, MessageEdited, MessageSent } from '../../domain/contacts/events.js';

/** A message as it stood at some moment (the same shape the messages read model serves). */
export interface HistoricMessage {
  id: string;
  contactId: string;
  senderId: string;
  text: string | null;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
}

/** One change made to an already sent message. */
export interface MessageChange {
  type: 'MessageEdited' | 'MessageDeleted';
  messageId: string;
  /** Who made the change. */
  userId: string;
  at: string;
  revision: number;
  position: number;
  /** The text before the change (null if it was already deleted). */
  previousText: string | null;
  /** The text after an edit; null for a deletion. */
  text: string | null;
}

/**
 * The conversation as it stood at `asOf`: the contact stream's events up to the last one that had happened
 * by then (stream order is the truth; a later event never counts, even with a skewed clock), folded the
 * way the messages projection folds them. Oldest message first.
 */
export function conversationAsOf(events: RecordedEvent[], asOf: Date): HistoricMessage[] {
  const messages = new Map<string, HistoricMessage>();
  const until = asOf.getTime();
  for (const event of events) {
    if (Date.parse(event.metadata.timestamp) > until) break;
    applyToMessages(messages, event);
  }
  return [...messages.values()];
}

/** Every edit and deletion in the conversation, in the order they happened. */
export function conversationChanges(events: RecordedEvent[]): MessageChange[] {
  const messages = new Map<string, HistoricMessage>();
  const changes: MessageChange[] = [];
  for (const event of events) {
    if (event.type === 'MessageEdited' || event.type === 'MessageDeleted') {
      const d = event.data as MessageEdited['data'] | MessageDeleted['data'];
      const before = messages.get(d.messageId);
      changes.push({
        type: event.type,
        messageId: d.messageId,
        userId: 'editorId' in d ? d.editorId : d.deletedBy,
        at: event.metadata.timestamp,
        revision: event.revision,
        position: event.position,
        previousText: before ? before.text : null,
        text: event.type === 'MessageEdited' ? (d as MessageEdited['data']).text : null,
      });
    }
    applyToMessages(messages, event);
  }
  return changes;
}

function applyToMessages(messages: Map<string, HistoricMessage>, event: RecordedEvent): void {
  const at = event.metadata.timestamp;
  switch (event.type) {
    case 'MessageSent': {
      const d = event.data as MessageSent['data'];
      if (!messages.has(d.messageId)) {
        messages.set(d.messageId, { id: d.messageId, contactId: d.contactId, senderId: d.senderId, text: d.text, sentAt: at, editedAt: null, deleted: false });
      }
      return;
    }
    case 'MessageEdited': {
      const d = event.data as MessageEdited['data'];
      const message = messages.get(d.messageId);
      if (message) Object.assign(message, { text: d.text, editedAt: at });
      return;
    }
    case 'MessageDeleted': {
      const message = messages.get((event.data as MessageDeleted['data']).messageId);
      if (message) Object.assign(message, { text: null, deleted: true });
      return;
    }
  }
}
