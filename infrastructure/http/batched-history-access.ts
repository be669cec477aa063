import type pg from 'pg';
import { historyAccess, historyAccessOfMany, type HistoryAccess } from '../../projections/messages/history-access.queries.js';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';

/** Ids as the routes pass them (validated, lower case): any other spelling is asked alone and cannot fail a batch. */
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Ask = { userId: string; contactId: string };
const batchers = new WeakMap<pg.Pool, (ask: Ask) => Promise<HistoryAccess>>();

/**
 * `historyAccess`, the pages asked for in one turn of the event loop sharing one statement (issue 21: readers
 * opening conversations at once share a round trip instead of one each; one snapshot for all of them).
 */
export function readHistoryAccess(pool: pg.Pool, userId: string, contactId: string): Promise<HistoryAccess> {
  if (!UUID_TEXT.test(userId) || !UUID_TEXT.test(contactId)) return historyAccess(pool, userId, contactId);
  let batcher = batchers.get(pool);
  if (!batcher) {
    batcher = batchedPerTick(async (asks: Ask[]) => {
      const answers =
        asks.length === 1 ? [await historyAccess(pool, asks[0].userId, asks[0].contactId)] : await historyAccessOfMany(pool, asks);
      return answers.map((value): PromiseSettledResult<HistoryAccess> => ({ status: 'fulfilled', value }));
    });
    batchers.set(pool, batcher);
  }
  return batcher({ userId, contactId });
}
