import type { ShownMessage } from './conversation-state.js';
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
