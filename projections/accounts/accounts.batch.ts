import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { AccountRegistered } from '../../domain/accounts/events.js';
import type { Sql } from '../projection.js';

/** The accounts projection over a batch: one multi-row insert, first registration of a user id wins. */
export async function applyAccountsBatch(sql: Sql, events: RecordedEvent[]): Promise<void> {
  const rows = events
    .filter((event) => event.type === 'AccountRegistered')
    .map((event) => {
      const { userId, username, displayName } = event.data as AccountRegistered['data'];
      return { user_id: userId, username, display_name: displayName, registered_at: event.metadata.timestamp };
    });
  if (rows.length === 0) return;
  await sql.query(
    `INSERT INTO accounts (user_id, username, display_name, registered_at)
     SELECT user_id, username, display_name, registered_at
     FROM ROWS FROM (json_to_recordset($1::json) AS (user_id uuid, username text, display_name text, registered_at timestamptz))
       WITH ORDINALITY AS r(user_id, username, display_name, registered_at, n)
     ORDER BY n
     ON CONFLICT (user_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
