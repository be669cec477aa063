import { dataOf, occurredAt, text, uuid } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import type { Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { sqlPerEvent } from '../sql-per-event.js';

/**
 * Open contact requests, one row per pair: made by `ContactRequested`, marked by a decline (its requester
 * still sees it as sent), gone once cancelled, accepted or ended. Few events of the log are requests, so SQL
 * per event is enough. Logs from before requests hold none: the table stays empty for them.
 */
export const contactRequestsProjection = sqlPerEvent(
  PROJECTIONS.contactRequests,
  ['contact_requests'],
  async (sql: Sql, event: RecordedDerbelEvent) => {
    switch (event.type) {
      case 'ContactRequested': {
        const d = dataOf(event);
        const message = d.message == null ? null : text(event, d.message, 'message');
        await sql.query(
          `INSERT INTO contact_requests (contact_id, requester_id, recipient_id, message, requested_at, silenced, declined)
         VALUES ($1, $2, $3, $4, $5, $6, false)
         ON CONFLICT (contact_id) DO UPDATE SET requester_id = EXCLUDED.requester_id, recipient_id = EXCLUDED.recipient_id,
           message = EXCLUDED.message, requested_at = EXCLUDED.requested_at, silenced = EXCLUDED.silenced, declined = false`,
          [
            uuid(event, d.contactId, 'contactId'),
            uuid(event, d.requestedBy, 'requestedBy'),
            uuid(event, d.recipientId, 'recipientId'),
            message,
            occurredAt(event),
            d.silenced === true,
          ],
        );
        return;
      }
      case 'ContactRequestDeclined':
        await sql.query('UPDATE contact_requests SET declined = true WHERE contact_id = $1', [
          uuid(event, dataOf(event).contactId, 'contactId'),
        ]);
        return;
      case 'ContactRequestCancelled':
      case 'ContactAdded':
      case 'ContactRemoved':
        await sql.query('DELETE FROM contact_requests WHERE contact_id = $1', [uuid(event, dataOf(event).contactId, 'contactId')]);
        return;
    }
  },
  ['ContactRequested', 'ContactRequestDeclined', 'ContactRequestCancelled', 'ContactAdded', 'ContactRemoved'],
  // Read by contact only: a rebuild builds the by-requester and by-recipient indexes once the replay is done.
  { readsOnlyByKey: true },
);
