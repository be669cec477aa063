import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ContactAdded, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingStarted } from '../../domain/meetings/events.js';
import {
  expectParked,
  expectRows,
  projectionSpec,
  useProjectionDatabase,
  type Expectation,
} from '../../test/support/projection-specification.js';
import { contactStream, groupStream, meetingStream, TestLog } from '../../test/support/recorded-events.js';
import { messagesProjection } from '../messages/messages.projection.js';
import type { Projection } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { listContacts } from './contact-list.queries.js';
import { contactListProjection } from './contact-list.projection.js';

/**
 * The contact list on real PostgreSQL: per user, each contact with its peer, read markers, active meeting
 * and last activity; the last message is read from the history (`contactListFold` over both members' entries of the contacts a batch
 * touches). Each `when` runs as one batch and as batches of one (projection-specification.ts).
 */
describe('contact list read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(contactListProjection, db);
  const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];

  type Changes = Record<string, unknown>;

  /** Both members' entries of the contact `added` created, with `changes` (for both) and `mine` (per user) on top. */
  const entries = (added: RecordedDerbelEvent, changes: Changes = {}, mine: Record<string, Changes> = {}) => {
    const { contactId, members } = added.data as ContactAdded['data'];
    const entry = (userId: string, peerId: string) => ({
      user_id: userId,
      contact_id: contactId,
      peer_id: peerId,
      last_activity_at: added.metadata.timestamp,
      last_read_message_id: null,
      peer_last_read_message_id: null,
      active_meeting: null,
      removed: false,
      kind: 'direct',
      title: null,
      member_count: 2,
      role: 'member',
      members_may_add: false,
      ...changes,
      ...mine[userId],
    });
    return [entry(members[0], members[1]), entry(members[1], members[0])];
  };

  /** The last message as a `MessageSent` makes it. */
  const lastMessage = (sent: RecordedDerbelEvent, changes: Changes = {}) => {
    const d = sent.data as MessageSent['data'];
    return {
      id: d.messageId,
      senderId: d.senderId,
      text: d.text,
      sentAt: sent.metadata.timestamp,
      editedAt: null,
      deleted: false,
      attachments: [],
      replyTo: null,
      reactions: [],
      ...changes,
    };
  };
  const idOf = (sent: RecordedDerbelEvent) => (sent.data as MessageSent['data']).messageId;

  describe('contacts', () => {
    it('a contact added is an entry for each member, its peer the other, active since it was added', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      await spec()
        .given()
        .when(added)
        .then(expectRows('contact_list', entries(added)));
    });

    it('a second ContactAdded of the same contact (a legacy log) changes nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      await spec()
        .given(added)
        .when(c.added(ben, ana))
        .then(expectRows('contact_list', entries(added)));
      await spec()
        .given()
        .when(added, c.added(ben, ana))
        .then(expectRows('contact_list', entries(added)));
    });

    it('events of a contact that was never added create nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const sent = c.sent(ana, 'anyone?');
      await spec()
        .given()
        .when(sent, c.read(ben, idOf(sent)), meetingStream(log, c.contactId).started(ana, ben))
        .then(expectRows('contact_list', []));
    });
  });

  describe('consent (issue 17)', () => {
    it('a request makes no entry; its acceptance does, active since accepted', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const requested = c.requested(ana, ben, { message: 'hi' });
      await spec().given().when(requested).then(expectRows('contact_list', []));
      const accepted = c.added(ben, ana);
      await spec()
        .given()
        .when(requested, accepted)
        .then(expectRows('contact_list', entries(accepted)));
    });

    it('a removal (or block) hides both entries, read markers kept; a new acceptance shows them again, on top', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const sent = c.sent(ana, 'hi');
      const read = c.read(ben, idOf(sent));
      const markers = { [ben]: { last_read_message_id: idOf(sent) }, [ana]: { peer_last_read_message_id: idOf(sent) } };
      const atSent = { last_activity_at: sent.metadata.timestamp };
      for (const reason of ['removed', 'blocked'] as const) {
        const removed = c.removed(ben, reason);
        await spec()
          .given(added, sent, read)
          .when(removed)
          .then(expectRows('contact_list', entries(added, { ...atSent, removed: true }, markers)));
        const [again, accepted] = [c.requested(ana, ben), c.added(ben, ana)];
        await spec()
          .given(added, sent, read)
          .when(removed, again, accepted)
          .then(expectRows('contact_list', entries(added, { last_activity_at: accepted.metadata.timestamp }, markers)));
      }
    });

    it('lists only accepted contacts: removed ones are left out', async () => {
      const log = new TestLog();
      const [c1, c2] = [contactStream(log), contactStream(log)];
      const listed: Expectation<any> = {
        async check({ pool }) {
          expect((await listContacts(pool, ana)).map((c) => c.id)).toEqual([c2.contactId]);
          expect(await listContacts(pool, ben)).toEqual([]);
        },
      };
      await spec().given().when(c1.added(ana, ben), c2.added(ana, eve), c1.removed(ana)).then(listed);
    });

    it('a log of the old shape (ContactAdded alone) rebuilds to the same lists as one with requests', async () => {
      const rowsOf = async (events: RecordedDerbelEvent[]) => {
        let rows: unknown;
        await spec()
          .given()
          .when(...events)
          .then({
            async check({ pool }) {
              rows = (
                await pool.query(
                  'SELECT user_id, contact_id, peer_id, last_read_message_id, peer_last_read_message_id, active_meeting, removed FROM contact_list ORDER BY user_id, contact_id',
                )
              ).rows;
            },
          });
        return rows;
      };
      const [contactA, contactB, messageId] = [randomUUID(), randomUUID(), randomUUID()];
      const build = (withRequests: boolean) => {
        const log = new TestLog();
        const [c1, c2] = [contactStream(log, contactA), contactStream(log, contactB)];
        const events: RecordedDerbelEvent[] = [];
        if (withRequests) events.push(c1.requested(ben, ana));
        events.push(c1.added(ana, ben));
        if (withRequests) events.push(c2.requested(eve, ana));
        events.push(c2.added(ana, eve));
        const sent = c1.sent(ben, 'hello', messageId);
        events.push(sent, c1.read(ana, idOf(sent)));
        return events;
      };
      const oldShape = await rowsOf(build(false));
      expect(oldShape).toHaveLength(4);
      expect(oldShape).toEqual(await rowsOf(build(true)));
    });
  });

  describe('last message and activity', () => {
    /** The list as the API reads it: the last message is the newest row of the history (`listContacts`). */
    const withHistory: Projection = {
      name: 'contact_list_with_history',
      tables: [...contactListProjection.tables, ...messagesProjection.tables],
      async apply(sql, events, options) {
        await messagesProjection.apply(sql, events);
        await contactListProjection.apply(sql, events, options);
      },
    };
    const listSpec = () => projectionSpec(withHistory, db);
    /** What both members see as the last message of the contact `added` created. */
    const lastMessageIs = (added: RecordedDerbelEvent, expected: Record<string, unknown> | null): Expectation<any> => ({
      async check({ pool }) {
        const { contactId, members } = added.data as ContactAdded['data'];
        for (const userId of members) {
          const item = (await listContacts(pool, userId)).find((contact) => contact.id === contactId);
          expect(item?.lastMessage, `${userId}'s last message`).toEqual(expected);
        }
      },
    });

    it('each message becomes both members’ last message and moves their activity', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const first = c.sent(ana, 'hi');
      const second = c.sent(ben, 'hello ana');
      await listSpec()
        .given(added)
        .when(first, second)
        .then(
          expectRows('contact_list', entries(added, { last_activity_at: second.metadata.timestamp })),
          lastMessageIs(added, lastMessage(second)),
        );
    });

    it('the sender’s edit of the last message changes its text and editedAt, not the activity', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const sent = c.sent(ana, 'helo');
      const edit = c.edited(ana, idOf(sent), 'hello');
      await listSpec()
        .given(added, sent)
        .when(edit)
        .then(
          expectRows('contact_list', entries(added, { last_activity_at: sent.metadata.timestamp })),
          lastMessageIs(added, lastMessage(sent, { text: 'hello', editedAt: edit.metadata.timestamp })),
        );
    });

    it('the sender’s delete of the last message leaves a tombstone', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const sent = c.sent(ana, 'oops');
      await listSpec()
        .given(added)
        .when(sent, c.deleted(ana, idOf(sent)))
        .then(lastMessageIs(added, lastMessage(sent, { text: null, deleted: true })));
    });

    it('edits and deletes of an earlier message leave the last message alone', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const older = c.sent(ana, 'older');
      const last = c.sent(ben, 'last');
      await listSpec()
        .given(added, older, last)
        .when(c.edited(ana, idOf(older), 'older!'), c.deleted(ana, idOf(older)))
        .then(
          expectRows('contact_list', entries(added, { last_activity_at: last.metadata.timestamp })),
          lastMessageIs(added, lastMessage(last)),
        );
    });

    it('edits and deletes of the last message by the other member (a legacy log) change nothing; nor an edit after the delete', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const sent = c.sent(ana, 'mine');
      const del = c.deleted(ana, idOf(sent));
      await listSpec()
        .given(added, sent)
        .when(c.edited(ben, idOf(sent), 'yours'), c.deleted(ben, idOf(sent)))
        .then(lastMessageIs(added, lastMessage(sent)));
      await listSpec()
        .given(added, sent)
        .when(del, c.edited(ana, idOf(sent), 'back'))
        .then(lastMessageIs(added, lastMessage(sent, { text: null, deleted: true })));
    });

    // A legacy log (issue 12: ben sent with ana's id upper-cased, which the upcaster now reads as ana's id): the
    // list shows what the history shows, the first send of the id, never ben's text or his edits of it.
    it('a send that reuses the id of the last message (a legacy log) does not replace it', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const anas = c.sent(ana, 'see you at 6');
      const bens = c.sent(ben, 'I owe you nothing', idOf(anas));
      const bensEdit = c.edited(ben, idOf(anas), 'I will pay you 10000 EUR');
      await listSpec()
        .given(added, anas)
        .when(bens, bensEdit)
        .then(lastMessageIs(added, lastMessage(anas)));
    });

    it('a send that reuses the id of an earlier message (a legacy log) does not become the last message', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const earlier = c.sent(ana, 'see you at 6');
      const last = c.sent(ana, 'bring the keys');
      const retried = c.sent(ana, 'see you at 6', idOf(earlier));
      await listSpec()
        .given(added, earlier, last)
        .when(retried)
        .then(lastMessageIs(added, lastMessage(last)));
    });
  });

  describe('read markers', () => {
    it('a member’s read is their own marker and their peer’s peer marker; activity does not move', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const m1 = c.sent(ana, 'one');
      const m2 = c.sent(ben, 'two');
      const benRead = c.read(ben, idOf(m1));
      const anaRead = c.read(ana, idOf(m2));
      const changes = { last_activity_at: m2.metadata.timestamp };
      await spec()
        .given(added, m1, m2)
        .when(benRead)
        .then(
          expectRows(
            'contact_list',
            entries(added, changes, { [ben]: { last_read_message_id: idOf(m1) }, [ana]: { peer_last_read_message_id: idOf(m1) } }),
          ),
        );
      await spec()
        .given(added, m1, m2)
        .when(benRead, anaRead)
        .then(
          expectRows(
            'contact_list',
            entries(added, changes, {
              [ben]: { last_read_message_id: idOf(m1), peer_last_read_message_id: idOf(m2) },
              [ana]: { last_read_message_id: idOf(m2), peer_last_read_message_id: idOf(m1) },
            }),
          ),
        );
    });

    it('a read by someone who is not a member changes nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const m1 = c.sent(ana, 'one');
      await spec()
        .given(added, m1)
        .when(c.read(eve, idOf(m1)))
        .then(expectRows('contact_list', entries(added, { last_activity_at: m1.metadata.timestamp })));
    });
  });

  describe('meetings', () => {
    const summary = (started: RecordedDerbelEvent, state: 'ringing' | 'active') => {
      const d = started.data as MeetingStarted['data'];
      return { id: d.meetingId, state, startedBy: d.startedBy };
    };

    it('a meeting started rings on both entries and moves the activity; the caller joining does not answer it', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const m = meetingStream(log, c.contactId);
      const started = m.started(ana, ben);
      await spec()
        .given(added)
        .when(started, m.joined(ana, 'peer-ana'))
        .then(
          expectRows(
            'contact_list',
            entries(added, { active_meeting: summary(started, 'ringing'), last_activity_at: started.metadata.timestamp }),
          ),
        );
    });

    it('answered when the callee joins; joins, leaves and rejoins after that change nothing', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const m = meetingStream(log, c.contactId);
      const started = m.started(ana, ben);
      await spec()
        .given(added, started, m.joined(ana, 'peer-ana'))
        .when(m.joined(ben, 'peer-ben'), m.left(ben, 'peer-ben', 'disconnected'), m.joined(ben, 'peer-ben-2'))
        .then(
          expectRows(
            'contact_list',
            entries(added, { active_meeting: summary(started, 'active'), last_activity_at: started.metadata.timestamp }),
          ),
        );
    });

    it('ended: no active meeting, the activity stays at its start', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const m = meetingStream(log, c.contactId);
      const started = m.started(ana, ben);
      await spec()
        .given(added, started)
        .when(m.joined(ben, 'peer-ben'), m.ended('ended', ben))
        .then(expectRows('contact_list', entries(added, { last_activity_at: started.metadata.timestamp })));
    });

    it('the end or join of another meeting leaves the active one alone', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const old = meetingStream(log, c.contactId);
      const m = meetingStream(log, c.contactId);
      const oldStarted = old.started(ben, ana);
      const started = m.started(ana, ben);
      await spec()
        .given(added, oldStarted, started)
        .when(old.joined(ana, 'peer-ana'), old.ended('missed', null))
        .then(
          expectRows(
            'contact_list',
            entries(added, { active_meeting: summary(started, 'ringing'), last_activity_at: started.metadata.timestamp }),
          ),
        );
    });
  });

  it('unrelated contacts are untouched', async () => {
    const log = new TestLog();
    const [c1, c2] = [contactStream(log), contactStream(log)];
    const added1 = c1.added(ana, ben);
    const added2 = c2.added(ana, eve);
    const toEve = c2.sent(ana, 'eve?');
    const sent = c1.sent(ben, 'ana!');
    const read = c1.read(ana, idOf(sent));
    const m = meetingStream(log, c1.contactId);
    const started = m.started(ben, ana);
    await spec()
      .given(added1, added2, toEve)
      .when(sent, read, started)
      .then(
        expectRows('contact_list', [
          ...entries(
            added1,
            { last_activity_at: started.metadata.timestamp, active_meeting: { id: m.meetingId, state: 'ringing', startedBy: ben } },
            {
              [ana]: { last_read_message_id: idOf(sent) },
              [ben]: { peer_last_read_message_id: idOf(sent) },
            },
          ),
          ...entries(added2, { last_activity_at: toEve.metadata.timestamp }),
        ]),
      );
  });

  describe('events it cannot apply are parked, the rest of the batch lands', () => {
    it('a group event with a title, an id or a setting it cannot trust', async () => {
      const log = new TestLog();
      const g = groupStream(log);
      const created = g.created(ana, [ben, eve], 'Crew');
      const badTitle = g.raw('GroupRenamed', { contactId: g.contactId, title: null, renamedBy: ana }, { userId: ana });
      const badAdd = g.raw('GroupMembersAdded', { contactId: g.contactId, userIds: ['dan'], addedBy: ana }, { userId: ana });
      const badSetting = g.raw('GroupSettingsChanged', { contactId: g.contactId, membersMayAdd: 1, changedBy: ana }, { userId: ana });
      const badLeave = g.raw('GroupMemberLeft', { contactId: g.contactId, userId: ben.toUpperCase() }, { userId: ben });
      const renamed = g.renamed(ben, 'Crew 2');
      const row = (userId: string, role: string) => ({
        user_id: userId,
        contact_id: g.contactId,
        peer_id: null,
        last_activity_at: created.metadata.timestamp,
        last_read_message_id: null,
        peer_last_read_message_id: null,
        active_meeting: null,
        removed: false,
        kind: 'group',
        title: 'Crew 2',
        member_count: 3,
        role,
        members_may_add: false,
      });
      await spec()
        .given(created)
        .when(badTitle, badAdd, badSetting, badLeave, renamed)
        .then(
          expectRows('contact_list', [row(ana, 'admin'), row(ben, 'member'), row(eve, 'member')]),
          expectParked(
            { event: badTitle, error: /title is not text/ },
            { event: badAdd, error: /userIds\[0\] is not a canonical uuid/ },
            { event: badSetting, error: /membersMayAdd is not true or false/ },
            { event: badLeave, error: /userId is not a canonical uuid/ },
          ),
        );
    });

    it('a contact of one member, ids that are not canonical, missing data (the text is not its business)', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const lonely = contactStream(log);
      const oneMember = lonely.raw(
        'ContactAdded',
        { contactId: lonely.contactId, kind: 'direct', members: [ana], addedBy: ana },
        { userId: ana },
      );
      const added = c.added(ana, ben);
      const upper = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: randomUUID().toUpperCase(), senderId: ben, text: 'hey' },
        { userId: ben },
      );
      const nul = c.raw('MessageSent', { contactId: c.contactId, messageId: randomUUID(), senderId: ben, text: '\u0000' }, { userId: ben });
      const noData = c.raw('ConversationRead', 'read', { userId: ben });
      const badMeeting = meetingStream(log, c.contactId).raw(
        'MeetingStarted',
        { meetingId: 'm-1', contactId: c.contactId, startedBy: ana },
        { userId: ana },
      );
      const sent = c.sent(ana, 'still here');
      await spec()
        .given()
        .when(oneMember, added, upper, nul, noData, badMeeting, sent)
        .then(
          expectRows('contact_list', entries(added, { last_activity_at: sent.metadata.timestamp })),
          expectParked(
            { event: oneMember, error: /members is not a list of at least 2 ids/ },
            { event: upper, error: /messageId is not a canonical uuid/ },
            { event: noData, error: /data is not an object/ },
            { event: badMeeting, error: /meetingId is not a canonical uuid/ },
          ),
        );
    });
  });
});
