import type { RecordedEvent } from '../../application/ports/event-store.js';
import { MalformedEventError } from '../malformed-event.js';
import { asDerbelEvents } from '../recorded-event.js';
import { toMessageView, type MessageView } from './message-view.js';
import { messagesFold, type MessageEvent, type MessageRow } from './messages.fold.js';

/** A message as it stood at some moment (the same shape the live history serves). */
export type HistoricMessage = MessageView;

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

/** Whether a message (by the revision of its `MessageSent`, as `messages.seq`) may be read. */
export type Readable = (seq: number) => boolean;

/**
 * What `userId` may read of a conversation, from its stream's membership events (docs/groups.md): all of a
 * direct contact's (both members see their whole history), of a group what was sent inside their periods —
 * after the event that let them in, before the one that put them out — as `conversation_members` says.
 */
export function readableBy(events: readonly RecordedEvent[], userId: string): Readable {
  const periods: Array<{ after: number; before: number | null }> = [];
  const open = () => periods.length > 0 && periods[periods.length - 1].before === null;
  const names = (list: unknown) => Array.isArray(list) && list.includes(userId);
  let group = false;
  for (const [i, event] of events.entries()) {
    const d = (event.data ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'GroupCreated':
        // As the read models: a conversation is a group when that is its first event.
        if (i !== 0) break;
        group = true;
        if (names(d.members)) periods.push({ after: event.revision, before: null });
        break;
      case 'GroupMembersAdded':
        if (group && !open() && names(d.userIds)) periods.push({ after: event.revision, before: null });
        break;
      case 'GroupMemberRemoved':
      case 'GroupMemberLeft':
        if (group && open() && d.userId === userId) periods[periods.length - 1].before = event.revision;
        break;
    }
  }
  if (!group) return () => true;
  return (seq) => periods.some((p) => seq > p.after && (p.before === null || seq < p.before));
}

/**
 * Folds a contact stream with `messagesFold`, the definition the live history is written with, so time travel,
 * the audit trail and the history cannot disagree. An event the fold refuses is skipped, as the live
 * projection parks it. `step` sees each applied event with the message before and after it.
 */
function fold(events: RecordedEvent[], step: (event: MessageEvent, before: MessageRow | null, after: MessageRow | null) => boolean | void) {
  const messages = new Map<string, MessageRow>();
  for (const event of asDerbelEvents(events)) {
    if (!messagesFold.handles(event)) continue;
    try {
      const key = messagesFold.keyOf(event);
      const before = messages.get(key) ?? null;
      const after = messagesFold.evolve(before, event);
      if (step(event, before, after) === false) break;
      if (after) messages.set(key, after);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
    }
  }
  return [...messages.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The conversation as it stood at `asOf`: the contact stream's events up to the last one that had happened
 * by then (stream order is the truth; a later event never counts, even with a skewed clock). Oldest first;
 * `visible` keeps the messages a member may read (by their revision, as `messages.seq`).
 */
export function conversationAsOf(events: RecordedEvent[], asOf: Date, visible: Readable = () => true): HistoricMessage[] {
  const until = asOf.getTime();
  const shown = fold(events, (event) => Date.parse(event.metadata.timestamp) <= until).filter((m) => visible(m.seq));
  const byId = new Map(shown.map((m) => [m.id, m]));
  return shown.map((m) => toMessageView(m, m.replyTo === null ? null : byId.get(m.replyTo)));
}

/** Every edit and deletion that changed a message (of those `visible` keeps), in the order they happened. */
export function conversationChanges(events: RecordedEvent[], visible: Readable = () => true): MessageChange[] {
  const changes: MessageChange[] = [];
  fold(events, (event, before, after) => {
    if (!before || !after || after === before || !visible(after.seq)) return;
    if (event.type !== 'MessageEdited' && event.type !== 'MessageDeleted') return;
    changes.push({
      type: event.type,
      messageId: after.id,
      userId: after.senderId,
      at: event.metadata.timestamp,
      revision: event.revision,
      position: event.position,
      previousText: before.text,
      text: after.text,
    });
  });
  return changes;
}
