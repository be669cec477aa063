import { describe, expect, it } from 'vitest';
import { Conversations } from '../../../web/src/client/conversations.js';
import { highlightSegments } from '../../../web/src/client/highlights.js';
import type { RestClient } from '../../../web/src/client/transport/rest-client.js';
import type { Message } from '../../../web/src/client/types.js';

describe('highlightSegments', () => {
  it('cuts the text at the offsets, marking the ranges', () => {
    expect(
      highlightSegments('lunch tomorrow at noon', [
        [0, 5],
        [6, 14],
      ]),
    ).toEqual([
      { text: 'lunch', highlighted: true },
      { text: ' ', highlighted: false },
      { text: 'tomorrow', highlighted: true },
      { text: ' at noon', highlighted: false },
    ]);
  });

  it('keeps markup in the text as text', () => {
    expect(highlightSegments('<b>bold</b> move', [[12, 16]])).toEqual([
      { text: '<b>bold</b> ', highlighted: false },
      { text: 'move', highlighted: true },
    ]);
  });

  it('sorts, merges overlapping or touching ranges, clips out-of-bounds ones and drops empty or reversed ones', () => {
    expect(
      highlightSegments('abcdefgh', [
        [6, 20],
        [1, 3],
        [2, 4],
        [5, 5],
        [4, 2],
        [-3, 1],
      ]),
    ).toEqual([
      { text: 'abcd', highlighted: true },
      { text: 'ef', highlighted: false },
      { text: 'gh', highlighted: true },
    ]);
    expect(highlightSegments('abc', [])).toEqual([{ text: 'abc', highlighted: false }]);
    expect(highlightSegments('', [[0, 3]])).toEqual([]);
  });

  it('counts in UTF-16 code units, as the server gives them', () => {
    expect(highlightSegments('😀 party', [[3, 8]])).toEqual([
      { text: '😀 ', highlighted: false },
      { text: 'party', highlighted: true },
    ]);
  });
});

describe('Conversations.loadUntil (jumping to a message)', () => {
  const history = Array.from({ length: 120 }, (_, n): Message => ({
    id: `m${String(n).padStart(3, '0')}`,
    contactId: 'c1',
    senderId: 'u1',
    text: `message ${n}`,
    sentAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    editedAt: null,
    deleted: false,
  }));
  /** The server's history pages (newest first, `before` an id), counting the requests. */
  function serverWith(messages: Message[]) {
    const requests: Array<{ before?: string }> = [];
    const api = {
      async listMessages(_contactId: string, page: { before?: string; limit?: number }) {
        requests.push({ before: page.before });
        const end = page.before ? messages.findIndex((message) => message.id === page.before) : messages.length;
        const start = Math.max(0, end - (page.limit ?? 50));
        return { messages: messages.slice(start, end), hasMore: start > 0 };
      },
    };
    return { conversations: new Conversations({ api: api as unknown as RestClient }), requests };
  }

  it('loads older pages until the message is there, and no further', async () => {
    const { conversations, requests } = serverWith(history);
    expect(await conversations.loadUntil('c1', 'm030')).toBe(true);
    expect(requests).toEqual([{ before: undefined }, { before: 'm070' }]);
    expect(conversations.of('c1').value.messages.some((message) => message.id === 'm030')).toBe(true);
  });

  it('answers false at the beginning of the conversation when the message is not in it', async () => {
    const { conversations, requests } = serverWith(history);
    expect(await conversations.loadUntil('c1', 'gone')).toBe(false);
    expect(requests.length).toBe(3);
    expect(conversations.of('c1').value).toMatchObject({ hasOlder: false });
    expect(conversations.of('c1').value.messages.length).toBe(120);
  });

  it('asks nothing more when the message is in the newest page', async () => {
    const { conversations, requests } = serverWith(history);
    expect(await conversations.loadUntil('c1', 'm119')).toBe(true);
    expect(requests.length).toBe(1);
  });
});
