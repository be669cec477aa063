import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent, Subscription } from '../../application/ports/event-store.js';
import { newEvent } from '../../test/contract/event-store.contract.js';
import { eventually } from '../../test/support/eventually.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../../test/support/postgres-event-store-fixture.js';
import type { PostgresEventStore } from './postgres-event-store.js';

/**
 * Issue 21: an append's NOTIFY carries its events, so a subscriber on another node that is up to date applies
 * them without reading them back (one round trip per append fewer, on every node that projects). Anything it
 * cannot vouch for — a gap before the notice's events, an append too large for a notice — is read, so nothing
 * is skipped, doubled or reordered.
 */
describe('a subscription fed by NOTIFY payloads (PostgreSQL)', () => {
  let fixture: PostgresEventStoreFixture;
  let otherNode: PostgresEventStore;
  let otherPool: pg.Pool;
  let reads = 0;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    const { createPool } = await import('../database/pool.js');
    const { PostgresEventStore } = await import('./postgres-event-store.js');
    otherPool = createPool(fixture.db.url);
    const query = otherPool.query.bind(otherPool) as (...args: unknown[]) => unknown;
    (otherPool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
      if (text.includes('derbel_read_all')) reads++;
      return query(...args);
    };
    otherNode = new PostgresEventStore(otherPool, fixture.db.url);
  });
  afterAll(async () => {
    await otherNode.close();
    await otherPool.end();
    await fixture.teardown();
  });

  /** A subscription on the other node from the head, with everything it yields. */
  async function subscribed() {
    const received: RecordedEvent[] = [];
    const subscription: Subscription = otherNode.subscribeToAll({ after: await fixture.store.headPosition() });
    void (async () => {
      for await (const event of subscription) received.push(event);
    })();
    // Caught up on nothing, listening and asleep on its inbox.
    await new Promise((r) => setTimeout(r, 300));
    return { received, subscription };
  }

  it('applies appends from their notices, exactly as a read gives them, without reading', async () => {
    const { received, subscription } = await subscribed();
    try {
      const before = reads;
      const appended = [];
      for (let i = 0; i < 5; i++) {
        const event = newEvent('Noticed', { n: i, text: 'ü ✓ "quoted"', nested: { list: [1, null, true] } });
        const stream = `n-${randomUUID()}`;
        const { position } = await fixture.store.appendToStream(stream, [event]);
        appended.push({ position, stream, event });
        await eventually(() => received.length === i + 1, { timeoutMs: 2_000 });
      }
      expect(reads - before).toBe(0);
      const read = await fixture.store.readAll({ after: appended[0].position - 1, limit: 5 });
      expect(received).toEqual(read);
      expect(received.map((e) => [e.position, e.streamId, e.id, e.data])).toEqual(
        appended.map((a) => [a.position, a.stream, a.event.id, a.event.data]),
      );
    } finally {
      await subscription.close();
    }
  });

  it('reads what a notice cannot carry (too many events, too large), and what follows a gap', async () => {
    const { received, subscription } = await subscribed();
    try {
      const large = await fixture.store.appendToStream(`l-${randomUUID()}`, [newEvent('Large', { text: 'x'.repeat(9_000) })]);
      const many = await fixture.store.appendToStream(
        `m-${randomUUID()}`,
        Array.from({ length: 40 }, (_, n) => newEvent('Many', { n })),
      );
      // A position taken and never committed (a rolled-back append): the next notice does not follow the last applied.
      await fixture.pool.query("SELECT nextval(pg_get_serial_sequence('events', 'position'))");
      const afterGap = await fixture.store.appendToStream(`g-${randomUUID()}`, [newEvent('AfterGap')]);
      await eventually(() => received.length === 42, { timeoutMs: 5_000 });
      const positions = received.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(42);
      expect(positions[0]).toBe(large.position);
      expect(positions[40]).toBe(many.position);
      expect(positions[41]).toBe(afterGap.position);
      expect(received[0].data).toEqual({ text: 'x'.repeat(9_000) });
    } finally {
      await subscription.close();
    }
  });

  it('interleaved appends from two nodes reach a third subscriber each once and in order', async () => {
    const { received, subscription } = await subscribed();
    try {
      const appends = await Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          (n % 2 ? fixture.store : otherNode).appendToStream(`i-${randomUUID()}`, [newEvent('Interleaved', { n })]),
        ),
      );
      const expected = appends.map((a) => a.position).sort((a, b) => a - b);
      await eventually(() => received.length >= 60, { timeoutMs: 5_000 });
      await new Promise((r) => setTimeout(r, 200));
      expect(received.map((e) => e.position)).toEqual(expected);
    } finally {
      await subscription.close();
    }
  });
});
