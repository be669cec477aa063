import { dataOf, occurredAt, uuid, uuids } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import { statementFor, writeInOrder, type Projection, type Sql } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';

const TYPES = ['ContactAdded', 'ContactRemoved', 'GroupCreated', 'GroupMembersAdded', 'GroupMemberRemoved', 'GroupMemberLeft'] as const;
const MINE = new Set<string>(TYPES);

/** One membership period, as stored (positions and revisions as PostgreSQL's bigint text, or numbers). */
interface Period {
  userId: string;
  joinedPosition: string | number;
  joinedRevision: string | number;
  joinedAt: string;
  leftPosition: string | number | null;
  leftRevision: string | number | null;
}

/** What one membership event does to its conversation's periods (its fields checked before anything is written). */
type Step =
  | { kind: 'start'; users: string[]; onlyIfNone: boolean } // a conversation's first members (ContactAdded reopens otherwise)
  | { kind: 'add'; users: string[] } // members added to an existing group
  | { kind: 'end'; users: string[] | null }; // periods ended (all when null)

function stepOf(event: RecordedDerbelEvent): { contactId: string; step: Step } {
  const d = dataOf(event) as Record<string, unknown>;
  const contactId = uuid(event, d.contactId, 'contactId');
  switch (event.type) {
    case 'ContactAdded': {
      const members = uuids(event, d.members, 'members', 2);
      occurredAt(event);
      return { contactId, step: { kind: 'start', users: members.slice(0, 2), onlyIfNone: false } };
    }
    case 'GroupCreated': {
      const members = uuids(event, d.members, 'members', 1);
      occurredAt(event);
      return { contactId, step: { kind: 'start', users: members, onlyIfNone: true } };
    }
    case 'GroupMembersAdded': {
      const userIds = uuids(event, d.userIds, 'userIds', 1);
      occurredAt(event);
      return { contactId, step: { kind: 'add', users: userIds } };
    }
    case 'ContactRemoved':
      return { contactId, step: { kind: 'end', users: null } };
    default: // GroupMemberRemoved, GroupMemberLeft
      return { contactId, step: { kind: 'end', users: [uuid(event, d.userId, 'userId')] } };
  }
}

/** New periods for `users`, starting after `event`; none for a user whose period is open already. */
function join(periods: Period[], event: RecordedDerbelEvent, users: readonly string[]) {
  for (const userId of new Set(users)) {
    const inAlready = periods.some((p) => p.userId === userId && (p.leftPosition === null || Number(p.joinedPosition) === event.position));
    if (!inAlready)
      periods.push({
        userId,
        joinedPosition: event.position,
        joinedRevision: event.revision,
        joinedAt: occurredAt(event),
        leftPosition: null,
        leftRevision: null,
      });
  }
}

/** The conversation's periods after `step`, changed in place. */
function evolve(periods: Period[], event: RecordedDerbelEvent, step: Step) {
  switch (step.kind) {
    case 'start':
      if (periods.length === 0) return join(periods, event, step.users);
      // A direct contact accepted again: both sides see their whole history again.
      if (!step.onlyIfNone) for (const p of periods) if (p.leftPosition !== null) p.leftPosition = p.leftRevision = null;
      return;
    case 'add':
      if (periods.length > 0) join(periods, event, step.users);
      return;
    case 'end':
      for (const p of periods)
        if (p.leftPosition === null && (step.users === null || step.users.includes(p.userId))) {
          p.leftPosition = event.position;
          p.leftRevision = event.revision;
        }
  }
}

async function loadPeriods(sql: Sql, contactIds: string[]): Promise<Map<string, Period[]>> {
  const { rows } = await sql.query<Period & { contactId: string }>(
    `SELECT contact_id AS "contactId", user_id AS "userId", joined_position AS "joinedPosition", joined_revision AS "joinedRevision",
            joined_at::text AS "joinedAt", left_position AS "leftPosition", left_revision AS "leftRevision"
     FROM conversation_members WHERE contact_id = ANY($1::uuid[])`,
    [contactIds],
  );
  const byContact = new Map<string, Period[]>(contactIds.map((id) => [id, []]));
  for (const { contactId, ...period } of rows) byContact.get(contactId)!.push(period);
  return byContact;
}

/**
 * Who may see which part of each conversation: a row per membership period (docs/groups.md, "Read side").
 * A group's periods follow its membership events: a member removed and added again has two, and sees
 * nothing of what happened in between. A direct contact has one period per side from its first
 * `ContactAdded`: a removal ends it, and a new acceptance opens it again, so that the two see their whole
 * history again, as they always have. A conversation's members are set by its first event; a later one
 * naming others (only a corrupt log has one) lets nobody else in.
 *
 * A batch reads the periods of the conversations it touches in one statement, folds its events over them in
 * order, and writes those conversations' periods back (the ones that had none: inserted only; a group has at
 * most 100 members, so the periods rewritten are few). Where people make their contacts by request,
 * acceptances are most of the log: two statements per event made this the slowest read model to rebuild
 * (BENCHMARKS.md).
 */
export const conversationMembersProjection: Projection = {
  name: PROJECTIONS.conversationMembers,
  tables: ['conversation_members'],
  handles: (event) => MINE.has(event.type),
  async apply(sql, events, options) {
    // A batch holds every kind of event: only the membership ones are read, all checked before anything is written.
    const steps = events.filter((event) => MINE.has(event.type)).map((event) => ({ event, ...stepOf(event) }));
    if (steps.length === 0) return;
    const periods = await loadPeriods(sql, [...new Set(steps.map((s) => s.contactId))]);
    const hadPeriods = [...periods].filter(([, stored]) => stored.length > 0).map(([contactId]) => contactId);
    for (const { event, contactId, step } of steps) evolve(periods.get(contactId)!, event, step);

    const rows = [...periods].flatMap(([contactId, list]) => list.map((p) => ({ contactId, ...p })));
    await writeInOrder(sql, options, [
      statementFor(hadPeriods, () => ({
        text: 'DELETE FROM conversation_members WHERE contact_id = ANY($1::uuid[])',
        values: [hadPeriods],
      })),
      statementFor(rows, () => ({
        text: `INSERT INTO conversation_members (contact_id, user_id, joined_position, joined_revision, joined_at, left_position, left_revision)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::bigint[], $7::bigint[])`,
        values: [
          rows.map((r) => r.contactId),
          rows.map((r) => r.userId),
          rows.map((r) => String(r.joinedPosition)),
          rows.map((r) => String(r.joinedRevision)),
          rows.map((r) => r.joinedAt),
          rows.map((r) => (r.leftPosition === null ? null : String(r.leftPosition))),
          rows.map((r) => (r.leftRevision === null ? null : String(r.leftRevision))),
        ],
      })),
    ]);
  },
};
