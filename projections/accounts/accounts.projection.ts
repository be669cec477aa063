import type { AccountRegistered } from '../../domain/accounts/events.js';
import { applyAccountsBatch } from './accounts.batch.js';
import type { Projection } from '../projection.js';

/** The user directory and the username → user lookup used at sign-in. */
export const accountsProjection: Projection = {
  name: 'accounts',
  tables: ['accounts'],
  async apply(sql, event) {
    if (event.type !== 'AccountRegistered') return;
    const { userId, username, displayName } = event.data as AccountRegistered['data'];
    await sql.query(
      `INSERT INTO accounts (user_id, username, display_name, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO NOTHING`,
      [userId, username, displayName, event.metadata.timestamp],
    );
  },
  applyBatch: applyAccountsBatch,
};
