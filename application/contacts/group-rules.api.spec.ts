import { describe, expect, it } from 'vitest';
import { directContactId } from './contact-id.js';
import { streams } from '../../domain/events.js';
import {
  ApiSpecification,
  existingStream,
  expectError,
  expectNewEvents,
  expectNoNewEvents,
  expectResponse,
  specId,
  type ApiRequest,
  type Requests,
  type TestStream,
} from '../../test/support/api-specification.js';

/**
 * The group rules above the decider, through the HTTP API on the in-memory event store: whom one may bring
 * into a group (accepted contacts who have not blocked them), who may change it, and what a non-member or
 * former member learns (nothing: 404 CONVERSATION_NOT_FOUND). Read models and PostgreSQL: test/api/groups.int.spec.ts.
 */
describe('group rules over the HTTP API', () => {
  const given = ApiSpecification.for();
  const user = (letter: string) => `${letter}0000000-0000-4000-8000-00000000000${letter}`;
  const [ana, ben, cid, dan, eve] = ['a', 'b', 'c', 'd', 'e'].map(user);
  const groupId = 'f0000000-0000-4000-8000-0000000000f1';
  const conversation = (path = '') => `/api/conversations/${groupId}${path}`;

  const account = (userId: string, username: string): TestStream =>
    existingStream(streams.account(userId), [
      { type: 'AccountRegistered', data: { userId, username, displayName: username.toUpperCase() } },
    ]);
  const accounts = [account(ana, 'ana'), account(ben, 'ben'), account(cid, 'cid'), account(dan, 'dan'), account(eve, 'eve')];
  const contacts = (a: string, b: string): TestStream => {
    const contactId = directContactId(a, b);
    return existingStream(streams.contact(contactId), [
      { type: 'ContactAdded', data: { contactId, kind: 'direct', members: [a, b], addedBy: a } },
    ]);
  };
  const blocked = (blockerId: string, blockedId: string): TestStream =>
    existingStream(streams.blocks(blockerId), [
      { type: 'UserBlocked', data: { blockerId, blockedId, blockedAt: '2026-12-01T09:00:00.000Z' } },
    ]);
  // ana knows ben, cid and dan; ben knows eve; nobody else knows anybody.
  const network = [...accounts, contacts(ana, ben), contacts(ana, cid), contacts(ana, dan), contacts(ben, eve)];
  const group = (...events: Array<{ type: string; data: unknown }>) =>
    existingStream(streams.contact(groupId), [
      {
        type: 'GroupCreated',
        data: {
          contactId: groupId,
          kind: 'group',
          title: 'Climbing',
          members: [ana, ben, cid],
          admins: [ana],
          createdBy: ana,
          membersMayAdd: true,
        },
      },
      ...events,
    ]);

  describe('creating a group', () => {
    it('makes a group of the creator and their contacts, under a new id, the creator its admin', () =>
      given(...network)
        .when((api) => api.as(ana).post('/api/conversations', { title: ' Climbing ', memberIds: [ben, cid] }))
        .then(
          expectResponse(201, {
            conversation: {
              id: specId(1),
              kind: 'group',
              title: 'Climbing',
              members: [
                { id: ana, username: 'ana', displayName: 'ANA', role: 'admin' },
                { id: ben, username: 'ben', displayName: 'BEN', role: 'member' },
                { id: cid, username: 'cid', displayName: 'CID', role: 'member' },
              ],
            },
            position: expect.any(Number),
          }),
          expectNewEvents(streams.contact(specId(1)), [
            {
              type: 'GroupCreated',
              data: { contactId: specId(1), members: [ana, ben, cid], admins: [ana], createdBy: ana, membersMayAdd: true },
            },
          ]),
        ));

    it('refuses someone who is not an accepted contact of the creator, the same whether they exist or not', async () => {
      for (const stranger of [eve, 'a0000000-0000-4000-8000-0000000000ff'])
        await given(...network)
          .when((api) => api.as(ana).post('/api/conversations', { title: 'Climbing', memberIds: [ben, stranger] }))
          .then(expectError(400, 'MEMBER_NOT_A_CONTACT'), expectNoNewEvents());
    });

    it('refuses a contact who has blocked the creator', () =>
      given(...network, blocked(cid, ana))
        .when((api) => api.as(ana).post('/api/conversations', { title: 'Climbing', memberIds: [ben, cid] }))
        .then(expectError(400, 'MEMBER_NOT_A_CONTACT'), expectNoNewEvents()));

    it('refuses a group of two, and a title that is only whitespace', async () => {
      await given(...network)
        .when((api) => api.as(ana).post('/api/conversations', { title: 'Pair', memberIds: [ben] }))
        .then(expectError(400, 'GROUP_TOO_SMALL'), expectNoNewEvents());
      await given(...network)
        .when((api) => api.as(ana).post('/api/conversations', { title: '   ', memberIds: [ben, cid] }))
        .then(expectError(400, 'INVALID_GROUP_TITLE'), expectNoNewEvents());
    });

    it('refuses more than a hundred members, the creator included', async () => {
      const many = Array.from({ length: 100 }, (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      await given(...network)
        .when((api) => api.as(ana).post('/api/conversations', { title: 'Everyone', memberIds: many }))
        .then(expectError(400, 'GROUP_TOO_LARGE'), expectNoNewEvents());
    });

    it('refuses a malformed body and an anonymous caller', async () => {
      await given(...network)
        .when((api) => api.as(ana).post('/api/conversations', { title: 'Climbing', memberIds: ['not-an-id', cid] }))
        .then(expectResponse(400), expectNoNewEvents());
      await given(...network)
        .when((api) => api.anonymous.post('/api/conversations', { title: 'Climbing', memberIds: [ben, cid] }))
        .then(expectError(401, 'UNAUTHORIZED'), expectNoNewEvents());
    });
  });

  describe('changing a group', () => {
    it('lets any member rename it', () =>
      given(...network, group())
        .when((api) => api.as(cid).patch(conversation(), { title: 'Bouldering' }))
        .then(
          expectResponse(200, { position: expect.any(Number) }),
          expectNewEvents(streams.contact(groupId), [{ type: 'GroupRenamed', data: { title: 'Bouldering', renamedBy: cid } }]),
        ));

    it('lets admins alone change who may add, and refuses the whole request to a member who is no admin', async () => {
      await given(...network, group())
        .when((api) => api.as(ana).patch(conversation(), { membersMayAdd: false, title: 'Bouldering' }))
        .then(
          expectResponse(200),
          expectNewEvents(streams.contact(groupId), [
            { type: 'GroupSettingsChanged', data: { membersMayAdd: false, changedBy: ana } },
            { type: 'GroupRenamed', data: { title: 'Bouldering' } },
          ]),
        );
      await given(...network, group())
        .when((api) => api.as(ben).patch(conversation(), { membersMayAdd: false, title: 'Bouldering' }))
        .then(expectError(403, 'NOT_GROUP_ADMIN'), expectNoNewEvents());
    });

    it("adds the adder's contacts: a member may add theirs while members may add", () =>
      given(...network, group())
        .when((api) => api.as(ben).post(conversation('/members'), { userIds: [eve] }))
        .then(
          expectResponse(200),
          expectNewEvents(streams.contact(groupId), [{ type: 'GroupMembersAdded', data: { userIds: [eve], addedBy: ben } }]),
        ));

    it("refuses to add someone who is not the adder's contact (even if another member's), or is a member already", async () => {
      await given(...network, group())
        .when((api) => api.as(ana).post(conversation('/members'), { userIds: [eve] }))
        .then(expectError(400, 'MEMBER_NOT_A_CONTACT'), expectNoNewEvents());
      await given(...network, group())
        .when((api) => api.as(ana).post(conversation('/members'), { userIds: [ben] }))
        .then(expectError(409, 'ALREADY_A_MEMBER'), expectNoNewEvents());
    });

    it('lets only admins add once the admins have said so', () =>
      given(...network, group({ type: 'GroupSettingsChanged', data: { contactId: groupId, membersMayAdd: false, changedBy: ana } }))
        .when((api) => api.as(ben).post(conversation('/members'), { userIds: [eve] }))
        .then(expectError(403, 'NOT_GROUP_ADMIN'), expectNoNewEvents()));

    it('lets an admin remove a member, and no one else', async () => {
      await given(...network, group())
        .when((api) => api.as(ana).delete(conversation(`/members/${cid}`)))
        .then(
          expectResponse(200),
          expectNewEvents(streams.contact(groupId), [{ type: 'GroupMemberRemoved', data: { userId: cid, removedBy: ana } }]),
        );
      await given(...network, group())
        .when((api) => api.as(ben).delete(conversation(`/members/${cid}`)))
        .then(expectError(403, 'NOT_GROUP_ADMIN'), expectNoNewEvents());
    });

    it('hands the admin role on when the last admin leaves, in the same append', () =>
      given(...network, group())
        .when((api) => api.as(ana).post(conversation('/leave')))
        .then(
          expectResponse(200),
          expectNewEvents(streams.contact(groupId), [
            { type: 'GroupMemberLeft', data: { userId: ana } },
            { type: 'GroupAdminAppointed', data: { userId: ben, appointedBy: null } },
          ]),
        ));

    it('answers NOT_A_GROUP to a group route on a direct conversation', () =>
      given(...network)
        .when((api) => api.as(ana).patch(`/api/conversations/${directContactId(ana, ben)}`, { title: 'Pair' }))
        .then(expectError(400, 'NOT_A_GROUP'), expectNoNewEvents()));
  });

  describe('what a non-member learns: nothing', () => {
    const left = group({ type: 'GroupMemberLeft', data: { contactId: groupId, userId: cid } });
    const removed = group({ type: 'GroupMemberRemoved', data: { contactId: groupId, userId: cid, removedBy: ana } });
    const requests: Array<[string, (api: Requests, userId: string) => ReturnType<ApiRequest>]> = [
      ['PATCH /api/conversations/:id', (api, userId) => api.as(userId).patch(conversation(), { title: 'Mine' })],
      ['POST …/members', (api, userId) => api.as(userId).post(conversation('/members'), { userIds: [ana] })],
      ['DELETE …/members/:userId', (api, userId) => api.as(userId).delete(conversation(`/members/${ben}`))],
      ['POST …/leave', (api, userId) => api.as(userId).post(conversation('/leave'))],
      ['POST …/read', (api, userId) => api.as(userId).post(conversation('/read'), { messageId: specId(77) })],
      ['PATCH …/messages/:id', (api, userId) => api.as(userId).patch(conversation(`/messages/${specId(77)}`), { text: 'x' })],
      ['DELETE …/messages/:id', (api, userId) => api.as(userId).delete(conversation(`/messages/${specId(77)}`))],
    ];
    const strangers: Array<[string, TestStream[], string]> = [
      ['a stranger', [group()], eve],
      ['a member who left', [left], cid],
      ['a member who was removed', [removed], cid],
      ['anyone, when the conversation does not exist', [], ana],
    ];
    for (const [who, streamsGiven, userId] of strangers)
      it.each(requests)(`%s: 404 CONVERSATION_NOT_FOUND to ${who}`, (_route, request) =>
        given(...network, ...streamsGiven)
          .when((api) => request(api, userId))
          .then(expectError(404, 'CONVERSATION_NOT_FOUND'), expectNoNewEvents()),
      );
  });
});
