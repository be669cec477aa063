import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, eventually, type ApiResponse } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A group's life over the real server and PostgreSQL: create → rename → add → remove → leave (the admin role
 * passing on), a member's message, and 404 CONVERSATION_NOT_FOUND for a former member and a stranger.
 * The rules one by one: application/contacts/group-rules.api.spec.ts and domain/contacts/group.unit.spec.ts.
 */
describe('group conversations over the HTTP API', () => {
  let t: TestServer;
  let ana: ApiClient, ben: ApiClient, cid: ApiClient, dan: ApiClient, eve: ApiClient;

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben, cid, dan, eve] = await Promise.all(['ana', 'ben', 'cid', 'dan', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    await Promise.all([ana.addContact(ben), ana.addContact(cid), ana.addContact(dan)]);
  });
  afterAll(() => t.close());

  const expectNotFound = (response: ApiResponse) =>
    expect({ status: response.status, code: response.body?.code }).toEqual({ status: 404, code: 'CONVERSATION_NOT_FOUND' });

  it('creates, renames, adds, removes, hands the admin role on, and shuts out whoever is not a member', async () => {
    const created = await ana.post('/api/conversations', { title: 'Climbing', memberIds: [ben.user!.id, cid.user!.id] });
    expect(created.status).toBe(201);
    const id: string = created.body.conversation.id;
    expect(created.body).toEqual({
      conversation: {
        id,
        kind: 'group',
        title: 'Climbing',
        members: [
          { ...ana.user, role: 'admin' },
          { ...ben.user, role: 'member' },
          { ...cid.user, role: 'member' },
        ],
      },
      position: expect.any(Number),
    });
    const at = (path = '') => `/api/conversations/${id}${path}`;

    expect((await cid.request('PATCH', at(), { title: 'Bouldering' })).status).toBe(200);
    expect((await ana.post(at('/members'), { userIds: [dan.user!.id] })).status).toBe(200);

    const sent = await ben.post(at('/messages'), { text: 'Saturday at ten?' });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ contactId: id, senderId: ben.user!.id, text: 'Saturday at ten?' });
    expect((await dan.post(at('/read'), { messageId: sent.body.message.id })).status).toBe(200);

    expect((await ana.request('DELETE', at(`/members/${cid.user!.id}`))).status).toBe(200);
    for (const outsider of [cid, eve]) {
      expectNotFound(await outsider.post(at('/messages'), { text: 'let me in' }));
      expectNotFound(await outsider.post(at('/read'), { messageId: sent.body.message.id }));
      expectNotFound(await outsider.request('PATCH', at(), { title: 'Mine' }));
      expectNotFound(await outsider.post(at('/leave')));
    }

    // Ana, the only admin, leaves: Ben, the longest-standing member left, inherits the role.
    expect((await ana.post(at('/leave'))).status).toBe(200);
    expectNotFound(await ana.post(at('/messages'), { text: 'one more thing' }));
    expect((await dan.request('PATCH', at(), { membersMayAdd: false })).body.code).toBe('NOT_GROUP_ADMIN');
    expect((await ben.request('PATCH', at(), { membersMayAdd: false })).status).toBe(200);
    expect((await dan.post(at('/messages'), { text: 'see you there' })).status).toBe(201);
  });

  it('takes a direct conversation’s id on the message routes too, and answers its stranger alike', async () => {
    const contactId = (await ana.get('/api/contacts')).body.contacts.find((c: { peer: { id: string } }) => c.peer.id === ben.user!.id).id;
    const sent = await ben.post(`/api/conversations/${contactId}/messages`, { text: 'direct, through conversations' });
    expect(sent.status).toBe(201);
    expect((await ana.request('PATCH', `/api/conversations/${contactId}/messages/${sent.body.message.id}`, { text: 'x' })).body.code).toBe(
      'NOT_MESSAGE_SENDER',
    );
    expectNotFound(await eve.post(`/api/conversations/${contactId}/messages`, { text: 'hello?' }));
    expect((await ana.request('PATCH', `/api/conversations/${contactId}`, { title: 'Pair' })).body.code).toBe('NOT_A_GROUP');
  });

  it('parks none of the group events in any read model', async () => {
    const db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
    try {
      const caughtUp = async () => {
        const { rows } = await db.query(
          'SELECT (SELECT min(position) FROM projection_checkpoints) >= (SELECT max(position) FROM events) AS done',
        );
        return rows[0].done === true;
      };
      await eventually(caughtUp);
      const { rows } = await db.query('SELECT projection, event_type, error FROM projection_parked_events');
      expect(rows).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
