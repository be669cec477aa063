import { dataOf, timestamp, uuid } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import { lastQuery, type ApplyOptions, type Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { sqlPerEvent } from '../sql-per-event.js';

/** Whom each user has blocked (`GET /api/blocks`): a row per block, gone when lifted. */
export const blocksProjection = sqlPerEvent(
  PROJECTIONS.blocks,
  ['user_blocks'],
  async (sql: Sql, event: RecordedDerbelEvent, options: ApplyOptions) => {
    if (event.type !== 'UserBlocked' && event.type !== 'UserUnblocked') return;
    const d = dataOf(event);
    const [blockerId, blockedId] = [uuid(event, d.blockerId, 'blockerId'), uuid(event, d.blockedId, 'blockedId')];
    if (event.type === 'UserBlocked') {
      await lastQuery(sql, options, {
        text: 'INSERT INTO user_blocks (blocker_id, blocked_id, blocked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        values: [blockerId, blockedId, timestamp(event, event.data.blockedAt, 'blockedAt')],
      });
    } else {
      await lastQuery(sql, options, {
        text: 'DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2',
        values: [blockerId, blockedId],
      });
    }
  },
  ['UserBlocked', 'UserUnblocked'],
);
