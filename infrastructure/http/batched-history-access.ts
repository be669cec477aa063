import type pg from 'pg';
import { historyAccess, historyAccessOfMany, type HistoryAccess } from '../../projections/messages/history-access.queries.js';
import { isCanonicalUuid } from '../../domain/ids.js';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';

type Ask = { userId: string; contactId: string };
const batchers = new WeakMap<pg.Pool, (ask: Ask) => Promise<HistoryAccess>>();

/**
 * `historyAccess`, the pages asked for in one turn of the event loop sharing one statement (issue 21: readers
 * opening conversations at once share a round trip instead of one each; one snapshot for all of them).
 */
export function readHistoryAccess(pool: pg.Pool, userId: string, contactId: string): Promise<HistoryAccess> {
  // Ids as the routes pass them are canonical; any other spelling is asked alone and cannot fail a batch.
  if (!isCanonicalUuid(userId) || !isCanonicalUuid(contactId)) return historyAccess(pool, userId, contactId);
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
