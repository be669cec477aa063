import type pg from 'pg';
import { historyAccess, historyAccessOfMany, type HistoryAccess } from '../../projections/messages/history-access.queries.js';
import { isCanonicalUuid } from '../../domain/ids.js';
import { batchedPerPool } from '../database/batched-query.js';

const batched = batchedPerPool(
  (pool, ask: { userId: string; contactId: string }) => historyAccess(pool, ask.userId, ask.contactId),
  historyAccessOfMany,
);

/**
 * `historyAccess`, the pages asked for in one turn of the event loop sharing one statement (issue 21: readers
 * opening conversations at once share a round trip instead of one each; one snapshot for all of them).
 */
export function readHistoryAccess(pool: pg.Pool, userId: string, contactId: string): Promise<HistoryAccess> {
  // Ids as the routes pass them are canonical; any other spelling is asked alone and cannot fail a batch.
  if (!isCanonicalUuid(userId) || !isCanonicalUuid(contactId)) return historyAccess(pool, userId, contactId);
  return batched(pool, { userId, contactId });
}
