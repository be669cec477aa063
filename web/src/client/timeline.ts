import type { ShownMessage } from './state/conversation-state.js';
import type { CallRecord } from './types.js';

/** One row of a conversation: a message, or a call with that contact. */
export type TimelineItem = (ShownMessage & { kind: 'message' }) | (CallRecord & { kind: 'call'; sentAt: string; id: string });

/**
 * Messages in the server's order with the contact's calls woven in by time. Calls older than the
 * loaded history wait until that page is loaded; unsent messages stay last whatever their clock says.
 */
export function timeline(messages: ShownMessage[], calls: CallRecord[], contactId: string, hasOlder: boolean): TimelineItem[] {
  const oldest = messages[0]?.sentAt ?? '';
  const pending = calls
    .filter((call) => call.contactId === contactId && !(hasOlder && call.startedAt < oldest))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .map((call): TimelineItem => ({ ...call, kind: 'call', sentAt: call.startedAt, id: call.meetingId }));
  const items: TimelineItem[] = [];
  for (const message of messages) {
    while (pending.length && (message.status !== 'sent' || pending[0].sentAt <= message.sentAt)) items.push(pending.shift()!);
    items.push({ ...message, kind: 'message' });
  }
  return [...items, ...pending];
}

/** A line in a group's timeline that is not a message: "Ann added Bob". */
export type NoteItem = { kind: 'note'; id: string; sentAt: string; text: string };

/**
 * Notes woven into a timeline by time (after what happened at the same moment). Notes older than the
 * loaded history wait until that page is loaded; unsent messages stay last.
 */
export function withNotes<T extends { sentAt: string; kind: string; status?: string }>(
  items: T[],
  notes: NoteItem[],
  hasOlder: boolean,
): Array<T | NoteItem> {
  const oldest = items[0]?.sentAt ?? '';
  const pending = notes.filter((note) => !(hasOlder && note.sentAt < oldest));
  const result: Array<T | NoteItem> = [];
  for (const item of items) {
    while (pending.length && (item.status === 'pending' || item.status === 'failed' || pending[0]!.sentAt < item.sentAt))
      result.push(pending.shift()!);
    result.push(item);
  }
  return [...result, ...pending];
}
