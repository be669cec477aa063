import { dataOf, occurredAt, uuid, uuids } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import type { Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { sqlPerEvent } from '../sql-per-event.js';

const TYPES = ['ContactAdded', 'ContactRemoved', 'GroupCreated', 'GroupMembersAdded', 'GroupMemberRemoved', 'GroupMemberLeft'] as const;
const MINE = new Set<string>(TYPES);

/** New periods for `userIds`, starting after `event`; none for a user whose period is open already. */
async function join(sql: Sql, event: RecordedDerbelEvent, contactId: string, userIds: readonly string[]) {
  await sql.query(
    `INSERT INTO conversation_members (contact_id, user_id, joined_position, joined_revision, joined_at)
     SELECT $1, u, $3, $4, $5 FROM unnest($2::uuid[]) AS u
     WHERE NOT EXISTS (SELECT 1 FROM conversation_members m WHERE m.contact_id = $1 AND m.user_id = u AND m.left_position IS NULL)
     ON CONFLICT DO NOTHING`,
    [contactId, [...new Set(userIds)], event.position, event.revision, occurredAt(event)],
  );
}

/** Ends the open periods of `userIds` (all members when null) at `event`. */
async function leave(sql: Sql, event: RecordedDerbelEvent, contactId: string, userIds: readonly string[] | null) {
  await sql.query(
    `UPDATE conversation_members SET left_position = $3, left_revision = $4
     WHERE contact_id = $1 AND left_position IS NULL AND ($2::uuid[] IS NULL OR user_id = ANY($2::uuid[]))`,
    [contactId, userIds, event.position, event.revision],
  );
}

async function exists(sql: Sql, contactId: string): Promise<boolean> {
  const { rowCount } = await sql.query('SELECT 1 FROM conversation_members WHERE contact_id = $1 LIMIT 1', [contactId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Who may see which part of each conversation: a row per membership period (docs/groups.md, "Read side").
 * A group's periods follow its membership events: a member removed and added again has two, and sees
 * nothing of what happened in between. A direct contact has one period per side from its first
 * `ContactAdded`: a removal ends it, and a new acceptance opens it again, so that the two see their whole
 * history again, as they always have. A conversation's members are set by its first event; a later one
 * naming others (only a corrupt log has one) lets nobody else in.
 */
export const conversationMembersProjection = sqlPerEvent(
  PROJECTIONS.conversationMembers,
  ['conversation_members'],
  async (sql, event) => {
    // A batch holds every kind of event: only the membership ones are read.
    if (!MINE.has(event.type)) return;
    const d = dataOf(event) as Record<string, unknown>;
    const contactId = uuid(event, d.contactId, 'contactId');
    switch (event.type) {
      case 'ContactAdded': {
        const members = uuids(event, d.members, 'members', 2);
        occurredAt(event);
        if (!(await exists(sql, contactId))) return join(sql, event, contactId, members.slice(0, 2));
        await sql.query(
          `UPDATE conversation_members SET left_position = NULL, left_revision = NULL
           WHERE contact_id = $1 AND left_position IS NOT NULL`,
          [contactId],
        );
        return;
      }
      case 'ContactRemoved':
        return leave(sql, event, contactId, null);
      case 'GroupCreated': {
        const members = uuids(event, d.members, 'members', 1);
        occurredAt(event);
        if (!(await exists(sql, contactId))) await join(sql, event, contactId, members);
        return;
      }
      case 'GroupMembersAdded': {
        const userIds = uuids(event, d.userIds, 'userIds', 1);
        occurredAt(event);
        if (await exists(sql, contactId)) await join(sql, event, contactId, userIds);
        return;
      }
      case 'GroupMemberRemoved':
      case 'GroupMemberLeft':
        return leave(sql, event, contactId, [uuid(event, d.userId, 'userId')]);
    }
  },
  TYPES,
);
