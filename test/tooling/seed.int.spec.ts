import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactDecider, type ContactCommand, type ContactState } from '../../domain/contacts/contact.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

/** The command that, decided on the state before it, should produce exactly this event. */
function commandFor(event: ContactEvent): ContactCommand {
  switch (event.type) {
    case 'ContactAdded':
      return { type: 'AddContact', data: { contactId: event.data.contactId, members: [event.data.members[0], event.data.members[1]], addedBy: event.data.addedBy } };
    case 'MessageSent':
      return { type: 'SendMessage', data: event.data };
    case 'MessageEdited':
      return { type: 'EditMessage', data: event.data };
    case 'MessageDeleted':
      return { type: 'DeleteMessage', data: event.data };
    case 'ConversationRead':
      return { type: 'MarkConversationRead', data: event.data };
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
    expect(counts).toMatchObject({ UsernameClaimed: 5, AccountRegistered: 5, ContactAdded: 7 });
    for (const type of ['MessageEdited', 'MessageDeleted', 'ConversationRead', 'MeetingStarted', 'MeetingEnded']) expect(counts[type]).toBeGreaterThan(0);
  });

  it('writes only conversations the contact decider would have accepted, event for event', async () => {
    const { rows } = await t.pool.query<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE 'contact-%'`);
    expect(rows).toHaveLength(7);
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
