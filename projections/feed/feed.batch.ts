import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { ContactAdded } from '../../domain/contacts/events.js';
import { applyEach, isCanonicalUuid } from '../batch-support.js';
import type { FeedEntry } from './feed.projection.js';
import type { LeaderMemory, Projection, Sql } from '../projection.js';

const CHUNK = 10_000;

/**
 * The feed over a batch: contact membership is folded in memory (starting from the stored members of the
 * contacts the batch touches, or those a leader remembers), then all memberships and all feed rows go in
 * with one insert each.
 */
export async function applyFeedBatch(
  sql: Sql,
  events: RecordedEvent[],
  perEvent: Projection<FeedEntry>,
  timestampField: (type: string) => string,
  outputs = true,
  memory?: LeaderMemory,
): Promise<FeedEntry[]> {
  // Feed rows carry each event's data: past this size the statements get slower per row, not faster.
  if (events.length > CHUNK) {
    const entries: FeedEntry[] = [];
    for (let i = 0; i < events.length; i += CHUNK) entries.push(...(await applyFeedBatch(sql, events.slice(i, i + CHUNK), perEvent, timestampField, outputs, memory)));
    return entries;
  }
  const touched = new Set<string>();
  for (const event of events) {
    const contactId = (event.data as { contactId?: unknown })?.contactId;
    if (typeof contactId !== 'string') continue;
    const members = event.type === 'ContactAdded' ? (event.data as ContactAdded['data']).members : [];
    if (!isCanonicalUuid(contactId) || !Array.isArray(members) || !members.every(isCanonicalUuid)) {
      // The per-event path writes behind the memory's back.
      memory?.clear();
      return applyEach(perEvent, sql, events);
    }
    touched.add(contactId);
  }
  if (touched.size === 0) return [];

  const membersOf = new Map<string, Set<string>>();
  const unknown: string[] = [];
  for (const contactId of touched) {
    const remembered = memory?.get(contactId) as Set<string> | undefined;
    if (remembered) membersOf.set(contactId, remembered);
    else unknown.push(contactId);
  }
  if (unknown.length > 0) {
    const { rows: stored } = await sql.query<{ contact_id: string; user_id: string }>(
      'SELECT contact_id::text, user_id::text FROM feed_contact_members WHERE contact_id = ANY($1::uuid[])',
      [unknown],
    );
    for (const { contact_id, user_id } of stored) membersOf.set(contact_id, (membersOf.get(contact_id) ?? new Set()).add(user_id));
  }

  const newMembers: Array<{ contact_id: string; user_id: string }> = [];
  const feedEvents: Array<{ position: number; type: string; data: Record<string, unknown> }> = [];
  const recipients: Array<{ user_id: string; position: number }> = [];
  const byPosition = new Map<number, { type: string; data: Record<string, unknown> }>();
  for (const event of events) {
    const contactId = (event.data as { contactId?: unknown })?.contactId;
    if (typeof contactId !== 'string') continue;
    let members = membersOf.get(contactId);
    if (!members) membersOf.set(contactId, (members = new Set()));
    // Sets are grown in place below: the memory sees this batch's members, and is dropped if it fails.
    memory?.set(contactId, members);
    if (event.type === 'ContactAdded') {
      for (const userId of (event.data as ContactAdded['data']).members) {
        if (members.has(userId)) continue;
        members.add(userId);
        newMembers.push({ contact_id: contactId, user_id: userId });
      }
    }
    if (members.size === 0) continue;
    const data = { ...(event.data as Record<string, unknown>), [timestampField(event.type)]: event.metadata.timestamp };
    byPosition.set(event.position, { type: event.type, data });
    feedEvents.push({ position: event.position, type: event.type, data });
    for (const userId of members) recipients.push({ user_id: userId, position: event.position });
  }

  if (newMembers.length > 0) {
    await sql.query(
      `INSERT INTO feed_contact_members (contact_id, user_id)
       SELECT contact_id, user_id FROM json_to_recordset($1::json) AS r(contact_id uuid, user_id uuid)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(newMembers)],
    );
  }
  if (recipients.length === 0) return [];
  // Each event's data travels once and is joined to its recipients in SQL. Rows can only clash within one
  // user, where position order is kept: grouping by user only makes the index inserts land together.
  const { rows: inserted } = await sql.query<{ user_id: string; position: string }>(
    `INSERT INTO feed (user_id, position, type, data)
     SELECT r.user_id, r.position, e.type, e.data
     FROM json_to_recordset($2::json) AS r(user_id uuid, position bigint)
     JOIN json_to_recordset($1::json) AS e(position bigint, type text, data jsonb) USING (position)
     ORDER BY r.user_id, r.position
     ON CONFLICT DO NOTHING ${outputs ? 'RETURNING user_id, position' : ''}`,
    [JSON.stringify(feedEvents), JSON.stringify(recipients)],
  );
  return inserted
    .map(({ user_id, position }) => {
      const entry = byPosition.get(Number(position))!;
      return { userId: user_id, type: entry.type, position: Number(position), data: entry.data };
    })
    .sort((a, b) => a.position - b.position);
}
