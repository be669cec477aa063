import { describe, expect, it } from 'vitest';
import { FeedSync, type FeedPage } from '../../../web/src/client/sync/feed-sync.js';
import type { FeedEvent } from '../../../web/src/client/types.js';

const sent = (position: number): FeedEvent => ({
  type: 'MessageSent',
  position,
  data: { contactId: 'c1', messageId: `m${position}`, senderId: 'u2', text: `#${position}`, sentAt: '2024-05-01T10:00:00Z' },
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('FeedSync', () => {
  it('applies each live event once and drops repeats', () => {
    const applied: number[] = [];
    const sync = new FeedSync(
      async () => ({ events: [], hasMore: false }),
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);
    for (const position of [9, 10, 11, 11, 12]) sync.receive(sent(position));
    expect(applied).toEqual([11, 12]);
  });

  it('catches up page by page from the last position', async () => {
    const server = [11, 12, 13, 14, 15].map(sent);
    const asked: number[] = [];
    const applied: number[] = [];
    const sync = new FeedSync(
      async (after) => {
        asked.push(after);
        const events = server.filter((event) => event.position > after).slice(0, 2);
        return { events, hasMore: server.some((event) => event.position > (events.at(-1)?.position ?? after)) };
      },
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);
    await sync.catchUp();
    expect(asked).toEqual([10, 12, 14]);
    expect(applied).toEqual([11, 12, 13, 14, 15]);
  });

  it('holds live events during a catch-up and applies them after it, nothing doubled', async () => {
    const page = deferred<FeedPage>();
    const applied: number[] = [];
    const sync = new FeedSync(
      () => page.promise,
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);
    const catchingUp = sync.catchUp();
    // Pushed while the missed events are still being fetched: 13 is also in the page.
    sync.receive(sent(14));
    sync.receive(sent(13));
    expect(applied).toEqual([]);
    page.resolve({ events: [sent(11), sent(12), sent(13)], hasMore: false });
    await catchingUp;
    expect(applied).toEqual([11, 12, 13, 14]);
    sync.receive(sent(14));
    expect(applied).toEqual([11, 12, 13, 14]);
  });

  it('keeps holding live events when a catch-up fails, so a retry still gets the missed ones', async () => {
    let fail = true;
    const applied: number[] = [];
    const sync = new FeedSync(
      async () => {
        if (fail) throw new Error('offline');
        return { events: [sent(11)], hasMore: false };
      },
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);
    await expect(sync.catchUp()).rejects.toThrow('offline');
    sync.receive(sent(12));
    expect(applied).toEqual([]);
    fail = false;
    await sync.catchUp();
    expect(applied).toEqual([11, 12]);
  });

  it('holds events that race a snapshot load and applies only those after its position', () => {
    const applied: number[] = [];
    const sync = new FeedSync(
      async () => ({ events: [], hasMore: false }),
      (event) => applied.push(event.position),
    );
    sync.hold();
    sync.receive(sent(5));
    sync.receive(sent(7));
    sync.release(6);
    expect(applied).toEqual([7]);
    expect(sync.position).toBe(7);
  });

  it('catches up from the page the server sent with the reconnect, fetching only what it did not hold', async () => {
    const asked: number[] = [];
    const applied: number[] = [];
    const sync = new FeedSync(
      async (after) => {
        asked.push(after);
        return { events: [13, 14].filter((p) => p > after).map(sent), hasMore: false };
      },
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);

    // Everything in the page: nothing fetched.
    await sync.catchUp(Promise.resolve({ events: [sent(11)], hasMore: false }));
    expect(asked).toEqual([]);
    expect(applied).toEqual([11]);

    // A page with more behind it: the rest fetched from where the page ended.
    await sync.catchUp(Promise.resolve({ events: [sent(12)], hasMore: true }));
    expect(asked).toEqual([12]);
    expect(applied).toEqual([11, 12, 13, 14]);
  });

  it('fetches when the server sent no page, and holds live events until the page is in', async () => {
    const asked: number[] = [];
    const applied: number[] = [];
    const sync = new FeedSync(
      async (after) => {
        asked.push(after);
        return { events: [sent(11)], hasMore: false };
      },
      (event) => applied.push(event.position),
    );
    sync.setBaseline(10);
    await sync.catchUp(Promise.resolve(null));
    expect(asked).toEqual([10]);

    const page = deferred<FeedPage | null>();
    const running = sync.catchUp(page.promise);
    sync.receive(sent(13)); // pushed after the reconnect, before the page arrived
    expect(applied).toEqual([11]);
    page.resolve({ events: [sent(12), sent(13)], hasMore: false });
    await running;
    expect(applied).toEqual([11, 12, 13]);
    expect(asked).toEqual([10]);
  });
});
