import { randomUUID } from 'node:crypto';
import { ContactService } from '../application/contacts/contact-service.js';
import { randomIds, systemClock } from '../application/shared/clock.js';
import { streams } from '../domain/events.js';
import { migrate } from '../infrastructure/database/migrate.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { createTestDatabase } from '../test/support/database.js';
import { summarize } from './support.js';

/**
 * Issue 18: the cost of a send into a group must not grow with its size nor with its history. Sends into a
 * direct conversation and into groups of 10, 50 and 100 members, each empty, and into a group of 100 already
 * holding `existing` messages (seeded straight into the log with SQL), through the real handler and event store.
 */
export async function benchGroupSendCost({ sizes = [2, 10, 50, 100], existing = 100_000, sends = 300 } = {}) {
  const db = await createTestDatabase('derbel_bench');
  await migrate(db.url);
  const pool = createPool(db.url);
  const store = new PostgresEventStore(pool, db.url);
  try {
    const meta = { userId: 'bench', correlationId: 'bench', causationId: 'bench', timestamp: new Date().toISOString() };
    const conversation = async (size: number) => {
      const contactId = randomUUID();
      const members = Array.from({ length: size }, () => randomUUID());
      const event =
        size === 2
          ? { type: 'ContactAdded', data: { contactId, kind: 'direct', members, addedBy: members[0] } }
          : {
              type: 'GroupCreated',
              data: {
                contactId,
                kind: 'group',
                title: `group of ${size}`,
                members,
                admins: [members[0]],
                createdBy: members[0],
                membersMayAdd: true,
              },
            };
      await store.appendToStream(streams.contact(contactId), [{ id: randomUUID(), ...event, metadata: meta } as never]);
      return { contactId, sender: members[size - 1] };
    };
    const service = new ContactService(store, null as never, null as never, { clock: systemClock, ids: randomIds, requestCooldownMs: 0 });
    const timeSends = async ({ contactId, sender }: { contactId: string; sender: string }) => {
      const context = { userId: sender, correlationId: 'bench' };
      await service.sendMessage(sender, contactId, { text: 'warm-up' }, context);
      const latencies: number[] = [];
      for (let i = 0; i < sends; i++) {
        const start = performance.now();
        await service.sendMessage(sender, contactId, { text: `hello ${i}` }, context);
        latencies.push(performance.now() - start);
      }
      return summarize(latencies);
    };

    const results: Record<string, ReturnType<typeof summarize>> = {};
    for (const size of sizes) results[size === 2 ? 'direct (2)' : `group of ${size}, empty`] = await timeSends(await conversation(size));
    const big = await conversation(100);
    await pool.query(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
       SELECT $1, i, gen_random_uuid(), 'MessageSent',
              jsonb_build_object('contactId', $2::text, 'messageId', gen_random_uuid(), 'senderId', $3::text, 'text', 'seeded message ' || i),
              $4::jsonb
       FROM generate_series(1, $5) AS i`,
      [streams.contact(big.contactId), big.contactId, big.sender, JSON.stringify(meta), existing],
    );
    const coldStart = performance.now();
    await service.sendMessage(big.sender, big.contactId, { text: 'first send, cold' }, { userId: big.sender, correlationId: 'bench' });
    const coldFirstSendMs = Math.round(performance.now() - coldStart);
    results[`group of 100 with ${existing.toLocaleString('en')} messages`] = await timeSends(big);
    return { sends, coldFirstSendIntoBigMs: coldFirstSendMs, sendMs: results };
  } finally {
    await store.close();
    await pool.end();
    await db.drop();
  }
}
