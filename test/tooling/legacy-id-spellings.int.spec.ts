import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { PASSWORD, writeLegacyLog } from './legacy-id-spellings.log.js';
import { toolingDatabase, type ToolingDatabase } from './tooling-support.js';

const READ_MODELS = [
  'accounts',
  'contact_list',
  'messages',
  'feed',
  'active_meetings',
  'call_log',
  'contact_requests',
  'blocks',
  'search',
  'conversation_members',
];

/**
 * A log written before ids were canonical at the edge (issue 12): the server rebuilds its read models from
 * it, and nobody's message was changed by someone else, in the history, in time travel or in the audit trail.
 */
describe('a log holding non-canonical spellings of ids', () => {
  let tooling: ToolingDatabase;
  let t: TestServer;
  let log: Awaited<ReturnType<typeof writeLegacyLog>>;
  let ana: ApiClient;
  let ben: ApiClient;

  async function signIn(username: string): Promise<ApiClient> {
    const client = new ApiClient(t.url);
    const session = await client.post('/api/sessions', { username, password: PASSWORD });
    expect(session.status).toBe(200);
    client.token = session.body.token;
    client.user = session.body.user;
    return client;
  }

  const history = (client: ApiClient, query = '') => client.get(`/api/contacts/${log.contactId}/messages?limit=100${query}`);

  beforeAll(async () => {
    tooling = await toolingDatabase();
    log = await writeLegacyLog(tooling.store.raw, tooling.pool);
    t = await startTestServer({ db: tooling.db });
    [ana, ben] = await Promise.all([signIn('ana'), signIn('ben')]);
  });
  afterAll(async () => {
    await t?.close();
    await tooling?.close();
  });

  it('lets every read model go past every event, parking none', async () => {
    const deadline = Date.now() + 10_000;
    let positions: Record<string, number> = {};
    while (Date.now() < deadline) {
      const { rows } = await tooling.pool.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints');
      positions = Object.fromEntries(rows.map((r) => [r.name, Number(r.position)]));
      if (READ_MODELS.every((name) => positions[name] >= log.head)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(positions).toEqual(Object.fromEntries(READ_MODELS.map((name) => [name, log.head])));
    const parked = await tooling.pool.query('SELECT projection, position, error FROM projection_parked_events');
    expect(parked.rows).toEqual([]);
  });

  it("shows ana's message as ana sent it, and nothing of ben's that overwrote it", async () => {
    for (const client of [ana, ben]) {
      const { status, body, headers } = await history(client, `&minPosition=${log.head}`);
      expect(status).toBe(200);
      expect(headers.get('x-derbel-stale')).toBeNull();
      expect(body).toEqual({
        messages: [
          expect.objectContaining({ id: log.x, senderId: log.ana, text: 'see you at 8', editedAt: null, deleted: false }),
          expect.objectContaining({ id: log.y, senderId: log.ana, text: 'or at 9', editedAt: null, deleted: false }),
        ],
        hasMore: false,
      });
      const contacts = await client.get(`/api/contacts?minPosition=${log.head}`);
      const preview = contacts.body.contacts.find((c: { id: string }) => c.id === log.contactId).lastMessage;
      expect(preview).toEqual(body.messages[body.messages.length - 1]);
    }
  });

  it('agrees with time travel, at every moment of the log and now', async () => {
    const client = ana;
    const live = await history(client, `&minPosition=${log.head}`);
    const now = await history(client, `&asOf=${encodeURIComponent(new Date().toISOString())}`);
    expect(now.status).toBe(200);
    expect(now.body).toEqual(live.body);
    for (const moment of log.moments.slice(5)) {
      const past = await history(client, `&asOf=${encodeURIComponent(moment)}`);
      expect(past.status).toBe(200);
      for (const message of past.body.messages)
        expect(message, moment).toMatchObject({ senderId: log.ana, deleted: false, editedAt: null });
      expect(past.body.messages.map((m: { text: string }) => m.text)).toEqual(
        live.body.messages.map((m: { text: string }) => m.text).slice(0, past.body.messages.length),
      );
    }
  });

  it('agrees with the audit trail: nobody changed any message', async () => {
    const { status, body } = await ana.get(`/api/contacts/${log.contactId}/audit`);
    expect(status).toBe(200);
    expect(body).toEqual({ changes: [] });
  });

  it("still refuses ben any change to ana's message, however he spells its id", async () => {
    const client = ben;
    for (const spelled of [log.x, log.x.toUpperCase()]) {
      const edited = await client.request('PATCH', `/api/contacts/${log.contactId}/messages/${spelled}`, {
        text: 'I will pay you 10000 EUR',
      });
      const deleted = await client.request('DELETE', `/api/contacts/${log.contactId}/messages/${spelled}`);
      for (const response of [edited, deleted]) expect(response.body.code, spelled).toBe('NOT_MESSAGE_SENDER');
    }
    const sent = await client.post(`/api/contacts/${log.contactId}/messages`, { id: log.x, text: 'mine now' });
    expect(sent.body.code).toBe('MESSAGE_ID_CONFLICT');
    const { body } = await history(client);
    expect(body.messages[0]).toMatchObject({ id: log.x, senderId: log.ana, text: 'see you at 8', editedAt: null, deleted: false });
  });

  it('goes on: a message sent now reaches the history of both', async () => {
    const sent = await ben.post(`/api/contacts/${log.contactId}/messages`, { text: 'deal' });
    expect(sent.status).toBe(201);
    const { headers, body } = await history(ana, `&minPosition=${sent.body.position}`);
    expect(headers.get('x-derbel-stale')).toBeNull();
    expect(body.messages.map((m: { text: string }) => m.text)).toEqual(['see you at 8', 'or at 9', 'deal']);
  });

  it('leaves ana her message to edit and delete', async () => {
    const client = ana;
    const edited = await client.request('PATCH', `/api/contacts/${log.contactId}/messages/${log.x}`, { text: 'see you at 9' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const { body } = await history(client, `&minPosition=${edited.body.position}`);
    expect(body.messages[0]).toMatchObject({ id: log.x, senderId: log.ana, text: 'see you at 9', deleted: false });
    const deleted = await client.request('DELETE', `/api/contacts/${log.contactId}/messages/${log.x}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
  });
});
