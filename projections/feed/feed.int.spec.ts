import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { MessageSent } from '../../domain/contacts/events.js';
import { streams } from '../../domain/events.js';
import {
  expectOutputs,
  expectParked,
  expectRows,
  projectionSpec,
  useProjectionDatabase,
} from '../../test/support/projection-specification.js';
import { blockStream, contactStream, groupStream, meetingStream, signUp, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import type { FeedEntry } from './feed-wire.js';
import { feedProjection } from './feed.projection.js';

/**
 * The feed on real PostgreSQL: each event of a contact goes to its members' feeds, shaped by the wire
 * contract (`feed-wire.ts`), and the rows inserted are returned for the socket push. Each `when` runs as one
 * batch and as batches of one (projection-specification.ts).
 */
describe('feed read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(feedProjection, db);
  const [ana, ben, eve, dan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const at = (event: RecordedDerbelEvent) => event.metadata.timestamp;
  const idOf = (sent: RecordedDerbelEvent) => (sent.data as MessageSent['data']).messageId;

  /** What `users` receive of `event`: one feed row each, and the same as outputs. */
  const delivered = (event: RecordedDerbelEvent, data: object, users: string[]) =>
    users.map((userId): FeedEntry => ({ userId, type: event.type, position: event.position, data }) as FeedEntry);
  const rowsOf = (entries: FeedEntry[]) => entries.map((e) => ({ user_id: e.userId, position: e.position, type: e.type, data: e.data }));
  /** The feed holds exactly `entries` and the when returned exactly `outputs`. */
  const feedIs = (entries: FeedEntry[], outputs: FeedEntry[] = entries) => [expectRows('feed', rowsOf(entries)), expectOutputs(outputs)];
  /** What ana and ben receive of ana adding ben. */
  const contactAddedRows = (added: RecordedDerbelEvent, contactId: string) =>
    delivered(added, { contactId, kind: 'direct', members: [ana, ben], addedBy: ana, addedAt: at(added) }, [ana, ben]);

  describe('consent (issue 17, docs/contacts-consent.md)', () => {
    const requestedData = (e: RecordedDerbelEvent, contactId: string, message: string | null = null) => ({
      contactId,
      requestedBy: ana,
      recipientId: ben,
      message,
      requestedAt: at(e),
    });

    it('a request goes to both; a silenced one only to its requester', async () => {
      const log = new TestLog();
      const [c, s] = [contactStream(log), contactStream(log)];
      const requested = c.requested(ana, ben, { message: 'hello' });
      const silenced = s.requested(ana, ben, { silenced: true });
      await spec()
        .given()
        .when(requested, silenced)
        .then(
          ...feedIs([
            ...delivered(requested, requestedData(requested, c.contactId, 'hello'), [ana, ben]),
            ...delivered(silenced, requestedData(silenced, s.contactId), [ana]),
          ]),
        );
    });

    it('a decline goes to the decliner only; the acceptance to both', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const requested = c.requested(ana, ben);
      const declined = c.declined(ben);
      const given = delivered(requested, requestedData(requested, c.contactId), [ana, ben]);
      await spec()
        .given(requested)
        .when(declined)
        .then(
          ...feedIs(
            [...given, ...delivered(declined, { contactId: c.contactId, declinedAt: at(declined) }, [ben])],
            delivered(declined, { contactId: c.contactId, declinedAt: at(declined) }, [ben]),
          ),
        );
      const accepted = c.added(ben, ana);
      const acceptedRows = delivered(
        accepted,
        { contactId: c.contactId, kind: 'direct', members: [ben, ana], addedBy: ben, addedAt: at(accepted) },
        [ana, ben],
      );
      await spec()
        .given(requested)
        .when(accepted)
        .then(...feedIs([...given, ...acceptedRows], acceptedRows));
    });

    it('a cancel goes to the recipient only if they saw the request', async () => {
      const log = new TestLog();
      const [c, s] = [contactStream(log), contactStream(log)];
      const [seen, unseen] = [c.requested(ana, ben), s.requested(ana, ben, { silenced: true })];
      const [cancelSeen, cancelUnseen] = [c.cancelled(ana, true), s.cancelled(ana, false)];
      const when = [
        ...delivered(cancelSeen, { contactId: c.contactId, cancelledAt: at(cancelSeen) }, [ana, ben]),
        ...delivered(cancelUnseen, { contactId: s.contactId, cancelledAt: at(cancelUnseen) }, [ana]),
      ];
      const given = [
        ...delivered(seen, requestedData(seen, c.contactId), [ana, ben]),
        ...delivered(unseen, requestedData(unseen, s.contactId), [ana]),
      ];
      await spec()
        .given(seen, unseen)
        .when(cancelSeen, cancelUnseen)
        .then(...feedIs([...given, ...when], when));
    });

    it('a removal goes to both and never says who removed it, nor that it was a block', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const removed = c.removed(ben, 'blocked');
      const when = delivered(removed, { contactId: c.contactId, removedAt: at(removed) }, [ana, ben]);
      await spec()
        .given(added)
        .when(removed)
        .then(...feedIs([...contactAddedRows(added, c.contactId), ...when], when));
    });

    it('blocks and unblocks go to the blocker alone, naming the blocked user', async () => {
      const log = new TestLog();
      const b = blockStream(log, ben);
      const [blocked, unblocked] = [b.blocked(ana), b.unblocked(ana)];
      await spec()
        .given()
        .when(blocked, unblocked)
        .then(
          ...feedIs([
            ...delivered(blocked, { userId: ana, blockedAt: at(blocked) }, [ben]),
            ...delivered(unblocked, { userId: ana, unblockedAt: at(unblocked) }, [ben]),
          ]),
        );
    });
  });

  describe('who receives what', () => {
    it('a contact added goes to both members, who become its audience', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const entries = delivered(added, { contactId: c.contactId, kind: 'direct', members: [ana, ben], addedBy: ana, addedAt: at(added) }, [
        ana,
        ben,
      ]);
      await spec()
        .given()
        .when(added)
        .then(
          ...feedIs(entries),
          expectRows(
            'feed_contact_members',
            [ana, ben].map((user_id) => ({ contact_id: c.contactId, user_id })),
          ),
        );
    });

    it('every event of a contact goes to both members and to nobody else; outputs are what was inserted, in log order', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const other = contactStream(log);
      const added = c.added(ana, ben);
      const otherAdded = other.added(ana, eve);
      const sent = c.sent(ben, 'hi');
      const toEve = other.sent(ana, 'hi eve');
      const read = c.read(ana, idOf(sent));
      const given = [
        ...delivered(added, { contactId: c.contactId, kind: 'direct', members: [ana, ben], addedBy: ana, addedAt: at(added) }, [ana, ben]),
        ...delivered(
          otherAdded,
          { contactId: other.contactId, kind: 'direct', members: [ana, eve], addedBy: ana, addedAt: at(otherAdded) },
          [ana, eve],
        ),
      ];
      const when = [
        ...delivered(sent, { contactId: c.contactId, messageId: idOf(sent), senderId: ben, text: 'hi', sentAt: at(sent) }, [ana, ben]),
        ...delivered(toEve, { contactId: other.contactId, messageId: idOf(toEve), senderId: ana, text: 'hi eve', sentAt: at(toEve) }, [
          ana,
          eve,
        ]),
        ...delivered(read, { contactId: c.contactId, userId: ana, messageId: idOf(sent), readAt: at(read) }, [ana, ben]),
      ];
      await spec()
        .given(added, otherAdded)
        .when(sent, toEve, read)
        .then(...feedIs([...given, ...when], when));
    });

    it('events of a contact nobody added reach nobody', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const m = meetingStream(log, c.contactId);
      await spec()
        .given()
        .when(c.sent(ana, 'anyone?'), m.started(ana, ben))
        .then(...feedIs([]), expectRows('feed_contact_members', []));
    });

    it('accounts, username claims and meeting slots are not in any feed', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const { claimed, registered } = signUp(log, 'eve', 'Eve', eve);
      const slot = log.record(streams.meetingSlot(c.contactId), 'MeetingSlotClaimed', { meetingId: randomUUID(), claimedAt: log.nextAt() });
      await spec()
        .given(added)
        .when(claimed, registered, slot)
        .then(
          expectRows(
            'feed',
            rowsOf(
              delivered(added, { contactId: c.contactId, kind: 'direct', members: [ana, ben], addedBy: ana, addedAt: at(added) }, [
                ana,
                ben,
              ]),
            ),
          ),
          expectOutputs([]),
        );
    });

    // A direct contact has two members by construction (its id is derived from them), so only a corrupt log can
    // name others in a second ContactAdded: they must not read the contact.
    it('a later ContactAdded naming someone else (a corrupt log) does not let them read the contact', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.added(ana, ben);
      const corrupt = c.raw('ContactAdded', { contactId: c.contactId, kind: 'direct', members: [ana, eve], addedBy: eve }, { userId: eve });
      const sent = c.sent(ana, 'for ben only');
      await spec()
        .given(added)
        .when(corrupt, sent)
        .then(
          expectRows(
            'feed_contact_members',
            [ana, ben].map((user_id) => ({ contact_id: c.contactId, user_id })),
          ),
        );
    });
  });

  describe('the wire contract: exactly these fields per type, nothing else of the stored event', () => {
    /** A contact of ana and ben, already in the feed, and an event in it with extra stored fields. */
    const setUp = () => {
      const log = new TestLog();
      const c = contactStream(log);
      const m = meetingStream(log, c.contactId);
      const added = c.added(ana, ben);
      const leak = { secret: 'not for clients', schemaVersion: 7, userAgent: 'curl' };
      return { log, c, m, added, leak };
    };

    const cases: Array<
      [string, (s: ReturnType<typeof setUp>) => { event: RecordedDerbelEvent; wire: (event: RecordedDerbelEvent) => object }]
    > = [
      [
        'MessageSent',
        ({ c, leak }) => {
          const messageId = randomUUID();
          return {
            event: c.raw('MessageSent', { contactId: c.contactId, messageId, senderId: ana, text: 'hi', ...leak }, { userId: ana }),
            wire: (e) => ({ contactId: c.contactId, messageId, senderId: ana, text: 'hi', sentAt: at(e) }),
          };
        },
      ],
      [
        'MessageEdited',
        ({ c, leak }) => {
          const messageId = randomUUID();
          return {
            event: c.raw('MessageEdited', { contactId: c.contactId, messageId, editorId: ana, text: 'hi!', ...leak }, { userId: ana }),
            wire: (e) => ({ contactId: c.contactId, messageId, editorId: ana, text: 'hi!', editedAt: at(e) }),
          };
        },
      ],
      [
        'MessageDeleted',
        ({ c, leak }) => {
          const messageId = randomUUID();
          return {
            event: c.raw(
              'MessageDeleted',
              { contactId: c.contactId, messageId, deletedBy: ana, text: 'the deleted text', ...leak },
              { userId: ana },
            ),
            wire: (e) => ({ contactId: c.contactId, messageId, deletedBy: ana, deletedAt: at(e) }),
          };
        },
      ],
      [
        'ConversationRead',
        ({ c, leak }) => {
          const messageId = randomUUID();
          return {
            event: c.raw('ConversationRead', { contactId: c.contactId, userId: ben, messageId, ...leak }, { userId: ben }),
            wire: (e) => ({ contactId: c.contactId, userId: ben, messageId, readAt: at(e) }),
          };
        },
      ],
      [
        'MeetingStarted',
        ({ log, c, m, leak }) => {
          const [startedAt, ringUntil] = [log.nextAt(), '2025-03-03T09:30:00.000Z'];
          const d = {
            meetingId: m.meetingId,
            contactId: c.contactId,
            startedBy: ana,
            members: [ana, ben],
            invitees: [ben],
            startedAt,
            ringUntil,
          };
          return { event: m.raw('MeetingStarted', { ...d, ...leak }, { userId: ana, at: startedAt }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
      [
        'ParticipantJoined',
        ({ log, c, m, leak }) => {
          const d = { meetingId: m.meetingId, contactId: c.contactId, userId: ben, peerId: 'peer-ben', joinedAt: log.nextAt() };
          return { event: m.raw('ParticipantJoined', { ...d, ...leak }, { userId: ben }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
      [
        'ParticipantLeft',
        ({ log, c, m, leak }) => {
          const d = {
            meetingId: m.meetingId,
            contactId: c.contactId,
            userId: ben,
            peerId: 'peer-ben',
            reason: 'disconnected',
            leftAt: log.nextAt(),
          };
          return { event: m.raw('ParticipantLeft', { ...d, ...leak }, { userId: null }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
      [
        'InvitationDeclined',
        ({ log, c, m, leak }) => {
          const d = { meetingId: m.meetingId, contactId: c.contactId, userId: ben, declinedAt: log.nextAt() };
          return { event: m.raw('InvitationDeclined', { ...d, ...leak }, { userId: ben }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
      [
        'MeetingEnded',
        ({ log, c, m, leak }) => {
          const d = { meetingId: m.meetingId, contactId: c.contactId, reason: 'declined', endedBy: ben, endedAt: log.nextAt() };
          return { event: m.raw('MeetingEnded', { ...d, ...leak }, { userId: ben }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
      [
        'MeetingEnded by the sweeper',
        ({ log, c, m, leak }) => {
          const d = { meetingId: m.meetingId, contactId: c.contactId, reason: 'missed', endedBy: null, endedAt: log.nextAt() };
          return { event: m.raw('MeetingEnded', { ...d, ...leak }, { userId: null }), wire: (e) => ({ ...d, at: at(e) }) };
        },
      ],
    ];

    it.each(cases)('%s', async (_name, make) => {
      const setup = setUp();
      const { event, wire } = make(setup);
      const when = delivered(event, wire(event), [ana, ben]);
      await spec()
        .given(setup.added)
        .when(event)
        .then(...feedIs([...contactAddedRows(setup.added, setup.c.contactId), ...when], when));
    });

    it('ContactAdded', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const added = c.raw(
        'ContactAdded',
        { contactId: c.contactId, kind: 'direct', members: [ana, ben], addedBy: ana, secret: 'x', schemaVersion: 9 },
        { userId: ana },
      );
      await spec()
        .given()
        .when(added)
        .then(...feedIs(contactAddedRows(added, c.contactId)));
    });

    // Every field that reaches a client is checked, `reason` of ParticipantLeft and MeetingEnded too.
    it('a reason outside the contract is parked, not sent', async () => {
      const { c, m, added } = setUp();
      const ended = m.raw('MeetingEnded', {
        meetingId: m.meetingId,
        contactId: c.contactId,
        reason: { html: '<img src=x onerror=alert(1)>' },
        endedBy: null,
        endedAt: '2025-03-03T09:10:00.000Z',
      });
      await spec()
        .given(added)
        .when(ended)
        .then(...feedIs(contactAddedRows(added, c.contactId), []), expectParked({ event: ended, error: /reason/ }));
    });
  });

  describe('groups (issue 18, docs/groups.md): each event to the members at its position', () => {
    const message = (sent: RecordedDerbelEvent, contactId: string) => {
      const d = sent.data as MessageSent['data'];
      return { contactId, messageId: d.messageId, senderId: d.senderId, text: d.text, sentAt: at(sent) };
    };
    const membersOf = (contactId: string, users: string[]) => users.map((user_id) => ({ contact_id: contactId, user_id }));

    it('the wire shape of every group event; each to the members, a removal and a leave also to the one who goes', async () => {
      const log = new TestLog();
      const g = groupStream(log);
      const id = g.contactId;
      const created = g.created(ana, [ben, eve], 'Crew');
      const renamed = g.renamed(ana, 'Crew 2');
      const settings = g.settingsChanged(ana, true);
      const added = g.membersAdded(ben, [dan]);
      const removed = g.memberRemoved(ana, ben);
      const appointed = g.adminAppointed(ana, eve);
      const left = g.memberLeft(ana);
      const inherited = g.adminAppointed(null, dan);
      const entries = [
        ...delivered(
          created,
          {
            contactId: id,
            kind: 'group',
            title: 'Crew',
            members: [ana, ben, eve],
            admins: [ana],
            createdBy: ana,
            membersMayAdd: false,
            createdAt: at(created),
          },
          [ana, ben, eve],
        ),
        ...delivered(renamed, { contactId: id, title: 'Crew 2', renamedBy: ana, renamedAt: at(renamed) }, [ana, ben, eve]),
        ...delivered(settings, { contactId: id, membersMayAdd: true, changedBy: ana, changedAt: at(settings) }, [ana, ben, eve]),
        ...delivered(added, { contactId: id, userIds: [dan], addedBy: ben, addedAt: at(added) }, [ana, ben, eve, dan]),
        ...delivered(removed, { contactId: id, userId: ben, removedBy: ana, removedAt: at(removed) }, [ana, ben, eve, dan]),
        ...delivered(appointed, { contactId: id, userId: eve, appointedBy: ana, appointedAt: at(appointed) }, [ana, eve, dan]),
        ...delivered(left, { contactId: id, userId: ana, leftAt: at(left) }, [ana, eve, dan]),
        ...delivered(inherited, { contactId: id, userId: dan, appointedBy: null, appointedAt: at(inherited) }, [eve, dan]),
      ];
      await spec()
        .given()
        .when(created, renamed, settings, added, removed, appointed, left, inherited)
        .then(...feedIs(entries), expectRows('feed_contact_members', membersOf(id, [eve, dan])));
    });

    it('a member who left gets nothing after; one added later gets nothing from before; one added again gets what follows', async () => {
      const log = new TestLog();
      const g = groupStream(log);
      const id = g.contactId;
      const created = g.created(ana, [ben, eve]);
      const m = meetingStream(log, id);
      const before = g.sent(ben, 'before');
      const left = g.memberLeft(eve);
      const whileAway = g.sent(ana, 'eve is gone');
      const read = g.read(ben, idOf(whileAway));
      const added = g.membersAdded(ana, [dan, eve]);
      const after = g.sent(dan, 'hi all');
      const call = m.started(ana, ben);
      const given = delivered(
        created,
        {
          contactId: id,
          kind: 'group',
          title: 'Team',
          members: [ana, ben, eve],
          admins: [ana],
          createdBy: ana,
          membersMayAdd: false,
          createdAt: at(created),
        },
        [ana, ben, eve],
      );
      const when = [
        ...delivered(before, message(before, id), [ana, ben, eve]),
        ...delivered(left, { contactId: id, userId: eve, leftAt: at(left) }, [ana, ben, eve]),
        ...delivered(whileAway, message(whileAway, id), [ana, ben]),
        ...delivered(read, { contactId: id, userId: ben, messageId: idOf(whileAway), readAt: at(read) }, [ana, ben]),
        ...delivered(added, { contactId: id, userIds: [dan, eve], addedBy: ana, addedAt: at(added) }, [ana, ben, eve, dan]),
        ...delivered(after, message(after, id), [ana, ben, eve, dan]),
        ...delivered(
          call,
          {
            meetingId: m.meetingId,
            contactId: id,
            startedBy: ana,
            members: [ana, ben],
            invitees: [ben],
            startedAt: at(call),
            ringUntil: (call.data as { ringUntil: string }).ringUntil,
            at: at(call),
          },
          [ana, ben, eve, dan],
        ),
      ];
      await spec()
        .given(created)
        .when(before, left, whileAway, read, added, after, call)
        .then(...feedIs([...given, ...when], when), expectRows('feed_contact_members', membersOf(id, [ana, ben, eve, dan])));
    });

    it('events of a group nobody created reach nobody; a malformed membership event is parked', async () => {
      const log = new TestLog();
      const g = groupStream(log);
      const lost = groupStream(log);
      const created = g.created(ana, [ben, eve]);
      const badLeave = g.raw('GroupMemberLeft', { contactId: g.contactId, userId: 'eve' }, { userId: eve });
      const badTitle = g.raw('GroupRenamed', { contactId: g.contactId, title: 7, renamedBy: ana }, { userId: ana });
      const badSetting = g.raw('GroupSettingsChanged', { contactId: g.contactId, membersMayAdd: 'yes', changedBy: ana }, { userId: ana });
      const [lostAdd, lostSend] = [lost.membersAdded(ana, [dan]), lost.sent(ana, 'anyone?')];
      await spec()
        .given(created)
        .when(badLeave, badTitle, badSetting, lostAdd, lostSend)
        .then(
          ...feedIs(
            delivered(
              created,
              {
                contactId: g.contactId,
                kind: 'group',
                title: 'Team',
                members: [ana, ben, eve],
                admins: [ana],
                createdBy: ana,
                membersMayAdd: false,
                createdAt: at(created),
              },
              [ana, ben, eve],
            ),
            [],
          ),
          expectRows('feed_contact_members', membersOf(g.contactId, [ana, ben, eve])),
          expectParked(
            { event: badLeave, error: /userId is not a canonical uuid/ },
            { event: badTitle, error: /title is not text/ },
            { event: badSetting, error: /membersMayAdd is not true or false/ },
          ),
        );
    });
  });

  describe('events it cannot apply are parked, the rest of the batch lands and is pushed', () => {
    it('malformed ids, a NUL in a text, missing data, a bad timestamp', async () => {
      const log = new TestLog();
      const c = contactStream(log);
      const m = meetingStream(log, c.contactId);
      const added = c.added(ana, ben);
      const before = c.sent(ana, 'before');
      const upper = c.raw(
        'MessageSent',
        { contactId: c.contactId, messageId: randomUUID().toUpperCase(), senderId: ben, text: 'x' },
        { userId: ben },
      );
      const nul = c.raw(
        'MessageEdited',
        { contactId: c.contactId, messageId: randomUUID(), editorId: ben, text: 'x\u0000' },
        { userId: ben },
      );
      const noData = c.raw('MessageDeleted', undefined, { userId: ben });
      const badContact = c.raw(
        'MessageSent',
        { contactId: c.contactId.toUpperCase(), messageId: randomUUID(), senderId: ben, text: 'x' },
        { userId: ben },
      );
      const badTime = c.sent(ben, 'when?', randomUUID(), { at: '3 March 2025' });
      const badJoin = m.raw(
        'ParticipantJoined',
        { meetingId: m.meetingId, contactId: c.contactId, userId: ben, peerId: 7, joinedAt: log.nextAt() },
        { userId: ben },
      );
      const after = c.sent(ben, 'after');
      const pushed = [
        ...delivered(before, { contactId: c.contactId, messageId: idOf(before), senderId: ana, text: 'before', sentAt: at(before) }, [
          ana,
          ben,
        ]),
        ...delivered(after, { contactId: c.contactId, messageId: idOf(after), senderId: ben, text: 'after', sentAt: at(after) }, [
          ana,
          ben,
        ]),
      ];
      await spec()
        .given(added)
        .when(before, upper, nul, noData, badContact, badTime, badJoin, after)
        .then(
          ...feedIs([...contactAddedRows(added, c.contactId), ...pushed], pushed),
          expectParked(
            { event: upper, error: /messageId is not a canonical uuid/ },
            { event: nul, error: /text is not text/ },
            { event: noData, error: /data is not an object/ },
            { event: badContact, error: /contactId is not a canonical uuid/ },
            { event: badTime, error: /metadata.timestamp/ },
            { event: badJoin, error: /peerId is not text/ },
          ),
        );
    });
  });
});
