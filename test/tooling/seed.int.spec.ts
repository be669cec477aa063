import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactDecider, type ContactCommand, type ContactState } from '../../domain/contacts/contact.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import { seedEvents } from '../../infrastructure/cli/commands/seed-log.js';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

/** The command that, decided on the state before it, should produce exactly this event. */
function commandFor(event: ContactEvent): ContactCommand {
  switch (event.type) {
    case 'ContactRequested': {
      const { contactId, members, requestedBy, message } = event.data;
      return {
        type: 'RequestContact',
        data: {
          contactId,
          members: [members[0], members[1]],
          requestedBy,
          message,
          at: new Date().toISOString(),
          cooldownMs: 0,
          blockedByRecipient: false,
        },
      };
    }
    case 'ContactAdded':
      return { type: 'AcceptContactRequest', data: { contactId: event.data.contactId, userId: event.data.addedBy } };
    case 'MessageSent':
      return { type: 'SendMessage', data: event.data };
    case 'MessageEdited':
      return { type: 'EditMessage', data: event.data };
    case 'MessageDeleted':
      return { type: 'DeleteMessage', data: event.data };
    case 'ConversationRead':
      return { type: 'MarkConversationRead', data: event.data };
    default:
      throw new Error(`the seed does not write ${event.type}`);
  }
}

describe('derbel events seed', () => {
  let t: ToolingDatabase;
  beforeAll(async () => {
    t = await toolingDatabase();
  });
  afterAll(() => t?.close());

  it('writes a realistic log quickly, straight into the events table', async () => {
    const result = await derbel(t.db.url, ['events', 'seed', '--events', '3000', '--users', '5', '--contacts', '7']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^seeded 3,0\d\d events \(5 users, 7 contacts, 2,\d{3} messages\) at positions 1–3\d{3} in \d+\.\d s\n$/);
    const { rows } = await t.pool.query<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM events GROUP BY type');
    const counts = Object.fromEntries(rows.map((r) => [r.type, r.n]));
    expect(counts).toMatchObject({ UsernameClaimed: 5, AccountRegistered: 5, ContactRequested: 7, ContactAdded: 7 });
    for (const type of ['MessageEdited', 'MessageDeleted', 'ConversationRead', 'MeetingStarted', 'MeetingEnded'])
      expect(counts[type]).toBeGreaterThan(0);
  });

  it('never lets a live reader skip an event, while seeding and ordinary appends run side by side', async () => {
    const start = await t.store.headPosition();
    const subscription = t.store.subscribeToAll({ after: start });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of subscription) seen.push(event.position);
    })();
    const client = await t.pool.connect();
    const appends: Promise<unknown>[] = [];
    const append = (i: number) =>
      t.store.appendToStream(`contact-side-${i % 3}`, [
        {
          id: crypto.randomUUID(),
          type: 'Noted',
          data: { i },
          metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: new Date().toISOString() },
        },
      ]);
    for (let i = 0; i < 10; i++) appends.push(append(i));
    await seedEvents(client, {
      events: 5_000,
      users: 4,
      contacts: 4,
      // The seed's rows are written, not committed: an append now must not become visible ahead of them.
      onProgress: async () => {
        for (let i = 10; i < 20; i++) appends.push(append(i));
        await new Promise((r) => setTimeout(r, 300));
      },
    }).finally(() => client.release());
    await Promise.all(appends);
    const { rows } = await t.pool.query<{ position: string }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [start]);
    const expected = rows.map((r) => Number(r.position));
    const deadline = Date.now() + 10_000;
    while (seen.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.close();
    await reading;
    expect(seen).toEqual(expected);
  });

  it('writes only conversations the contact decider would have accepted, event for event', async () => {
    const { rows } = await t.pool.query<{ stream_id: string }>(
      `SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE 'contact-%' AND stream_id NOT LIKE 'contact-side-%'`,
    );
    expect(rows).toHaveLength(11);
    for (const { stream_id } of rows) {
      const events = await t.store.readStream(stream_id);
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      let state: ContactState = contactDecider.initialState();
      for (const recorded of events) {
        const event = { type: recorded.type, data: recorded.data } as ContactEvent;
        expect(contactDecider.decide(commandFor(event), state)).toEqual([event]);
        state = contactDecider.evolve(state, event);
      }
    }
  });
});
