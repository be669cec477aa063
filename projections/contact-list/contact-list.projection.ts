import { foldBatch } from '../fold.js';
import { PROJECTIONS } from '../names.js';
import { statementFor, writeInOrder, type Projection, type Sql } from '../projection.js';
import { contactListFold, type ContactEntries, type ContactListRow } from './contact-list.fold.js';

const RECORD = `r(user_id uuid, contact_id uuid, peer_id uuid, last_activity_at timestamptz,
  last_read_message_id uuid, peer_last_read_message_id uuid, active_meeting jsonb, removed boolean,
  kind text, title text, member_count integer, role text, members_may_add boolean)`;
const COLUMNS = `user_id, contact_id, peer_id, last_activity_at, last_read_message_id, peer_last_read_message_id, active_meeting, removed,
  kind, title, member_count, role, members_may_add`;

const toRecord = (row: ContactListRow) => ({
  user_id: row.userId,
  contact_id: row.contactId,
  peer_id: row.peerId,
  last_activity_at: row.lastActivityAt,
  last_read_message_id: row.lastReadMessageId,
  peer_last_read_message_id: row.peerLastReadMessageId,
  active_meeting: row.activeMeeting,
  removed: row.removed,
  kind: row.kind,
  title: row.title,
  member_count: row.memberCount,
  role: row.role,
  members_may_add: row.membersMayAdd,
});

/**
 * `contactListFold` over the contacts a batch touches: their entries are read once (or taken from the
 * leader's memory), folded, and the entries that changed are written back with one upsert.
 */
export const contactListProjection: Projection = {
  name: PROJECTIONS.contactList,
  tables: ['contact_list'],
  async apply(sql, events, options) {
    const { created, createdIfAbsent, changed } = await foldBatch(contactListFold, events, (keys) => load(sql, keys), {
      memory: options?.memory,
    });
    const upserts = [
      ...created.flatMap((doc) => doc.rows),
      ...changed.flatMap(({ before, after }) => after.rows.filter((row, i) => row !== before.rows[i])),
    ];
    await writeInOrder(sql, options, [
      statementFor(upserts, () => ({
        text: `INSERT INTO contact_list (${COLUMNS}) SELECT * FROM json_to_recordset($1::json) AS ${RECORD}
         ON CONFLICT (user_id, contact_id) DO UPDATE SET
           peer_id = EXCLUDED.peer_id, last_activity_at = EXCLUDED.last_activity_at,
           last_read_message_id = EXCLUDED.last_read_message_id, peer_last_read_message_id = EXCLUDED.peer_last_read_message_id,
           active_meeting = EXCLUDED.active_meeting, removed = EXCLUDED.removed, kind = EXCLUDED.kind, title = EXCLUDED.title,
           member_count = EXCLUDED.member_count, role = EXCLUDED.role, members_may_add = EXCLUDED.members_may_add`,
        values: [JSON.stringify(upserts.map(toRecord))],
      })),
      statementFor(createdIfAbsent, () => ({
        text: `INSERT INTO contact_list (${COLUMNS}) SELECT * FROM json_to_recordset($1::json) AS ${RECORD} ON CONFLICT DO NOTHING`,
        values: [JSON.stringify(createdIfAbsent.flatMap((doc) => doc.rows).map(toRecord))],
      })),
    ]);
  },
  // Each batch rewrites every entry of every contact it touches: bigger batches, fewer rewrites.
  rebuildBatchSize: 50_000,
};

async function load(sql: Sql, contactIds: string[]): Promise<Map<string, ContactEntries>> {
  const { rows } = await sql.query(
    `SELECT user_id::text, contact_id::text, peer_id::text, last_activity_at::text, last_read_message_id::text,
            peer_last_read_message_id::text, active_meeting, removed, kind, title, member_count, role, members_may_add
     FROM contact_list WHERE contact_id = ANY($1::uuid[]) ORDER BY contact_id, user_id`,
    [contactIds],
  );
  const docs = new Map<string, ContactEntries>();
  for (const r of rows) {
    const row: ContactListRow = {
      userId: r.user_id,
      contactId: r.contact_id,
      peerId: r.peer_id,
      // PostgreSQL's own text: written back unchanged, to the microsecond.
      lastActivityAt: r.last_activity_at,
      lastReadMessageId: r.last_read_message_id,
      peerLastReadMessageId: r.peer_last_read_message_id,
      activeMeeting: r.active_meeting,
      removed: r.removed,
      kind: r.kind,
      title: r.title,
      memberCount: r.member_count,
      role: r.role,
      membersMayAdd: r.members_may_add,
    };
    const doc = docs.get(row.contactId);
    docs.set(row.contactId, { contactId: row.contactId, rows: [...(doc?.rows ?? []), row] });
  }
  return docs;
}
