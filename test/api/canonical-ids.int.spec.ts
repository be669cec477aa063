import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The faults of issue 12 at the HTTP edge: ids are canonical lower-case uuids, positions fit a bigint. */
describe('canonical ids and bounded positions over HTTP', () => {
  let t: TestServer;
  let ana: ApiClient;
  let ben: ApiClient;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await ana.addContact(ben);
  });
  afterAll(() => t.close());

  const send = (from: ApiClient, body: { id?: string; text: string }, to = contactId) => from.post(`/api/contacts/${to}/messages`, body);
  const history = async (client: ApiClient, minPosition: number) =>
    (await client.get(`/api/contacts/${contactId}/messages?limit=100&minPosition=${minPosition}`)).body.messages as any[];

  it.each([
    ['a urn:uuid: prefix', (id: string) => `urn:uuid:${id}`],
    ['braces', (id: string) => `{${id}}`],
    ['no hyphens', (id: string) => id.replaceAll('-', '')],
    ['a character too many', (id: string) => `${id}0`],
    ['a character too few', (id: string) => id.slice(0, 35)],
    ['surrounding spaces', (id: string) => ` ${id} `],
  ])('refuses a message id with %s: 400 INVALID_ID naming the field, nothing sent', async (_name, spell) => {
    const id = randomUUID();
    const res = await send(ana, { id: spell(id), text: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'INVALID_ID', message: expect.stringContaining('id') });
    const probe = await send(ana, { id, text: 'probe' });
    expect(probe.status).toBe(201);
  });

  it('lower-cases an upper-case message id at the edge', async () => {
    const id = randomUUID();
    const res = await send(ana, { id: id.toUpperCase(), text: 'shouting id' });
    expect(res.status).toBe(201);
    expect(res.body.message.id).toBe(id);
    const again = await send(ana, { id, text: 'shouting id' });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(id);
  });

  it("refuses the other member's message id upper-cased with 409 MESSAGE_ID_CONFLICT", async () => {
    const id = randomUUID();
    const mine = await send(ana, { id, text: 'I owe you nothing' });
    expect(mine.status).toBe(201);
    const hijack = await send(ben, { id: id.toUpperCase(), text: 'hijack' });
    expect(hijack.status).toBe(409);
    expect(hijack.body.code).toBe('MESSAGE_ID_CONFLICT');
  });

  it('edits and deletes your own message named by its upper-cased id; the other member still cannot', async () => {
    const id = randomUUID();
    expect((await send(ana, { id, text: 'typo' })).status).toBe(201);
    const path = `/api/contacts/${contactId.toUpperCase()}/messages/${id.toUpperCase()}`;
    expect((await ben.request('PATCH', path, { text: 'I will pay you 10000 EUR' })).body.code).toBe('NOT_MESSAGE_SENDER');
    const edited = await ana.request('PATCH', path, { text: 'fixed' });
    expect(edited.status).toBe(200);
    const row = (await history(ana, edited.body.position)).find((m) => m.id === id);
    expect(row).toMatchObject({ text: 'fixed', senderId: ana.user!.id, editedAt: expect.any(String) });
    const deleted = await ana.request('DELETE', path);
    expect(deleted.status).toBe(200);
    expect((await history(ana, deleted.body.position)).find((m) => m.id === id)).toMatchObject({ deleted: true });
  });

  it('reads with upper-cased ids in the path, query and body', async () => {
    const sent = await send(ben, { text: 'read me' });
    const upper = contactId.toUpperCase();
    const page = await ana.get(`/api/contacts/${upper}/messages?after=${randomUUID().toUpperCase()}`);
    expect(page.body.code).toBe('UNKNOWN_CURSOR');
    const before = await ana.get(
      `/api/contacts/${upper}/messages?before=${sent.body.message.id.toUpperCase()}&minPosition=${sent.body.position}`,
    );
    expect(before.status).toBe(200);
    const read = await ana.post(`/api/contacts/${upper}/read`, { messageId: sent.body.message.id.toUpperCase() });
    expect(read.status).toBe(200);
  });

  it.each([
    `/api/contacts/{contact}/messages?before=urn:uuid:${randomUUID()}`,
    `/api/contacts/{contact}/messages?after=urn:uuid:${randomUUID()}`,
    `/api/calls?before=urn:uuid:${randomUUID()}`,
    `/api/contacts/urn:uuid:${randomUUID()}/messages`,
    `/api/meetings/urn:uuid:${randomUUID()}`,
  ])('answers GET %s with 400 INVALID_ID, not 500', async (path) => {
    const res = await ana.get(path.replace('{contact}', contactId));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'INVALID_ID' });
  });

  it.each(['9223372036854775807', '9223372036854775808', '9007199254740992', '1e20', 'Infinity', '-Infinity', '-1', '1.5', 'NaN', 'abc'])(
    'answers a position of %s with 400 INVALID_POSITION, not 500',
    async (value) => {
      for (const path of [`/api/events?after=${value}`, `/api/events?after=0&minPosition=${value}`, `/api/contacts?minPosition=${value}`]) {
        const res = await ana.get(path);
        expect(res.status, path).toBe(400);
        expect(res.body, path).toMatchObject({
          statusCode: 400,
          code: 'INVALID_POSITION',
          message: expect.stringMatching(/after|minPosition/),
        });
      }
    },
  );

  it('accepts the largest safe position', async () => {
    const res = await ana.get(`/api/events?after=${Number.MAX_SAFE_INTEGER}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events: [], hasMore: false });
  });
});
