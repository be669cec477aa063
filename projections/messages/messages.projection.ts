import { foldBatch } from '../fold.js';
import { PROJECTIONS } from '../names.js';
import { writeInOrder, type Projection, type Sql, type Statement } from '../projection.js';
import { messagesFold, type MessageRow } from './messages.fold.js';

const COLUMNS =
  'contact_id uuid, seq bigint, id uuid, sender_id uuid, text text, sent_at timestamptz, edited_at timestamptz, deleted boolean, attachments jsonb, reply_to uuid, reactions jsonb';
const toRecord = (m: MessageRow) => ({
  contact_id: m.contactId,
  seq: m.seq,
  id: m.id,
  sender_id: m.senderId,
  text: m.text,
  sent_at: m.sentAt,
  edited_at: m.editedAt,
  deleted: m.deleted,
  // NULL when none: most messages carry no file.
  attachments: m.attachments.length > 0 ? m.attachments : null,
  reply_to: m.replyTo,
  reactions: m.reactions.length > 0 ? m.reactions : null,
});

/** Message history per contact: `messagesFold` over the rows a batch touches. Sends alone are never read. */
export const messagesProjection: Projection = {
  name: PROJECTIONS.messages,
  tables: ['messages', 'message_versions'],
  async apply(sql, events, options) {
    const versions = new Map<string, { changes: number; position: number }>();
    const { created, createdIfAbsent, changed } = await foldBatch(messagesFold, events, (keys) => load(sql, keys), {
      onEvent: (event, row, previous) => {
        // Every event on a known message counts, changed or not: that way the counts do not depend on how
        // the log was cut into batches (a retried send is a change when alone in its batch, not beside the first).
        const message = row ?? previous;
        if (message !== null) countChange(versions, message.contactId, event.position);
      },
    });
    const writes = [insertMessages([...created, ...createdIfAbsent]), updateMessages(changed.map(({ after }) => after))].filter(
      (statement) => statement !== null,
    );
    // The conversations' version counts ride along with the batch's first write to `messages`, in one
    // statement (a data-modifying CTE): a send's batch is then one round trip before the commit, not two.
    const versionsWrite = versionsUpsert(versions);
    if (versionsWrite && writes.length > 0) writes[0] = withFirst(versionsWrite, writes[0]);
    else if (versionsWrite) writes.push(versionsWrite(1));
    await writeInOrder(sql, options, writes);
  },
};

function insertMessages(inserts: MessageRow[]): Statement | null {
  if (inserts.length === 0) return null;
  // Rows can only clash within one contact, where the original order is kept: grouping by contact only
  // makes the index inserts land together.
  return {
    text: `INSERT INTO messages (contact_id, seq, id, sender_id, text, sent_at, edited_at, deleted, attachments, reply_to, reactions)
     SELECT contact_id, seq, id, sender_id, text, sent_at, edited_at, deleted, attachments, reply_to, reactions
     FROM ROWS FROM (json_to_recordset($1::json) AS (${COLUMNS}))
       WITH ORDINALITY AS r(contact_id, seq, id, sender_id, text, sent_at, edited_at, deleted, attachments, reply_to, reactions, n)
     ORDER BY contact_id, n
     ON CONFLICT DO NOTHING`,
    values: [JSON.stringify(inserts.map(toRecord))],
  };
}

function updateMessages(changed: MessageRow[]): Statement | null {
  if (changed.length === 0) return null;
  return {
    text: `UPDATE messages m SET text = c.text, edited_at = c.edited_at, deleted = c.deleted, attachments = c.attachments,
       reactions = c.reactions
     FROM json_to_recordset($1::json) AS c(${COLUMNS})
     WHERE m.contact_id = c.contact_id AND m.id = c.id`,
    values: [JSON.stringify(changed.map(toRecord))],
  };
}

/** `write` with `cte` run as part of it (its parameters numbered after `write`'s). */
function withFirst(cte: (from: number) => Statement, write: Statement): Statement {
  const { text, values } = cte(write.values.length + 1);
  return { text: `WITH versions AS (${text}) ${write.text}`, values: [...write.values, ...values] };
}

/**
 * `message_versions`: each conversation whose messages the batch's events concern, by how many events and the
 * newest position (what a node's history page cache checks, `history-page-cache.ts`). Counted from the fold's
 * own results, so the ids are not parsed a second time; an event on no known message changes no page.
 */
function countChange(versions: Map<string, { changes: number; position: number }>, contactId: string, position: number) {
  const counted = versions.get(contactId);
  if (counted) {
    counted.changes++;
    counted.position = Math.max(counted.position, position);
  } else versions.set(contactId, { changes: 1, position });
}

/** The upsert of `message_versions`, its parameters numbered from `from`; null when the batch changed none. */
function versionsUpsert(versions: Map<string, { changes: number; position: number }>): ((from: number) => Statement) | null {
  if (versions.size === 0) return null;
  const counts = [...versions.values()];
  const values = [[...versions.keys()], counts.map((c) => c.changes), counts.map((c) => c.position)];
  return (from) => ({
    text: `INSERT INTO message_versions (contact_id, changes, position)
     SELECT * FROM unnest($${from}::uuid[], $${from + 1}::bigint[], $${from + 2}::bigint[])
     ON CONFLICT (contact_id) DO UPDATE SET changes = message_versions.changes + EXCLUDED.changes,
       position = GREATEST(message_versions.position, EXCLUDED.position)`,
    values,
  });
}

async function load(sql: Sql, keys: string[]): Promise<Map<string, MessageRow>> {
  const pairs = keys.map((key) => {
    const [contact_id, id] = key.split('/');
    return { contact_id, id };
  });
  const { rows } = await sql.query(
    `SELECT m.contact_id::text, m.seq, m.id::text, m.sender_id::text, m.text, m.sent_at::text, m.edited_at::text, m.deleted, m.attachments,
       m.reply_to::text, m.reactions
     FROM json_to_recordset($1::json) AS k(contact_id uuid, id uuid) JOIN messages m USING (contact_id, id)`,
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
        // PostgreSQL's own text: written back unchanged, to the microsecond.
        sentAt: r.sent_at,
        editedAt: r.edited_at,
        deleted: r.deleted,
        attachments: r.attachments ?? [],
        replyTo: r.reply_to,
        reactions: r.reactions ?? [],
      },
    ]),
  );
}
