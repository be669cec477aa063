import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactDecider } from '../../domain/contacts/contact.js';
import { streams } from '../../domain/events.js';
import type { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../../test/support/postgres-event-store-fixture.js';
import type { EventStore } from '../ports/event-store.js';
import { randomIds, type Clock } from './clock.js';
import { CommandHandler } from './command-handler.js';

/** Counts how many events the handler reads from the store. */
function countingReads(store: EventStore) {
  const counter = { eventsRead: 0 };
  const wrapped: EventStore = Object.create(store);
  wrapped.readStream = async (stream, options) => {
    const events = await store.readStream(stream, options);
    counter.eventsRead += events.length;
    return events;
  };
  return { store: wrapped, counter };
}

describe('CommandHandler on a real event store, two "nodes"', () => {
  let fixture: PostgresEventStoreFixture;
  let store: PostgresEventStore;
  const clock: Clock = { now: () => new Date('2026-11-25T12:00:00.000Z') };
  const [alice, bob] = [randomUUID(), randomUUID()];
  const context = { userId: alice, correlationId: 'req-1' };

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    store = fixture.store;
  });
  afterAll(() => fixture.teardown());

  async function newContact() {
    const contactId = randomUUID();
    const handler = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const at = clock.now().toISOString();
    await handler.handle(
      streams.contact(contactId),
      {
        type: 'RequestContact',
        data: { contactId, members: [alice, bob], requestedBy: alice, message: null, at, cooldownMs: 0, blockedByRecipient: false },
      },
      context,
    );
    await handler.handle(
      streams.contact(contactId),
      { type: 'AcceptContactRequest', data: { contactId, userId: bob } },
      { ...context, userId: bob },
    );
    return contactId;
  }
  const send = (contactId: string, messageId = randomUUID(), senderId = alice) =>
    ({ type: 'SendMessage', data: { contactId, messageId, senderId, text: 'hi' } }) as const;

  it('stamps metadata from the context and the injected clock', async () => {
    const contactId = await newContact();
    const events = await store.readStream(streams.contact(contactId));
    expect(events[0].metadata).toEqual({
      userId: alice,
      correlationId: 'req-1',
      causationId: 'req-1',
      timestamp: '2026-11-25T12:00:00.000Z',
      schemaVersion: 1,
    });
  });

  it('retries on a conflict with another node and keeps both writes', async () => {
    const contactId = await newContact();
    const nodeA = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const nodeB = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    await nodeA.handle(streams.contact(contactId), send(contactId), context);
    await nodeB.handle(streams.contact(contactId), send(contactId), context); // B had nothing cached
    const result = await nodeA.handle(streams.contact(contactId), send(contactId), context); // A's cache is stale
    expect(result.revision).toBe(4);
    const revisions = (await store.readStream(streams.contact(contactId))).map((e) => e.revision);
    expect(revisions).toEqual([0, 1, 2, 3, 4]);
  });

  it('does not trust a refusal decided on stale cached state', async () => {
    const contactId = await newContact();
    const nodeA = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const nodeB = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    await nodeA.load(streams.contact(contactId));
    const messageId = randomUUID();
    await nodeB.handle(streams.contact(contactId), send(contactId, messageId), context);
    const edit = await nodeA.handle(
      streams.contact(contactId),
      { type: 'EditMessage', data: { contactId, messageId, editorId: alice, text: 'edited' } },
      context,
    );
    expect(edit.events.map((e) => e.type)).toEqual(['MessageEdited']);
  });

  it('recognises a retried send stored through another node', async () => {
    const contactId = await newContact();
    const nodeA = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const nodeB = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const messageId = randomUUID();
    await nodeA.load(streams.contact(contactId));
    await nodeB.handle(streams.contact(contactId), send(contactId, messageId), context);
    const retry = await nodeA.handle(streams.contact(contactId), send(contactId, messageId), context);
    expect(retry.events).toEqual([]);
    expect(retry.position).toBeNull();
    expect((await store.readStream(streams.contact(contactId))).filter((e) => e.type === 'MessageSent')).toHaveLength(1);
  });

  it('reads only the events it has not folded yet: a warm command reads none', async () => {
    const contactId = await newContact();
    const { store: counted, counter } = countingReads(store);
    const handler = new CommandHandler(counted, contactDecider, { clock, ids: randomIds });
    for (let i = 0; i < 30; i++) await handler.handle(streams.contact(contactId), send(contactId), context);
    expect(counter.eventsRead).toBe(2); // the ContactRequested and ContactAdded, once
    const before = counter.eventsRead;
    await handler.handle(streams.contact(contactId), send(contactId), context);
    expect(counter.eventsRead).toBe(before);
  });

  it('serializes concurrent commands on one stream within a process', async () => {
    const contactId = await newContact();
    const handler = new CommandHandler(store, contactDecider, { clock, ids: randomIds });
    const results = await Promise.all(
      Array.from({ length: 25 }, () => handler.handle(streams.contact(contactId), send(contactId), context)),
    );
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
    const seqs = [...(results[0].state as any).messages.values()].map((m: any) => m.seq);
    expect(new Set(seqs).size).toBe(25);
  });
});
