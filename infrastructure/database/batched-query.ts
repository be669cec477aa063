import type pg from 'pg';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';

/**
 * A read that many requests make at once (a storm's catch-ups, readers opening conversations): the asks of one
 * turn of the event loop share one statement (`many`, answering each ask in order) instead of a round trip each;
 * a turn with a single ask runs `one`. Per pool, so each database has its own batches.
 */
export function batchedPerPool<Ask, Answer>(
  one: (pool: pg.Pool, ask: Ask) => Promise<Answer>,
  many: (pool: pg.Pool, asks: Ask[]) => Promise<Answer[]>,
): (pool: pg.Pool, ask: Ask) => Promise<Answer> {
  const batchers = new WeakMap<pg.Pool, (ask: Ask) => Promise<Answer>>();
  return (pool, ask) => {
    let batcher = batchers.get(pool);
    if (!batcher) {
      batcher = batchedPerTick(async (asks: Ask[]) => {
        const answers = asks.length === 1 ? [await one(pool, asks[0])] : await many(pool, asks);
        if (answers.length !== asks.length) throw new Error(`batched read: ${answers.length} answers for ${asks.length} asks`);
        return answers.map((value): PromiseSettledResult<Answer> => ({ status: 'fulfilled', value }));
      });
      batchers.set(pool, batcher);
    }
    return batcher(ask);
  };
}
