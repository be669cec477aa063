import { describe, expect, it } from 'vitest';
import type { MessageSent } from '../../domain/contacts/events.js';
import { projectionSpec, useProjectionDatabase, type Expectation } from '../../test/support/projection-specification.js';
import { contactStream, groupStream, signUp, TestLog } from '../../test/support/recorded-events.js';
import { accountsProjection } from '../accounts/accounts.projection.js';
import { conversationMembersProjection } from '../conversation-members/conversation-members.projection.js';
import { messagesProjection } from '../messages/messages.projection.js';
import type { Projection } from '../projection.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { listContacts } from './contact-list.queries.js';
import { contactListProjection } from './contact-list.projection.js';
import { getConversation, listConversations, type ConversationListItem } from './conversations.queries.js';

/**
 * `GET /api/conversations` as its queries read it (docs/groups.md): the contact list, the history and the
 * membership periods together, direct and group conversations, each member seeing only their periods.
 */
describe('conversations (contact list, history and membership periods)', () => {
  const db = useProjectionDatabase();
  const readModels: Projection = {
    name: 'conversations',
    tables: [
      ...accountsProjection.tables,
      ...contactListProjection.tables,
      ...messagesProjection.tables,
      ...conversationMembersProjection.tables,
    ],
    async apply(sql, events, options) {
      await accountsProjection.apply(sql, events);
      await messagesProjection.apply(sql, events);
      await conversationMembersProjection.apply(sql, events);
      await contactListProjection.apply(sql, events, options);
    },
  };
  const spec = () => projectionSpec(readModels, db);

  const log = new TestLog();
  const [ana, ben, eve, dan] = ['ana', 'ben', 'eve', 'dan'].map((name) => signUp(log, name, name.toUpperCase()));
  const accounts = [ana, ben, eve, dan].flatMap((a) => [a.claimed, a.registered]);
  const member = (a: typeof ana, role: 'admin' | 'member' = 'member') => ({
    id: a.userId,
    username: (a.registered.data as { username: string }).username,
    displayName: (a.registered.data as { displayName: string }).displayName,
    role,
  });
  const at = (event: RecordedDerbelEvent) => event.metadata.timestamp;
  const idOf = (sent: RecordedDerbelEvent) => (sent.data as MessageSent['data']).messageId;
  const last = (sent: RecordedDerbelEvent) => {
    const d = sent.data as MessageSent['data'];
    return { id: d.messageId, senderId: d.senderId, text: d.text, sentAt: at(sent), editedAt: null, deleted: false, attachments: [] };
  };
  /** What `user` is answered for the conversation `contactId` (undefined: not in their list). */
  const seen = (user: typeof ana, contactId: string, check: (item: ConversationListItem | undefined) => void): Expectation<never> => ({
    async check({ pool }) {
      const item = (await listConversations(pool, user.userId)).find((c) => c.id === contactId);
      check(item);
      expect(await getConversation(pool, user.userId, contactId)).toEqual(item ?? null);
    },
  });

  it('a group: its members with their roles, its title, when each joined; newest activity first with direct contacts', async () => {
    const direct = contactStream(log);
    const added = direct.added(ana.userId, ben.userId);
    const g = groupStream(log);
    const created = g.created(ana.userId, [ben.userId, eve.userId], 'Crew');
    await spec()
      .given(...accounts, added)
      .when(created)
      .then(
        seen(ben, g.contactId, (item) =>
          expect(item).toEqual({
            id: g.contactId,
            kind: 'group',
            title: 'Crew',
            peer: null,
            members: [member(ana, 'admin'), member(ben), member(eve)],
            membersMayAdd: false,
            joinedAt: at(created),
            lastMessage: null,
            unreadCount: 0,
            lastActivityAt: at(created),
            lastReadMessageId: null,
            readMarks: [],
            peerLastReadMessageId: null,
            activeMeeting: null,
          }),
        ),
        async ({ pool }) => {
          expect((await listConversations(pool, ana.userId)).map((c) => c.id)).toEqual([g.contactId, direct.contactId]);
          const [, directItem] = await listConversations(pool, ana.userId);
          expect(directItem).toMatchObject({
            kind: 'direct',
            title: null,
            peer: { id: ben.userId, username: 'ben', displayName: 'BEN' },
            members: [member(ana), member(ben)],
            joinedAt: at(added),
          });
          expect(
            (await listContacts(pool, ana.userId)).map((c) => c.id),
            'GET /api/contacts: direct only',
          ).toEqual([direct.contactId]);
        },
      );
  });

  it('a member who left sees nothing after; added again, what follows; one added later nothing from before', async () => {
    const g = groupStream(log);
    const created = g.created(ana.userId, [ben.userId, eve.userId]);
    const before = g.sent(ben.userId, 'before');
    const readByAna = g.read(ana.userId, idOf(before));
    const left = g.memberLeft(eve.userId);
    const whileAway = g.sent(ana.userId, 'eve is gone');
    const added = g.membersAdded(ana.userId, [eve.userId, dan.userId]);
    await spec()
      .given(...accounts, created, before, readByAna)
      .when(left, whileAway)
      .then(
        seen(eve, g.contactId, (item) => expect(item).toBeUndefined()),
        seen(ben, g.contactId, (item) =>
          expect(item).toMatchObject({
            lastMessage: last(whileAway),
            unreadCount: 1,
            members: [member(ana, 'admin'), member(ben)],
            readMarks: [{ userId: ana.userId, messageId: idOf(before) }],
          }),
        ),
      );
    await spec()
      .given(...accounts, created, before, readByAna, left, whileAway)
      .when(added)
      .then(
        seen(eve, g.contactId, (item) =>
          expect(item, 'nothing of what was said while eve was away').toMatchObject({
            lastMessage: last(before),
            unreadCount: 1,
            joinedAt: at(added),
            lastActivityAt: at(added),
          }),
        ),
        seen(dan, g.contactId, (item) =>
          expect(item, 'nothing from before dan joined').toMatchObject({ lastMessage: null, unreadCount: 0, joinedAt: at(added) }),
        ),
        seen(ana, g.contactId, (item) => expect(item?.members.map((m) => m.id)).toEqual([ana.userId, ben.userId, dan.userId, eve.userId])),
      );
  });

  it('a removed member has no conversation; a removed direct contact neither, until accepted again', async () => {
    const g = groupStream(log);
    const created = g.created(ana.userId, [ben.userId, eve.userId]);
    const direct = contactStream(log);
    const added = direct.added(ana.userId, eve.userId);
    const sent = direct.sent(eve.userId, 'hi');
    const removed = g.memberRemoved(ana.userId, ben.userId);
    const directRemoved = direct.removed(ana.userId);
    const again = direct.added(eve.userId, ana.userId);
    await spec()
      .given(...accounts, created, added, sent)
      .when(removed, directRemoved)
      .then(
        seen(ben, g.contactId, (item) => expect(item).toBeUndefined()),
        seen(ana, direct.contactId, (item) => expect(item).toBeUndefined()),
        seen(ana, g.contactId, (item) => expect(item?.members).toEqual([member(ana, 'admin'), member(eve)])),
      );
    await spec()
      .given(...accounts, created, added, sent, removed, directRemoved)
      .when(again)
      .then(
        seen(ana, direct.contactId, (item) =>
          expect(item, 'the whole history again').toMatchObject({ lastMessage: last(sent), unreadCount: 1, joinedAt: at(added) }),
        ),
      );
  });
});
