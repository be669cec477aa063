import { foldBatch } from '../fold.js';
import { PROJECTIONS } from '../names.js';
import { lastQuery, type ApplyOptions, type Projection, type Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { feedRecipients, isBlockFeedEvent, toBlockFeedEntry, toFeedData } from './feed-entry.js';
import { feedMembersFold, type ContactMembers } from './feed.fold.js';
import type { FeedEntry } from './feed-wire.js';

export type { FeedEntry } from './feed-wire.js';

/** Feed rows carry each event's data: past this many events a statement gets slower per row, not faster. */
const CHUNK = 10_000;

/**
 * What each user may see, in global order: each event of a contact goes to the feeds of the contact's
 * members at that position (`feedMembersFold`; a group's change as its membership events say, so a member
 * who left gets nothing after) as `toFeedData` shapes it, the consent events only to the side they concern
 * (`feedRecipients`); block-list events to the blocker. Returns the rows it inserted, for the socket push.
 */
export const feedProjection: Projection<FeedEntry> = {
  name: PROJECTIONS.feed,
  tables: ['feed', 'feed_contact_members'],
  async apply(sql, events, options) {
    const entries: FeedEntry[] = [];
    for (let i = 0; i < events.length; i += CHUNK) {
      // Only the last chunk's last statement is the batch's last.
      const last = i + CHUNK >= events.length;
      entries.push(...(await applyChunk(sql, events.slice(i, i + CHUNK), last ? options : { ...options, issued: undefined })));
    }
    return entries;
  },
};

async function applyChunk(sql: Sql, events: readonly RecordedDerbelEvent[], options: ApplyOptions = {}): Promise<FeedEntry[]> {
  const feedEvents: Array<{ position: number; type: string; data: object }> = [];
  const recipients: Array<{ user_id: string; position: number }> = [];
  const { created, changed } = await foldBatch(feedMembersFold, events, (keys) => load(sql, keys), {
    memory: options.memory,
    onEvent(event, doc, previous) {
      if (!doc) return;
      const to = feedRecipients(event, doc.members, previous?.members ?? doc.members);
      feedEvents.push({ position: event.position, type: event.type, data: toFeedData(event) });
      for (const userId of to) recipients.push({ user_id: userId, position: event.position });
    },
  });
  for (const event of events) {
    if (!isBlockFeedEvent(event)) continue;
    const { userId, data } = toBlockFeedEntry(event);
    feedEvents.push({ position: event.position, type: event.type, data });
    recipients.push({ user_id: userId, position: event.position });
  }
  const newMembers = [
    ...created.flatMap((doc) => doc.members.map((user_id) => ({ contact_id: doc.contactId, user_id }))),
    ...changed.flatMap(({ before, after }) =>
      after.members.filter((userId) => !before.members.includes(userId)).map((user_id) => ({ contact_id: after.contactId, user_id })),
    ),
  ];
  if (newMembers.length > 0) {
    await sql.query(
      `INSERT INTO feed_contact_members (contact_id, user_id)
       SELECT contact_id, user_id FROM json_to_recordset($1::json) AS r(contact_id uuid, user_id uuid)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(newMembers)],
    );
  }
  const goneMembers = changed.flatMap(({ before, after }) =>
    before.members.filter((userId) => !after.members.includes(userId)).map((user_id) => ({ contact_id: after.contactId, user_id })),
  );
  if (goneMembers.length > 0) {
    await sql.query(
      `DELETE FROM feed_contact_members f USING json_to_recordset($1::json) AS r(contact_id uuid, user_id uuid)
       WHERE f.contact_id = r.contact_id AND f.user_id = r.user_id`,
      [JSON.stringify(goneMembers)],
    );
  }
  if (recipients.length === 0) return [];
  // Each event's data travels once and is joined to its recipients in SQL. Rows can only clash within one
  // user, where position order is kept: grouping by user only makes the index inserts land together.
  const outputs = options.outputs ?? true;
  const { rows: inserted } = await lastQuery<{ user_id: string; position: string }>(sql, options, {
    text: `INSERT INTO feed (user_id, position, type, data)
     SELECT r.user_id, r.position, e.type, e.data
     FROM json_to_recordset($2::json) AS r(user_id uuid, position bigint)
     JOIN json_to_recordset($1::json) AS e(position bigint, type text, data jsonb) USING (position)
     ORDER BY r.user_id, r.position
     ON CONFLICT DO NOTHING ${outputs ? 'RETURNING user_id, position' : ''}`,
    values: [JSON.stringify(feedEvents), JSON.stringify(recipients)],
  });
  const byPosition = new Map(feedEvents.map((e) => [e.position, e]));
  return inserted
    .map(({ user_id, position }) => {
      const { type, data } = byPosition.get(Number(position))!;
      return { userId: user_id, type, position: Number(position), data } as FeedEntry;
    })
    .sort((a, b) => a.position - b.position);
}

async function load(sql: Sql, contactIds: string[]): Promise<Map<string, ContactMembers>> {
  const { rows } = await sql.query<{ contact_id: string; members: string[] }>(
    `SELECT contact_id::text, array_agg(user_id::text ORDER BY user_id) AS members
     FROM feed_contact_members WHERE contact_id = ANY($1::uuid[]) GROUP BY contact_id`,
    [contactIds],
  );
  return new Map(rows.map((r) => [r.contact_id, { contactId: r.contact_id, members: r.members }]));
}
