import { describe, expect, it } from 'vitest';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { useTwoNodes } from '../support/two-nodes.js';

const THUMBS = encodeURIComponent('👍');

/**
 * Issue 21: each node keeps the history pages it served. After any change its answer reported, the next read
 * on either node shows it; a member never gets a page cut to someone else's membership periods; someone who
 * is no member gets the same 404 as before, cached pages or not.
 */
describe('history page cache across two nodes', () => {
  const two = useTwoNodes();

  /** The same person signed in on both nodes. */
  async function person(name: string): Promise<[ApiClient, ApiClient]> {
    const onNode1 = await new ApiClient(two.nodes[0].url).signUp(name);
    const onNode2 = new ApiClient(two.nodes[1].url);
    onNode2.token = onNode1.token;
    onNode2.user = onNode1.user;
    return [onNode1, onNode2];
  }
  const ok = <T>(response: ApiResponse<T>, status = 200) => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    return response.body as any;
  };
  /** The newest page on each of `clients` (read-your-writes through `position`), as `[text, reactions, quote]`. */
  async function pages(clients: ApiClient[], path: string, position = 0) {
    return Promise.all(
      clients.map(async (client) =>
        (ok(await client.get(`${path}?limit=100&minPosition=${position}`)).messages as any[]).map((m) => [
          m.text,
          m.reactions.map((r: any) => `${r.emoji}${r.count}`).join(),
          m.replyTo?.text ?? (m.replyTo?.deleted ? '(deleted)' : null),
        ]),
      ),
    );
  }

  it('shows every send, edit, reaction and deletion on the next read, on the node that took it and on the other', async () => {
    const [ana1, ana2] = await person('ana');
    const [ben1, ben2] = await person('ben');
    const contactId = await ana1.addContact(ben1);
    const path = `/api/contacts/${contactId}/messages`;
    const readers = [ana1, ana2, ben1, ben2];
    const original = ok(await ana1.post(path, { text: 'original' }), 201);
    const reply = ok(await ben2.post(path, { text: 'reply', replyTo: original.message.id }), 201);
    // Every node has the page now, read at this version.
    for (const page of await pages(readers, path, reply.position))
      expect(page).toEqual([
        ['original', '', null],
        ['reply', '', 'original'],
      ]);

    const sent = ok(await ben1.post(path, { text: 'third' }), 201);
    for (const page of await pages(readers, path, sent.position))
      expect(page.map(([text]) => text)).toEqual(['original', 'reply', 'third']);

    const edited = ok(await ana2.request('PATCH', `${path}/${original.message.id}`, { text: 'original, edited' }));
    for (const page of await pages(readers, path, edited.position))
      expect(page.slice(0, 2)).toEqual([
        ['original, edited', '', null],
        ['reply', '', 'original, edited'],
      ]);

    const reacted = ok(await ben2.request('PUT', `${path}/${sent.message.id}/reactions/${THUMBS}`));
    for (const page of await pages(readers, path, reacted.position)) expect(page[2]).toEqual(['third', '👍1', null]);

    const deleted = ok(await ana1.request('DELETE', `${path}/${original.message.id}`));
    for (const page of await pages(readers, path, deleted.position))
      expect(page).toEqual([
        [null, '', null],
        ['reply', '', '(deleted)'],
        ['third', '👍1', null],
      ]);
  });

  it('answers 304 while the page is unchanged, on either node, and the new page once it changed', async () => {
    const [ana1, ana2] = await person('ana');
    const [ben1] = await person('ben');
    const contactId = await ana1.addContact(ben1);
    const path = `/api/contacts/${contactId}/messages?limit=20`;
    const sent = ok(await ana1.post(`/api/contacts/${contactId}/messages`, { text: 'hello' }), 201);
    const first = await ana1.get(`${path}&minPosition=${sent.position}`);
    const tag = first.headers.get('etag')!;
    expect(tag).toMatch(/^W\/".+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    for (const client of [ana1, ana2, ben1]) {
      const again = await client.request('GET', path, undefined, { 'if-none-match': tag });
      expect({ status: again.status, etag: again.headers.get('etag') }).toEqual({ status: 304, etag: tag });
    }
    const reacted = ok(await ben1.request('PUT', `/api/contacts/${contactId}/messages/${sent.message.id}/reactions/${THUMBS}`));
    const changed = await ana2.request('GET', `${path}&minPosition=${reacted.position}`, undefined, { 'if-none-match': tag.slice(2) });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(tag);
    expect(changed.body.messages[0].reactions).toEqual([{ emoji: '👍', count: 1, userIds: [ben1.user!.id] }]);
  });

  it('gives each group member exactly their periods and a former member the 404 of a stranger', async () => {
    const [ana1, ana2] = await person('ana');
    const [ben1, ben2] = await person('ben');
    const [cid1, cid2] = await person('cid');
    const [eve1] = await person('eve');
    await Promise.all([ana1.addContact(ben1), ana1.addContact(cid1)]);
    const created = ok(await ana1.post('/api/conversations', { title: 'Cache', memberIds: [ben1.user!.id, cid1.user!.id] }), 201);
    const id: string = created.conversation.id;
    const path = `/api/conversations/${id}/messages`;
    const say = async (text: string) => ok(await ana1.post(path, { text }), 201).position as number;
    const texts = async (clients: ApiClient[], position: number) => (await pages(clients, path, position)).map((p) => p.map(([t]) => t));

    let position = await say('before the removal');
    // Ben's and Cid's pages (the same so far) are in both nodes' caches.
    expect(await texts([ben1, ben2, cid1, cid2], position)).toEqual(Array(4).fill(['before the removal']));

    position = ok(await ana2.request('DELETE', `/api/conversations/${id}/members/${cid1.user!.id}`)).position;
    position = Math.max(position, await say('while Cid is out'));
    expect(await texts([ben1, ben2], position)).toEqual(Array(2).fill(['before the removal', 'while Cid is out']));
    for (const outsider of [cid1, cid2, eve1]) {
      const refused = await outsider.get(`${path}?limit=100&minPosition=${position}`);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 404, code: 'CONVERSATION_NOT_FOUND' });
    }

    ok(await ana1.post(`/api/conversations/${id}/members`, { userIds: [cid1.user!.id] }));
    position = await say('Cid is back');
    // Ben's page (all three) is cached on both nodes; Cid's two periods leave out what was said while he was out.
    expect(await texts([ben1, ben2], position)).toEqual(Array(2).fill(['before the removal', 'while Cid is out', 'Cid is back']));
    expect(await texts([cid1, cid2], position)).toEqual(Array(2).fill(['before the removal', 'Cid is back']));
    // Someone else's page (Ben's) is never someone's cached page by tag either.
    const bensTag = (await ben1.get(`${path}?limit=100`)).headers.get('etag')!;
    expect((await cid2.request('GET', `${path}?limit=100`, undefined, { 'if-none-match': bensTag })).status).toBe(200);
  });
});
