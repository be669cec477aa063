import { randomUUID } from 'node:crypto';
import { ContactService } from '../application/contacts/contact-service.js';
import { randomIds, systemClock } from '../application/shared/clock.js';
import { streams } from '../domain/events.js';
import { migrate } from '../infrastructure/database/migrate.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { createTestDatabase } from '../test/support/database.js';
import { seedMessages, timeSends } from './send-cost-support.js';

/**
 * The cost of SendMessage must not grow with the conversation: compare an empty conversation with one
 * already holding `existing` messages (seeded straight into the log with SQL).
 */
export async function benchCommandCost({ existing = 100_000, sends = 500 } = {}) {
  const db = await createTestDatabase('derbel_bench');
  await migrate(db.url);
  const pool = createPool(db.url);
  const store = new PostgresEventStore(pool, db.url);
  try {
    const [a, b] = [randomUUID(), randomUUID()];
    const meta = { userId: a, correlationId: 'bench', causationId: 'bench', timestamp: new Date().toISOString() };
    const addContact = async () => {
      const contactId = randomUUID();
      await store.appendToStream(streams.contact(contactId), [
        { id: randomUUID(), type: 'ContactAdded', data: { contactId, kind: 'direct', members: [a, b], addedBy: a }, metadata: meta },
      ]);
      return contactId;
    };
    const empty = await addContact();
    const big = await addContact();
    await seedMessages(pool, big, a, meta, existing);

    const service = new ContactService(store, null as never, null as never, { clock: systemClock, ids: randomIds, requestCooldownMs: 0 });
    const context = { userId: a, correlationId: 'bench' };
    const coldStart = performance.now();
    await service.sendMessage(a, big, { text: 'first send, cold cache' }, context);
    const coldFirstSendMs = Math.round(performance.now() - coldStart);
    const intoEmpty = await timeSends(service, a, empty, sends);
    const intoBig = await timeSends(service, a, big, sends);
    return {
      existingMessages: existing,
      sends,
      coldFirstSendIntoBigMs: coldFirstSendMs,
      sendIntoEmptyMs: intoEmpty,
      sendIntoBigMs: intoBig,
    };
  } finally {
    await store.close();
    await pool.end();
    await db.drop();
  }
}
