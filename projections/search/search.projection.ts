import { foldBatch } from '../fold.js';
import { messagesFold, type MessageRow } from '../messages/messages.fold.js';
import { PROJECTIONS } from '../names.js';
import { statementFor, writeInOrder, type Projection, type Sql } from '../projection.js';

const COLUMNS = 'contact_id uuid, id uuid, seq bigint, sender_id uuid, sent_at timestamptz, edited_at timestamptz, text text';
// A deleted message keeps its row without text: its document is then empty, and nothing finds it.
const toRecord = (m: MessageRow) => ({
  contact_id: m.contactId,
  id: m.id,
  seq: m.seq,
  sender_id: m.senderId,
  sent_at: m.sentAt,
  edited_at: m.editedAt,
  text: m.deleted ? null : m.text,
});

/**
 * The search index (`message_search`, migration 014): the messages' own fold — a message is what the history
 * shows, so it is found as the history shows it — written as text whose `tsvector` PostgreSQL keeps.
 * Edits re-index (the generated document follows the text); deletions empty it. Sends alone are never read.
 */
export const searchProjection: Projection = {
  name: PROJECTIONS.search,
  tables: ['message_search'],
  // Rows are read by their key only: a rebuild builds the other indexes (the document's GIN…) once, after the replay.
  readsOnlyByKey: true,
  // Reactions change nothing a search finds.
  handles: (event) => messagesFold.handles(event) && event.type !== 'ReactionAdded' && event.type !== 'ReactionRemoved',
  async apply(sql, events, options) {
    const { created, createdIfAbsent, changed } = await foldBatch(messagesFold, events, (keys) => load(sql, keys));
    const inserts = [...created, ...createdIfAbsent];
    await writeInOrder(sql, options, [
      statementFor(inserts, () => ({
        text: `INSERT INTO message_search (contact_id, id, seq, sender_id, sent_at, edited_at, text)
         SELECT contact_id, id, seq, sender_id, sent_at, edited_at, text FROM json_to_recordset($1::json) AS r(${COLUMNS})
         ON CONFLICT DO NOTHING`,
        values: [JSON.stringify(inserts.map(toRecord))],
      })),
      statementFor(changed, () => ({
        text: `UPDATE message_search s SET text = c.text, edited_at = c.edited_at
         FROM json_to_recordset($1::json) AS c(${COLUMNS})
         WHERE s.contact_id = c.contact_id AND s.id = c.id`,
        values: [JSON.stringify(changed.map(({ after }) => toRecord(after)))],
      })),
    ]);
  },
};

/** Rows as the fold knows them; a row without text is a deleted message. */
async function load(sql: Sql, keys: string[]): Promise<Map<string, MessageRow>> {
  const pairs = keys.map((key) => {
    const [contact_id, id] = key.split('/');
    return { contact_id, id };
  });
  const { rows } = await sql.query(
    `SELECT s.contact_id::text, s.id::text, s.seq, s.sender_id::text, s.sent_at::text, s.edited_at::text, s.text
     FROM json_to_recordset($1::json) AS k(contact_id uuid, id uuid) JOIN message_search s USING (contact_id, id)`,
    [JSON.stringify(pairs)],
  );
  return new Map(
    rows.map((r) => [
      `${r.contact_id}/${r.id}`,
      {
        contactId: r.contact_id,
        id: r.id,
        seq: Number(r.seq),
        senderId: r.sender_id,
        text: r.text,
        sentAt: r.sent_at,
        editedAt: r.edited_at,
        deleted: r.text === null,
        attachments: [],
        replyTo: null,
        reactions: [],
      },
    ]),
  );
}
