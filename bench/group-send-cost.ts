import { randomUUID } from 'node:crypto';
import { ContactService } from '../application/contacts/contact-service.js';
import { randomIds, systemClock } from '../application/shared/clock.js';
import { streams } from '../domain/events.js';
import { migrate } from '../infrastructure/database/migrate.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { createTestDatabase } from '../test/support/database.js';
import { seedMessages, timeSends } from './send-cost-support.js';
import type { summarize } from './support.js';

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
    const timeWarmSends = async ({ contactId, sender }: { contactId: string; sender: string }) => {
      await service.sendMessage(sender, contactId, { text: 'warm-up' }, { userId: sender, correlationId: 'bench' });
      return timeSends(service, sender, contactId, sends);
    };

    const results: Record<string, ReturnType<typeof summarize>> = {};
    for (const size of sizes)
      results[size === 2 ? 'direct (2)' : `group of ${size}, empty`] = await timeWarmSends(await conversation(size));
    const big = await conversation(100);
    await seedMessages(pool, big.contactId, big.sender, meta, existing);
    const coldStart = performance.now();
    await service.sendMessage(big.sender, big.contactId, { text: 'first send, cold' }, { userId: big.sender, correlationId: 'bench' });
    const coldFirstSendMs = Math.round(performance.now() - coldStart);
    results[`group of 100 with ${existing.toLocaleString('en')} messages`] = await timeWarmSends(big);
    return { sends, coldFirstSendIntoBigMs: coldFirstSendMs, sendMs: results };
  } finally {
    await store.close();
    await pool.end();
    await db.drop();
  }
}
