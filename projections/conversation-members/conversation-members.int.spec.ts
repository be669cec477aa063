import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { expectParked, expectRows, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { contactStream, groupStream, meetingStream, signUp, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { conversationMembersProjection } from './conversation-members.projection.js';

/** Membership periods per conversation on real PostgreSQL (docs/groups.md, "Read side"). */
describe('conversation members read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(conversationMembersProjection, db);
  const [ana, ben, cat, dan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  const period = (contactId: string, userId: string, joined: RecordedDerbelEvent, left: RecordedDerbelEvent | null = null) => ({
    contact_id: contactId,
    user_id: userId,
    joined_position: joined.position,
    joined_revision: joined.revision,
    joined_at: joined.metadata.timestamp,
    left_position: left?.position ?? null,
    left_revision: left?.revision ?? null,
  });

  it('a direct contact: a period per side from its acceptance; a removal ends both, a new acceptance reopens them', async () => {
    const log = new TestLog();
    const c = contactStream(log);
    const requested = c.requested(ana, ben);
    const added = c.added(ben, ana);
    const sent = c.sent(ana, 'hi');
    const removed = c.removed(ana);
    const again = c.added(ana, ben);
    await spec()
      .given(requested)
      .when(added, sent)
      .then(expectRows('conversation_members', [period(c.contactId, ana, added), period(c.contactId, ben, added)]));
    await spec()
      .given(requested, added, sent)
      .when(removed)
      .then(expectRows('conversation_members', [period(c.contactId, ana, added, removed), period(c.contactId, ben, added, removed)]));
    await spec()
      .given(requested, added, sent, removed)
      .when(again)
      .then(expectRows('conversation_members', [period(c.contactId, ana, added), period(c.contactId, ben, added)]));
  });

  it('a group: its creation starts every member; a removal or leave ends one; adding again starts a second period', async () => {
    const log = new TestLog();
    const g = groupStream(log);
    const created = g.created(ana, [ben, cat]);
    const renamed = g.renamed(ana, 'Crew');
    const removed = g.memberRemoved(ana, ben);
    const left = g.memberLeft(cat);
    const added = g.membersAdded(ana, [ben, dan]);
    const addedTwice = g.membersAdded(ana, [dan]);
    await spec()
      .given()
      .when(created, renamed, removed, left, added, addedTwice)
      .then(
        expectRows('conversation_members', [
          period(g.contactId, ana, created),
          period(g.contactId, ben, created, removed),
          period(g.contactId, cat, created, left),
          period(g.contactId, ben, added),
          period(g.contactId, dan, added),
        ]),
      );
  });

  it('a group created twice (a corrupt log) keeps its first members; an add to no group adds nobody', async () => {
    const log = new TestLog();
    const g = groupStream(log);
    const created = g.created(ana, [ben, cat]);
    const again = g.created(dan, [ben, cat]);
    const other = groupStream(log);
    const addedToNothing = other.membersAdded(ana, [dan]);
    await spec()
      .given()
      .when(created, again, addedToNothing)
      .then(
        expectRows('conversation_members', [
          period(g.contactId, ana, created),
          period(g.contactId, ben, created),
          period(g.contactId, cat, created),
        ]),
      );
  });

  it('one batch over several conversations, some with stored periods, lands as the events one by one do', async () => {
    const log = new TestLog();
    const [stored, fresh] = [contactStream(log), contactStream(log)];
    const g = groupStream(log);
    const storedAdded = stored.added(ana, ben);
    const created = g.created(ana, [ben, cat]);
    // The batch: the stored contact removed and accepted again (its periods reopened), then removed for good;
    // a new contact accepted; the stored group loses a member who comes back, and gains one.
    const removed = stored.removed(ben);
    const reopened = stored.added(ben, ana);
    const freshAdded = fresh.added(cat, dan);
    const catOut = g.memberRemoved(ana, cat);
    const catBack = g.membersAdded(ben, [cat, dan]);
    const removedForGood = stored.removed(ana);
    await spec()
      .given(storedAdded, created)
      .when(removed, reopened, freshAdded, catOut, catBack, removedForGood)
      .then(
        expectRows('conversation_members', [
          period(stored.contactId, ana, storedAdded, removedForGood),
          period(stored.contactId, ben, storedAdded, removedForGood),
          period(fresh.contactId, cat, freshAdded),
          period(fresh.contactId, dan, freshAdded),
          period(g.contactId, ana, created),
          period(g.contactId, ben, created),
          period(g.contactId, cat, created, catOut),
          period(g.contactId, cat, catBack),
          period(g.contactId, dan, catBack),
        ]),
      );
  });

  it('other events in its batches change nothing and are never parked', async () => {
    const log = new TestLog();
    const account = signUp(log, 'ana', 'Ana', ana);
    const g = groupStream(log);
    const created = g.created(ana, [ben, cat]);
    const sent = g.sent(ben, 'hi');
    const [renamed, appointed] = [g.renamed(ana, 'x'), g.adminAppointed(ana, ben)];
    const call = meetingStream(log, g.contactId).started(ana, ben);
    await spec()
      .given()
      .when(account.claimed, account.registered, created, sent, renamed, appointed, call)
      .then(
        expectRows('conversation_members', [
          period(g.contactId, ana, created),
          period(g.contactId, ben, created),
          period(g.contactId, cat, created),
        ]),
      );
  });

  it('parks a membership event with an id it cannot trust', async () => {
    const log = new TestLog();
    const g = groupStream(log);
    const created = g.created(ana, [ben, cat]);
    const badAdd = g.raw('GroupMembersAdded', { contactId: g.contactId, userIds: [dan.toUpperCase()], addedBy: ana }, { userId: ana });
    const badLeave = g.raw('GroupMemberLeft', { contactId: g.contactId }, { userId: ana });
    await spec()
      .given(created)
      .when(badAdd, badLeave)
      .then(
        expectRows('conversation_members', [
          period(g.contactId, ana, created),
          period(g.contactId, ben, created),
          period(g.contactId, cat, created),
        ]),
        expectParked(
          { event: badAdd, error: /userIds\[0\] is not a canonical uuid/ },
          { event: badLeave, error: /userId is not a canonical uuid/ },
        ),
      );
  });
});
