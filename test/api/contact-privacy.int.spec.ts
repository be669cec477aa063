import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directContactId } from '../../application/contacts/contact-id.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { createPool } from '../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 13, finding 5: a contact's id is a uuid v5 of its two members' ids (public in the directory), so
 * a stranger can compute it. What a stranger is told about a contact between two others must be exactly
 * what they are told about a pair who are not contacts.
 */
describe('a stranger learns nothing about who talks to whom', () => {
  let t: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let carol: ApiClient;
  let eve: ApiClient;
  let existing: string;
  let absent: string;

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob, carol, eve] = await Promise.all(['alice', 'bob', 'carol', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    existing = await alice.addContact(bob);
    absent = directContactId(alice.user!.id, carol.user!.id);
    await alice.post(`/api/contacts/${existing}/messages`, { text: 'between us' });
  });
  afterAll(() => t.close());

  const message = randomUUID();
  it.each([
    ['send', (c: string) => eve.post(`/api/contacts/${c}/messages`, { text: 'hello?' })],
    ['send a text that is not allowed', (c: string) => eve.post(`/api/contacts/${c}/messages`, { text: '   ' })],
    ['edit', (c: string) => eve.request('PATCH', `/api/contacts/${c}/messages/${message}`, { text: 'x' })],
    ['delete', (c: string) => eve.request('DELETE', `/api/contacts/${c}/messages/${message}`)],
    ['mark read', (c: string) => eve.post(`/api/contacts/${c}/read`, { messageId: message })],
    ['read history', (c: string) => eve.get(`/api/contacts/${c}/messages`)],
    ['read the audit trail', (c: string) => eve.get(`/api/contacts/${c}/audit`)],
    ['start a meeting', (c: string) => eve.post(`/api/contacts/${c}/meetings`, {})],
  ])('%s: the same status, code and message whether the two are contacts or not', async (_, act) => {
    const [toExisting, toAbsent] = [await act(existing), await act(absent)];
    expect(toExisting.status).toBe(404);
    expect({ status: toExisting.status, body: toExisting.body }).toEqual({ status: toAbsent.status, body: toAbsent.body });
  });

  it('typing on the socket: the same answer for both', async () => {
    const { connected } = await import('../support/api-client.js');
    const socket = await connected(eve.connect());
    try {
      const ack = (contactId: string) => socket.timeout(2_000).emitWithAck('typing', { contactId });
      expect(await ack(existing)).toEqual(await ack(absent));
    } finally {
      socket.disconnect();
    }
  });

  it("costs a stranger's probe the same whether the contact exists, and whatever its length: at most one event read", async () => {
    // A second node on the same database, whose caches have never seen the contact, counting what it reads.
    let eventsRead = 0;
    const cold = await startTestServer({
      db: t.db,
      overrides: {
        async createEventStore(config) {
          const store: EventStore = new PostgresEventStore(createPool(config.databaseUrl!), config.databaseUrl!);
          const read = store.readStream.bind(store);
          store.readStream = async (stream, options) => {
            const events = await read(stream, options);
            if (stream.startsWith('contact-')) eventsRead += events.length;
            return events;
          };
          return store;
        },
      },
    });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => bob.post(`/api/contacts/${existing}/messages`, { text: `filler ${i}` })));
      const strangerThere = Object.assign(new ApiClient(cold.url), { token: eve.token, user: eve.user });
      for (const [what, probe] of [
        ['send', (c: string) => strangerThere.post(`/api/contacts/${c}/messages`, { text: 'hello?' })],
        ['history', (c: string) => strangerThere.get(`/api/contacts/${c}/messages`)],
      ] as const) {
        eventsRead = 0;
        expect((await probe(existing)).status, what).toBe(404);
        expect(eventsRead, what).toBeLessThanOrEqual(1);
      }
    } finally {
      await cold.server.close();
    }
  });
});
