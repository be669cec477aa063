import { describe, expect, it, vi } from 'vitest';
import { ApiError, networkError } from '../../../web/src/client/transport/api-error.js';
import { memoryStore } from '../../../web/src/client/key-value-store.js';
import { Outbox, type OutboxEntry, type OutboxOptions } from '../../../web/src/client/sync/outbox.js';
import type { Message } from '../../../web/src/client/types.js';

const asMessage = (entry: OutboxEntry): Message => ({
  id: entry.id,
  contactId: entry.contactId,
  senderId: entry.senderId,
  text: entry.text,
  sentAt: '2024-05-01T10:00:00.000Z',
  editedAt: null,
  deleted: false,
});

function setup(overrides: Partial<OutboxOptions> = {}) {
  let ids = 0;
  const timers: Array<() => void> = [];
  const sent: Message[] = [];
  const options: OutboxOptions = {
    storage: memoryStore(),
    key: 'outbox',
    senderId: 'me',
    send: async (entry) => asMessage(entry),
    onSent: (message) => sent.push(message),
    newId: () => `m${++ids}`,
    now: () => new Date('2024-05-01T10:00:00.000Z'),
    setTimer: (run) => timers.push(run),
    clearTimer: () => undefined,
    ...overrides,
  };
  return { options, outbox: new Outbox(options), sent, timers };
}

describe('Outbox', () => {
  it('shows a message at once as pending and removes it when the server confirms it', async () => {
    let release!: () => void;
    const { outbox, sent } = setup({
      send: (entry) => new Promise((resolve) => (release = () => resolve(asMessage(entry)))),
    });
    const entry = outbox.enqueue('c1', 'hello');
    expect(outbox.entriesFor('c1')).toEqual([expect.objectContaining({ id: 'm1', text: 'hello', status: 'pending' })]);
    release();
    await outbox.flush();
    expect(outbox.all).toEqual([]);
    expect(sent.map((message) => message.id)).toEqual([entry.id]);
  });

  it('sends one at a time, in the order written', async () => {
    const order: string[] = [];
    const { outbox } = setup({
      send: async (entry) => {
        order.push(`start ${entry.text}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`end ${entry.text}`);
        return asMessage(entry);
      },
    });
    outbox.enqueue('c1', 'one');
    outbox.enqueue('c1', 'two');
    outbox.enqueue('c2', 'three');
    await outbox.flush();
    await outbox.flush();
    expect(order).toEqual(['start one', 'end one', 'start two', 'end two', 'start three', 'end three']);
  });

  it('retries after a network failure with the same id, so the server can drop a repeat', async () => {
    const attempts: string[] = [];
    let online = false;
    const { outbox, timers, sent } = setup({
      send: async (entry) => {
        attempts.push(entry.id);
        if (!online) throw networkError(new TypeError('Failed to fetch'));
        return asMessage(entry);
      },
    });
    outbox.enqueue('c1', 'hello');
    await outbox.flush();
    expect(outbox.all[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(timers).toHaveLength(1);

    online = true;
    timers[0]();
    await outbox.flush();
    expect(attempts).toEqual(['m1', 'm1']);
    expect(outbox.all).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('marks a message the server refuses as failed, keeps going, and can retry or discard it', async () => {
    const { outbox } = setup({
      send: async (entry) => {
        if (entry.text === 'bad') throw new ApiError(400, 'VALIDATION_ERROR', 'text too long');
        return asMessage(entry);
      },
    });
    outbox.enqueue('c1', 'bad');
    outbox.enqueue('c1', 'good');
    await outbox.flush();
    await outbox.flush();
    expect(outbox.all).toEqual([expect.objectContaining({ text: 'bad', status: 'failed', error: 'text too long' })]);
    outbox.discard(outbox.all[0].id);
    expect(outbox.all).toEqual([]);
  });

  it('keeps unsent messages across a reload (a new Outbox on the same storage) and sends them', async () => {
    const storage = memoryStore();
    const first = setup({ storage, send: async () => Promise.reject(networkError(new Error('offline'))) });
    first.outbox.enqueue('c1', 'survives');
    await first.outbox.flush();
    first.outbox.stop();

    const sendAfterReload = vi.fn(async (entry: OutboxEntry) => asMessage(entry));
    const second = setup({ storage, send: sendAfterReload });
    expect(second.outbox.entriesFor('c1')).toEqual([expect.objectContaining({ id: 'm1', text: 'survives' })]);
    await second.outbox.flush();
    expect(sendAfterReload).toHaveBeenCalledWith(expect.objectContaining({ id: 'm1', text: 'survives' }));
    expect(second.outbox.all).toEqual([]);
    expect(JSON.parse(storage.getItem('outbox')!)).toEqual([]);
  });

  it('stops sending a message whose MessageSent already arrived', async () => {
    let release!: () => void;
    const { outbox } = setup({ send: (entry) => new Promise((resolve) => (release = () => resolve(asMessage(entry)))) });
    outbox.enqueue('c1', 'a');
    outbox.enqueue('c1', 'b');
    outbox.confirm('m2');
    release();
    await outbox.flush();
    expect(outbox.all).toEqual([]);
  });

  it('keeps a message pending, without retry timers, when the session is gone (401)', async () => {
    const { outbox, timers } = setup({ send: async () => Promise.reject(new ApiError(401, 'UNAUTHORIZED', 'signed out')) });
    outbox.enqueue('c1', 'later');
    await outbox.flush();
    expect(outbox.all[0]).toMatchObject({ status: 'pending' });
    expect(timers).toEqual([]);
  });
});
