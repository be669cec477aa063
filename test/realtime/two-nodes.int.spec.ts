import { describe, expect, it } from 'vitest';
import { ADVISORY_LOCKS } from '../../infrastructure/database/advisory-locks.js';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { useTwoNodes } from '../support/two-nodes.js';

/** Two api processes on one PostgreSQL and one Redis behave as one. */
describe('two api nodes on one PostgreSQL and one Redis', () => {
  const two = useTwoNodes();

  it('delivers a message sent through node 1 exactly once to a receiver connected to node 2', async () => {
    const alice = await new ApiClient(two.nodes[0].url).signUp('alice');
    // Bob signs in on the other node: sessions and accounts are shared state, not process memory.
    const bob = new ApiClient(two.nodes[1].url);
    const bobOnNode1 = await new ApiClient(two.nodes[0].url).signUp('bob');
    bob.token = bobOnNode1.token;
    bob.user = bobOnNode1.user;

    const bobSocket = await connected(bob.connect());
    const received = recordEvents(bobSocket);
    const contactId = await alice.addContact(bob);
    const texts = Array.from({ length: 25 }, (_, i) => `across two.nodes ${i}`);
    for (const text of texts) expect((await alice.post(`/api/contacts/${contactId}/messages`, { text })).status).toBe(201);

    // One more behind them: once it is in, a repeat of any of them would have been too.
    expect((await alice.post(`/api/contacts/${contactId}/messages`, { text: 'marker' })).status).toBe(201);
    await eventually(() => received.some((e) => e.type === 'MessageSent' && e.data.text === 'marker'), { timeoutMs: 10_000 });
    const messages = received.filter((e) => e.type === 'MessageSent' && e.data.text !== 'marker');
    expect(messages.map((e) => e.data.text)).toEqual(texts);
    expect(new Set(messages.map((e) => e.position)).size).toBe(texts.length);

    // Typing and presence cross two.nodes too.
    const aliceSocket = await connected(alice.connect());
    await eventually(() => received.find((e) => e.type === 'PresenceChanged' && e.data.userId === alice.user!.id && e.data.online));
    expect(await aliceSocket.emitWithAck('typing', { contactId })).toEqual({ ok: true });
    await eventually(() => received.find((e) => e.type === 'Typing'));

    // Reading from either node gives the same history.
    const fromNode2 = await bob.get(`/api/contacts/${contactId}/messages?limit=100`);
    expect(fromNode2.body.messages.map((m: any) => m.text)).toEqual([...texts, 'marker']);
    bobSocket.disconnect();
    aliceSocket.disconnect();
  });

  it('runs each projection on exactly one node', async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: two.db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT objid, count(*)::int AS holders FROM pg_locks WHERE locktype = 'advisory' AND classid = ${ADVISORY_LOCKS.projectionRunner} AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY objid`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows.every((r) => r.holders === 1)).toBe(true);
    } finally {
      await client.end();
    }
  });
});
