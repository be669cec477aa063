import { describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import { UpcasterRegistry } from './upcaster-registry.js';
import { UpcastingEventStore } from './upcasting-event-store.js';

const contactId = 'c0000000-0000-4000-8000-00000000000c';
const messageId = 'd0000000-0000-4000-8000-00000000000d';
const ana = 'a0000000-0000-4000-8000-00000000000a';

const stored = (position: number, type: string, data: object, schemaVersion = 1): RecordedEvent => ({
  id: `e${position}`,
  type,
  data,
  streamId: `contact-${contactId}`,
  revision: position - 1,
  position,
  metadata: { userId: ana, correlationId: 'c', causationId: 'c', timestamp: '2026-01-01T10:00:00.000Z', schemaVersion },
});

/** What a log written before ids were checked at the edge may hold. */
const log = (): RecordedEvent[] => [
  stored(1, 'MessageSent', { contactId, messageId: `urn:uuid:${messageId}`, senderId: ana, text: 'hi' }),
  stored(2, 'MessageEdited', { contactId, messageId: messageId.toUpperCase(), by: ana, body: 'hey' }),
  stored(3, 'MessageDeleted', { contactId, messageId, deletedBy: ana }),
];

/** Serves `events` for every read; appends are not needed here. */
function logOf(events: RecordedEvent[]): EventStore {
  return {
    appendToStream: () => Promise.reject(new Error('read only')),
    readStream: async () => [...events],
    readAll: async ({ after }) => events.filter((e) => e.position > after),
    subscribeToAll: ({ after }) => {
      const iterator = events.filter((e) => e.position > after)[Symbol.iterator]();
      return { [Symbol.asyncIterator]: () => ({ next: async () => iterator.next() }), close: async () => {} };
    },
    headPosition: async () => events.length,
    close: async () => {},
  };
}

/** MessageEdited version 1 said `{ by, body }`; an upcaster that knows nothing of id spellings. */
const registry = new UpcasterRegistry([
  { type: 'MessageEdited', fromVersion: 1, upcast: ({ by, body, ...rest }) => ({ ...rest, editorId: by, text: body }) },
]);

const expected = [
  { contactId, messageId, senderId: ana, text: 'hi' },
  { contactId, messageId, editorId: ana, text: 'hey' },
  { contactId, messageId, deletedBy: ana },
];

describe('UpcastingEventStore reads ids in their canonical spelling', () => {
  it('through readStream, readAll and subscribeToAll, after the version chain has renamed fields', async () => {
    const store = new UpcastingEventStore(logOf(log()), registry);
    expect((await store.readStream(`contact-${contactId}`)).map((e) => e.data)).toEqual(expected);
    expect((await store.readAll({ after: 0, limit: 10 })).map((e) => e.data)).toEqual(expected);
    const seen: unknown[] = [];
    const subscription = store.subscribeToAll({ after: 0 });
    for await (const event of subscription) seen.push(event.data);
    expect(seen).toEqual(expected);
  });

  it('with a registry that has no upcaster at all', async () => {
    const store = new UpcastingEventStore(logOf([log()[0]]), new UpcasterRegistry());
    const [sent] = await store.readAll({ after: 0, limit: 10 });
    expect(sent.data).toEqual(expected[0]);
    expect(sent.metadata.schemaVersion).toBe(1);
  });

  it('hands back events that need nothing as the very objects the adapter read', async () => {
    const events = [log()[2]];
    const store = new UpcastingEventStore(logOf(events), registry);
    const [read] = await store.readAll({ after: 0, limit: 10 });
    expect(read).toBe(events[0]);
  });

  it('leaves the stored events as they were', async () => {
    const events = log();
    const copy = structuredClone(events);
    await new UpcastingEventStore(logOf(events), registry).readAll({ after: 0, limit: 10 });
    expect(events).toEqual(copy);
  });
});
