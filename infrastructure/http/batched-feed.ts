import type pg from 'pg';
import { feedAfter, feedAfterMany, type FeedAsk, type FeedPage } from '../../projections/feed/feed.queries.js';
import { isCanonicalUuid } from '../../domain/ids.js';
import { batchedPerPool } from '../database/batched-query.js';

const batched = batchedPerPool((pool, ask: FeedAsk) => feedAfter(pool, ask.userId, ask.after, ask.limit), feedAfterMany);

/**
 * `feedAfter`, the catch-ups asked for in one turn of the event loop sharing one statement: after a node dies,
 * its thousands of clients each catch up on the survivor, which made a round trip (a write and a wake-up of
 * PostgreSQL) apiece.
 */
export function readFeedAfter(pool: pg.Pool, userId: string, after: number, limit: number): Promise<FeedPage> {
  // An id in another spelling is asked alone and cannot fail a batch.
  if (!isCanonicalUuid(userId)) return feedAfter(pool, userId, after, limit);
  return batched(pool, { userId, after, limit });
}
