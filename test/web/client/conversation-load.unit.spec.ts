import { describe, expect, it } from 'vitest';
import { Conversations } from '../../../web/src/client/conversations.js';
import type { RestClient } from '../../../web/src/client/transport/rest-client.js';
import type { FeedEvent, Message } from '../../../web/src/client/types.js';
import { alice, bob, message, messageSent } from './fixtures.js';

const edited = (position: number, messageId: string, text: string): FeedEvent => ({
  type: 'MessageEdited',
  position,
  data: { contactId: 'c1', messageId, editorId: alice.id, text, editedAt: '2024-05-01T12:00:00.000Z' },
});
const reacted = (position: number, messageId: string, userId: string, emoji: string): FeedEvent => ({
  type: 'ReactionAdded',
  position,
  data: { contactId: 'c1', messageId, userId, emoji, reactedAt: '2024-05-01T12:00:00.000Z' },
});

/** A history read that answers when told to, with the page as the server read it when the request arrived. */
function slowHistory(page: Message[]) {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const api = {
    async listMessages() {
      await answered;
      return { messages: page, hasMore: false };
    },
  };
  return { api: api as unknown as RestClient, answer };
}

/** Loads c1 while a new message, an edit of m1 and a reaction to it are pushed; the messages once the page is in. */
async function loadWhilePushed(history: ReturnType<typeof slowHistory>) {
  const conversations = new Conversations({ api: history.api });
  const loading = conversations.load('c1');
  conversations.apply(messageSent(10, 'm2', bob.id));
  conversations.apply(edited(11, 'm1', 'first, edited'));
  conversations.apply(reacted(12, 'm1', bob.id, '👍'));
  history.answer();
  await loading;
  return conversations.of('c1').value.messages;
}

describe('Conversations while the first page is on its way', () => {
  it('keep what the feed pushes meanwhile and apply it on top of the page, in order', async () => {
    // The server read the page before these events: none of them is in it.
    const history = slowHistory([message('m1', alice.id, 'first')]);
    const messages = await loadWhilePushed(history);
    expect(messages.map((m) => [m.id, m.text])).toEqual([
      ['m1', 'first, edited'],
      ['m2', 'text of m2'],
    ]);
    expect(messages[0].reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob.id] }]);
  });

  it('apply an event the page already holds without counting it twice', async () => {
    const inPage = { ...message('m1', alice.id, 'first, edited'), reactions: [{ emoji: '👍', count: 1, userIds: [bob.id] }] };
    const history = slowHistory([inPage, message('m2', bob.id, 'text of m2')]);
    const messages = await loadWhilePushed(history);
    expect(messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(messages[0].reactions).toEqual([{ emoji: '👍', count: 1, userIds: [bob.id] }]);
  });

  it('keep nothing for a conversation nobody is loading', async () => {
    const history = slowHistory([message('m1', alice.id)]);
    const conversations = new Conversations({ api: history.api });
    conversations.apply(messageSent(10, 'm2', bob.id));
    history.answer();
    await conversations.load('c1');
    expect(conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1']);
  });
});
