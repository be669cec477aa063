import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { MessageEdited, MessageSent } from '../../domain/contacts/events.js';
import { applyEach, isCanonicalUuid } from '../batch-support.js';
import type { Projection, Sql } from '../projection.js';

interface MessageChange {
  contact_id: string;
  id: string;
  set_text: boolean;
  text: string | null;
  set_edited: boolean;
  edited_at: string | null;
  deleted: boolean;
}

/**
 * The messages projection over a batch: one multi-row insert of the sends, then one update carrying each
 * message's net change. Edits and deletes only assign columns, so the last assignment of each column wins,
 * exactly as when they run one by one. A change that precedes its message's send in the same batch (never
 * produced by the decider) would see a different row set, so such a batch takes the per-event path.
 */
export async function applyMessagesBatch(sql: Sql, events: RecordedEvent[], perEvent: Projection): Promise<void> {
  const sends: object[] = [];
  const firstSend = new Map<string, number>();
  const changes = new Map<string, MessageChange>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event.type !== 'MessageSent' && event.type !== 'MessageEdited' && event.type !== 'MessageDeleted') continue;
    const d = event.data as { contactId: unknown; messageId: unknown };
    if (!isCanonicalUuid(d.contactId) || !isCanonicalUuid(d.messageId)) return void (await applyEach(perEvent, sql, events));
    const key = `${d.contactId}/${d.messageId}`;
    const at = event.metadata.timestamp;
    if (event.type === 'MessageSent') {
      const s = event.data as MessageSent['data'];
      sends.push({ contact_id: s.contactId, seq: event.revision, id: s.messageId, sender_id: s.senderId, text: s.text, sent_at: at });
      if (!firstSend.has(key)) firstSend.set(key, i);
      continue;
    }
    const change = changes.get(key) ?? { contact_id: d.contactId, id: d.messageId, set_text: false, text: null, set_edited: false, edited_at: null, deleted: false };
    changes.set(key, change);
    if (event.type === 'MessageEdited') {
      change.set_text = true;
      change.text = (event.data as MessageEdited['data']).text ?? null;
      change.set_edited = true;
      change.edited_at = at ?? null;
    } else {
      change.set_text = true;
      change.text = null;
      change.deleted = true;
    }
  }
  for (let i = 0; i < events.length; i++) {
    const d = events[i].data as { contactId?: string; messageId?: string };
    if (events[i].type === 'MessageEdited' || events[i].type === 'MessageDeleted') {
      const sentAt = firstSend.get(`${d.contactId}/${d.messageId}`);
      if (sentAt !== undefined && sentAt > i) return void (await applyEach(perEvent, sql, events));
    }
  }
  if (sends.length > 0) {
    // Rows can only clash within one contact, where the original order is kept: grouping by contact only
    // makes the index inserts land together.
    await sql.query(
      `INSERT INTO messages (contact_id, seq, id, sender_id, text, sent_at)
       SELECT contact_id, seq, id, sender_id, text, sent_at
       FROM ROWS FROM (json_to_recordset($1::json) AS (contact_id uuid, seq bigint, id uuid, sender_id uuid, text text, sent_at timestamptz))
         WITH ORDINALITY AS r(contact_id, seq, id, sender_id, text, sent_at, n)
       ORDER BY contact_id, n
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(sends)],
    );
  }
  if (changes.size > 0) {
    await sql.query(
      `UPDATE messages m SET
         text = CASE WHEN c.set_text THEN c.text ELSE m.text END,
         edited_at = CASE WHEN c.set_edited THEN c.edited_at ELSE m.edited_at END,
         deleted = m.deleted OR c.deleted
       FROM json_to_recordset($1::json) AS c(contact_id uuid, id uuid, set_text boolean, text text, set_edited boolean, edited_at timestamptz, deleted boolean)
       WHERE m.contact_id = c.contact_id AND m.id = c.id`,
      [JSON.stringify([...changes.values()])],
    );
  }
}
