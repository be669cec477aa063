import { foldBatch } from '../fold.js';
import { PROJECTIONS } from '../names.js';
import { lastQuery, type Projection } from '../projection.js';
import { accountsFold } from './accounts.fold.js';

/** The user directory and the username → user lookup used at sign-in: `accountsFold`, never read back. */
export const accountsProjection: Projection = {
  name: PROJECTIONS.accounts,
  tables: ['accounts'],
  readsOnlyByKey: true,
  async apply(sql, events, options) {
    const { createdIfAbsent } = await foldBatch(accountsFold, events, async () => new Map());
    if (createdIfAbsent.length === 0) return;
    await lastQuery(sql, options, {
      text: `INSERT INTO accounts (user_id, username, display_name, registered_at)
       SELECT user_id, username, display_name, registered_at
       FROM ROWS FROM (json_to_recordset($1::json) AS (user_id uuid, username text, display_name text, registered_at timestamptz))
         WITH ORDINALITY AS r(user_id, username, display_name, registered_at, n)
       ORDER BY n
       ON CONFLICT (user_id) DO NOTHING`,
      values: [
        JSON.stringify(
          createdIfAbsent.map((a) => ({
            user_id: a.userId,
            username: a.username,
            display_name: a.displayName,
            registered_at: a.registeredAt,
          })),
        ),
      ],
    });
  },
};
