import { beforeAll, describe, expect, it } from 'vitest';
import { newEvent } from '../../test/contract/event-store.contract.js';
import { usePostgresEventStoreFixture } from '../../test/support/postgres-event-store-fixture.js';

/**
 * Issue 21: the first message of each of 200 pairs, 100 a second while 20,000 people are connected, waited up
 * to seconds: each found its streams out of the command handler's cache and read them, a statement (a write
 * and a wake-up of PostgreSQL) apiece. The stream reads of one turn of the event loop share one statement,
 * each answered as if alone.
 */
describe('PostgresEventStore.readStream, many in one turn', () => {
  const fixture = usePostgresEventStoreFixture();

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) await fixture.store.appendToStream('long', [newEvent('Counted', { i })]);
    await fixture.store.appendToStream('short', [newEvent('Only')]);
    await fixture.store.appendToStream('other', [newEvent('Noise')]);
  });

  const asks: Array<[string, { from?: number; limit?: number }]> = [
    ['long', {}],
    ['long', { from: 5 }],
    ['long', { from: 3, limit: 4 }],
    ['short', {}],
    ['absent', {}],
    ['long', { from: 12 }],
    ['short', { from: 0, limit: 1 }],
  ];

  it('answers the reads of one turn with one statement, each as it would alone', async () => {
    const alone = [];
    for (const [stream, options] of asks) alone.push(await fixture.store.readStream(stream, options));
    expect(alone[0].map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(alone[1].map((e) => e.revision)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(alone[2].map((e) => e.data)).toEqual([{ i: 3 }, { i: 4 }, { i: 5 }, { i: 6 }]);
    expect(alone[3].map((e) => e.type)).toEqual(['Only']);
    expect(alone[4]).toEqual([]);
    expect(alone[5]).toEqual([]);

    let statements = 0;
    const query = fixture.pool.query.bind(fixture.pool);
    fixture.pool.query = ((...args: Parameters<typeof query>) => (statements++, query(...args))) as typeof query;
    try {
      const together = await Promise.all(asks.map(([stream, options]) => fixture.store.readStream(stream, options)));
      expect(together).toEqual(alone);
      expect(statements).toBe(1);
    } finally {
      fixture.pool.query = query;
    }
  });
});
