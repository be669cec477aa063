import { dataOf, occurredAt, text, uuid } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import { statementFor, writeInOrder, type Projection } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';

const TYPES = new Set(['ContactRequested', 'ContactRequestDeclined', 'ContactRequestCancelled', 'ContactAdded', 'ContactRemoved']);

interface RequestRow {
  contactId: string;
  requesterId: string;
  recipientId: string;
  message: string | null;
  requestedAt: string;
  silenced: boolean;
  declined: boolean;
}

/** What a batch leaves of one pair's request: a row to write, a stored row to mark declined, or nothing. */
type Outcome = { kind: 'row'; row: RequestRow } | { kind: 'declined' } | { kind: 'gone' };

/** Each pair's outcome after the batch's events in order (throws `MalformedEventError` before anything is written). */
function outcomes(events: readonly RecordedDerbelEvent[]): Map<string, Outcome> {
  const byPair = new Map<string, Outcome>();
  for (const event of events) {
    if (!TYPES.has(event.type)) continue;
    const d = dataOf(event) as Record<string, unknown>;
    const contactId = uuid(event, d.contactId, 'contactId');
    const before = byPair.get(contactId);
    switch (event.type) {
      case 'ContactRequested':
        byPair.set(contactId, {
          kind: 'row',
          row: {
            contactId,
            requesterId: uuid(event, d.requestedBy, 'requestedBy'),
            recipientId: uuid(event, d.recipientId, 'recipientId'),
            message: d.message == null ? null : text(event, d.message, 'message'),
            requestedAt: occurredAt(event),
            silenced: d.silenced === true,
            declined: false,
          },
        });
        break;
      case 'ContactRequestDeclined':
        // A request gone earlier in the batch stays gone: there is no row to mark.
        if (before?.kind === 'row') byPair.set(contactId, { kind: 'row', row: { ...before.row, declined: true } });
        else if (before === undefined) byPair.set(contactId, { kind: 'declined' });
        break;
      default: // cancelled, accepted, or the contact ended
        byPair.set(contactId, { kind: 'gone' });
    }
  }
  return byPair;
}

/**
 * Open contact requests, one row per pair: made by `ContactRequested`, marked by a decline (its requester
 * still sees it as sent), gone once cancelled, accepted or ended. Logs from before requests hold none: the
 * table stays empty for them. A batch is folded in memory to each pair's outcome and written with at most
 * three statements: where people make their contacts by request, requests and acceptances are most of the
 * log, and a statement per event made this the slowest read model to rebuild (BENCHMARKS.md).
 */
export const contactRequestsProjection: Projection = {
  name: PROJECTIONS.contactRequests,
  tables: ['contact_requests'],
  // Read by contact only: a rebuild builds the by-requester and by-recipient indexes once the replay is done.
  readsOnlyByKey: true,
  handles: (event) => TYPES.has(event.type),
  async apply(sql, events, options) {
    const rows: RequestRow[] = [];
    const declined: string[] = [];
    const gone: string[] = [];
    for (const [contactId, outcome] of outcomes(events)) {
      if (outcome.kind === 'row') rows.push(outcome.row);
      else if (outcome.kind === 'declined') declined.push(contactId);
      else gone.push(contactId);
    }
    await writeInOrder(sql, options, [
      statementFor(gone, () => ({ text: 'DELETE FROM contact_requests WHERE contact_id = ANY($1::uuid[])', values: [gone] })),
      statementFor(declined, () => ({
        text: 'UPDATE contact_requests SET declined = true WHERE contact_id = ANY($1::uuid[])',
        values: [declined],
      })),
      statementFor(rows, () => ({
        text: `INSERT INTO contact_requests (contact_id, requester_id, recipient_id, message, requested_at, silenced, declined)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::bool[], $7::bool[])
         ON CONFLICT (contact_id) DO UPDATE SET requester_id = EXCLUDED.requester_id, recipient_id = EXCLUDED.recipient_id,
           message = EXCLUDED.message, requested_at = EXCLUDED.requested_at, silenced = EXCLUDED.silenced,
           declined = EXCLUDED.declined`,
        values: [
          rows.map((r) => r.contactId),
          rows.map((r) => r.requesterId),
          rows.map((r) => r.recipientId),
          rows.map((r) => r.message),
          rows.map((r) => r.requestedAt),
          rows.map((r) => r.silenced),
          rows.map((r) => r.declined),
        ],
      })),
    ]);
  },
};
