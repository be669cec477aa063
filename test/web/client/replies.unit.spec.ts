import { describe, expect, it } from 'vitest';
import { Conversations } from '../../../web/src/client/conversations.js';
import { Drafts } from '../../../web/src/client/drafts.js';
import { memoryStore } from '../../../web/src/client/key-value-store.js';
import { firstLine, quoteFor, quoteOf, quoteView } from '../../../web/src/client/reply-quotes.js';
import { applyToConversation, emptyConversation, shownMessages, withLatestPage } from '../../../web/src/client/state/conversation-state.js';
import { Outbox, type OutboxEntry } from '../../../web/src/client/sync/outbox.js';
import { networkError } from '../../../web/src/client/transport/api-error.js';
import type { RestClient } from '../../../web/src/client/transport/rest-client.js';
import type { FeedEvent, Message } from '../../../web/src/client/types.js';
import { alice, bob, message } from './fixtures.js';

const replySent = (position: number, id: string, replyToId: string): FeedEvent => ({
  type: 'MessageSent',
  position,
  data: { contactId: 'c1', messageId: id, senderId: bob.id, text: `reply ${id}`, sentAt: '2024-05-01T11:00:00.000Z', replyToId },
});
const edited = (position: number, messageId: string, text: string): FeedEvent => ({
  type: 'MessageEdited',
  position,
  data: { contactId: 'c1', messageId, editorId: alice.id, text, editedAt: '2024-05-01T12:00:00.000Z' },
});
const deleted = (position: number, messageId: string): FeedEvent => ({
  type: 'MessageDeleted',
  position,
  data: { contactId: 'c1', messageId, deletedBy: alice.id, deletedAt: '2024-05-01T12:00:00.000Z' },
});
const loaded = (messages: Message[]) => withLatestPage(emptyConversation('c1'), messages, true);

describe('Reply quotes', () => {
  it('quote the first line, at most 140 code points, as the server does', () => {
    expect(firstLine('first\nsecond')).toBe('first');
    expect(firstLine('😀'.repeat(150))).toBe('😀'.repeat(140));
    expect(quoteOf({ ...message('m1', alice.id, 'gone'), deleted: true })).toEqual({
      id: 'm1',
      senderId: alice.id,
      text: null,
      deleted: true,
    });
  });

  it('come from the loaded original first, then the server’s quote, else are unknown', () => {
    const original = message('m1', alice.id, 'Lunch?\nat noon');
    const serverQuote = { id: 'm1', senderId: alice.id, text: 'old text', deleted: false };
    expect(quoteFor({ replyTo: serverQuote }, [original])).toEqual({ id: 'm1', senderId: alice.id, text: 'Lunch?', deleted: false });
    expect(quoteFor({ replyTo: serverQuote }, [])).toEqual(serverQuote);
    expect(quoteFor({ replyToId: 'm1' }, [])).toBe('unknown');
    expect(quoteFor({}, [original])).toBeNull();
    expect(quoteView({ replyToId: 'm1' }, [], () => 'Alice')).toEqual({ id: 'm1', sender: null, text: null, deleted: false });
    expect(quoteView({ replyToId: 'm1' }, [original], (id) => (id === alice.id ? 'Alice' : '?'))).toEqual({
      id: 'm1',
      sender: 'Alice',
      text: 'Lunch?',
      deleted: false,
    });
  });

  it('keep a live reply’s target, and follow an edit or a deletion of an original that is not loaded', () => {
    const fromServer = { ...message('r1', bob.id), replyTo: { id: 'old', senderId: alice.id, text: 'before', deleted: false } };
    let state = applyToConversation(loaded([fromServer]), replySent(5, 'r2', 'old'));
    expect(state.messages.find((m) => m.id === 'r2')).toMatchObject({ replyToId: 'old' });
    state = applyToConversation(state, edited(6, 'old', 'after\nmore'));
    expect(state.messages[0].replyTo).toEqual({ id: 'old', senderId: alice.id, text: 'after', deleted: false });
    state = applyToConversation(state, deleted(7, 'old'));
    expect(state.messages[0].replyTo).toEqual({ id: 'old', senderId: alice.id, text: null, deleted: true });
    // A loaded original's deletion shows in a quote built from it.
    const withOriginal = applyToConversation(loaded([message('m1', alice.id, 'hi')]), replySent(8, 'r3', 'm1'));
    const after = applyToConversation(withOriginal, deleted(9, 'm1'));
    expect(quoteFor(after.messages[1], after.messages)).toEqual({ id: 'm1', senderId: alice.id, text: null, deleted: true });
  });

  it('show an unsent reply with its quote', () => {
    const entry: OutboxEntry = {
      id: 'p1',
      contactId: 'c1',
      senderId: alice.id,
      text: 'yes',
      replyTo: { id: 'm1', senderId: bob.id, text: 'Lunch?', deleted: false },
      createdAt: '2024-05-01T11:00:00.000Z',
      status: 'pending',
      attempts: 0,
    };
    expect(shownMessages(loaded([]), [entry])[0]).toMatchObject({ id: 'p1', status: 'pending', replyTo: entry.replyTo });
  });
});

describe('A queued reply', () => {
  it('stays a reply across a failed attempt, a retry and a reload from storage', async () => {
    const storage = memoryStore();
    const sent: OutboxEntry[] = [];
    const timers: Array<() => void> = [];
    let online = false;
    const options = {
      storage,
      key: 'outbox',
      senderId: alice.id,
      send: async (entry: OutboxEntry) => {
        if (!online) throw networkError(new Error('offline'));
        sent.push(entry);
        return { ...message(entry.id, alice.id, entry.text), replyTo: entry.replyTo };
      },
      onSent: () => undefined,
      newId: () => 'p1',
      setTimer: (run: () => void) => timers.push(run),
      clearTimer: () => undefined,
    };
    const quote = { id: 'm1', senderId: bob.id, text: 'Lunch?', deleted: false };
    const outbox = new Outbox(options);
    outbox.enqueue('c1', 'yes', [], quote);
    await outbox.flush();
    expect(sent).toEqual([]);
    outbox.stop();

    online = true;
    const reloaded = new Outbox(options);
    expect(reloaded.all[0]).toMatchObject({ id: 'p1', replyTo: quote });
    await reloaded.flush();
    expect(sent.map((entry) => [entry.id, entry.replyTo])).toEqual([['p1', quote]]);
  });
});

describe('A draft’s reply target', () => {
  it('is kept per conversation and user, and cleared with the draft', () => {
    const storage = memoryStore();
    let user = 'u1';
    const drafts = new Drafts(storage, () => `d:${user}`);
    const quote = { id: 'm1', senderId: bob.id, text: 'Lunch?', deleted: false };
    drafts.setReplyTo('c1', quote);
    expect([drafts.replyTo('c1'), drafts.replyTo('c2')]).toEqual([quote, null]);
    user = 'u2';
    expect(drafts.replyTo('c1')).toBeNull();
    user = 'u1';
    drafts.clear('c1');
    expect(drafts.replyTo('c1')).toBeNull();
  });
});

describe('Conversations with a live reply to a message not loaded', () => {
  it('read the newest page once the history has the reply, which brings the server’s quote', async () => {
    const quote = { id: 'old', senderId: alice.id, text: 'way back', deleted: false };
    const requests: Array<{ limit?: number; minPosition?: number }> = [];
    let newest: Message[] = [message('m1', alice.id)];
    const api = {
      async listMessages(_contactId: string, page: { limit?: number; minPosition?: number }) {
        requests.push(page);
        return { messages: newest, hasMore: true };
      },
    };
    const conversations = new Conversations({ api: api as unknown as RestClient });
    await conversations.load('c1');
    newest = [message('m1', alice.id), { ...message('r1', bob.id, 'reply r1', '2024-05-01T11:00:00.000Z'), replyTo: quote }];
    conversations.apply(replySent(42, 'r1', 'old'));
    expect(requests).toEqual([{ limit: 50 }, { limit: 50, minPosition: 42 }]);
    await expect.poll(() => conversations.of('c1').value.messages.find((m) => m.id === 'r1')?.replyTo).toEqual(quote);

    // A reply whose original is loaded needs no read.
    conversations.apply(replySent(43, 'r2', 'm1'));
    expect(requests.length).toBe(2);
  });
});
