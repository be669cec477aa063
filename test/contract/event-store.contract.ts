import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, NewEvent, RecordedEvent } from '../../application/ports/event-store.js';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';

export interface EventStoreFixture {
  store: EventStore;
  teardown(): Promise<void>;
}

/** A new event with fresh ids, for tests of any event store. */
export const newEvent = (type = 'TestHappened', data: unknown = {}): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { userId: null, correlationId: randomUUID(), causationId: randomUUID(), timestamp: new Date().toISOString() },
});

/**
 * The event-store contract: every adapter of the port runs this suite. Streams get random names and
 * reads of `$all` are filtered to them, so the suite also runs against a store that already holds events.
 */
export function eventStoreContract(name: string, createFixture: () => Promise<EventStoreFixture>) {
  describe(`event store contract: ${name}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    const stream = (label: string) => `test${label}-${randomUUID().replaceAll('-', '')}`;

    beforeAll(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.teardown();
    });

    it('appends to a new stream and reads it back in revision order', async () => {
      const s = stream('read');
      const events = [newEvent('A', { n: 1 }), newEvent('B', { n: 2 }), newEvent('C', { n: 3 })];
      const result = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
      expect(result.nextRevision).toBe(2);
      const read = await store.readStream(s);
      expect(read.map((e) => [e.type, e.data, e.revision, e.id])).toEqual([
        ['A', { n: 1 }, 0, events[0].id],
        ['B', { n: 2 }, 1, events[1].id],
        ['C', { n: 3 }, 2, events[2].id],
      ]);
      expect(read[2].position).toBe(result.position);
      expect(read[0].position).toBeLessThan(read[1].position);
      expect(read[0].metadata.correlationId).toBe(events[0].metadata.correlationId);
      expect(read.every((e) => e.streamId === s)).toBe(true);
    });

    it('reads a stream from a given revision, and an unknown stream as empty', async () => {
      const s = stream('from');
      await store.appendToStream(s, [newEvent(), newEvent(), newEvent(), newEvent()]);
      expect((await store.readStream(s, { from: 2 })).map((e) => e.revision)).toEqual([2, 3]);
      expect(await store.readStream(stream('missing'))).toEqual([]);
    });

    it('enforces expected revisions with a typed error carrying the actual revision', async () => {
      const s = stream('expect');
      await expect(store.appendToStream(s, [newEvent()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.appendToStream(s, [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({
        actual: 'no_stream',
      });
      await store.appendToStream(s, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
      await expect(store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        stream: s,
        actual: 1,
      });
      await expect(store.appendToStream(s, [newEvent()], { expectedRevision: 0 })).rejects.toMatchObject({ actual: 1 });
      const ok = await store.appendToStream(s, [newEvent()], { expectedRevision: 1 });
      expect(ok.nextRevision).toBe(2);
      await store.appendToStream(s, [newEvent()], { expectedRevision: 'stream_exists' });
      await store.appendToStream(s, [newEvent()], { expectedRevision: 'any' });
      expect((await store.readStream(s)).length).toBe(5);
    });

    it('lets exactly one of two concurrent writers at the same revision win', async () => {
      const s = stream('race');
      await store.appendToStream(s, [newEvent()]);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.appendToStream(s, [newEvent()], { expectedRevision: 0 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      expect((await store.readStream(s)).length).toBe(2);
    });

    it('treats an append of an already stored event id as a no-op answered with the stored position', async () => {
      const s = stream('idem');
      const event = newEvent('Once');
      const first = await store.appendToStream(s, [event], { expectedRevision: 'no_stream' });
      const again = await store.appendToStream(s, [event], { expectedRevision: 'no_stream' });
      expect(again.position).toBe(first.position);
      expect(again.nextRevision).toBe(first.nextRevision);
      expect(await store.readStream(s)).toHaveLength(1);
    });

    it('reads all streams in global order after a position, in pages', async () => {
      const start = await store.headPosition();
      const a = stream('alla');
      const b = stream('allb');
      await store.appendToStream(a, [newEvent('A1')]);
      await store.appendToStream(b, [newEvent('B1')]);
      await store.appendToStream(a, [newEvent('A2')]);
      const mine = await readAllOf(store, start, new Set([a, b]));
      expect(mine.map((e) => e.type)).toEqual(['A1', 'B1', 'A2']);
      const positions = mine.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      const head = await store.headPosition();
      expect(head).toBeGreaterThanOrEqual(positions[2]);
    });

    it('subscribes to all: catches up, then follows live appends', async () => {
      const start = await store.headPosition();
      const s = stream('sub');
      await store.appendToStream(s, [newEvent('Before')]);
      const subscription = store.subscribeToAll({ after: start });
      const seen: string[] = [];
      const done = (async () => {
        for await (const event of subscription) {
          if (event.streamId !== s) continue;
          seen.push(event.type);
          if (seen.length === 3) break;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      await store.appendToStream(s, [newEvent('Live1')]);
      await store.appendToStream(s, [newEvent('Live2')]);
      await withTimeout(done, 10_000, 'subscription did not deliver the live events');
      await subscription.close();
      expect(seen).toEqual(['Before', 'Live1', 'Live2']);
    });

    it('never lets a subscriber skip an event: 16 concurrent writers, every event once, positions increasing', async () => {
      const writers = 16;
      const perWriter = 40;
      const start = await store.headPosition();
      const prefix = `gap${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      const expected = new Set<string>();
      const subscription = store.subscribeToAll({ after: start, batchSize: 7 });
      const seen: RecordedEvent[] = [];
      const consumer = (async () => {
        for await (const event of subscription) {
          if (!event.streamId.startsWith(prefix)) continue;
          seen.push(event);
          if (seen.length === writers * perWriter) break;
        }
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < perWriter; i++) {
            const event = newEvent('Concurrent', { w, i });
            expected.add(event.id);
            // Streams are shared between pairs of writers so appends also contend on revisions.
            await store.appendToStream(`${prefix}-${w % 8}-${i % 3}`, [event], { expectedRevision: 'any' });
          }
        }),
      );
      await withTimeout(consumer, 30_000, `subscriber saw ${seen.length} of ${writers * perWriter}`);
      await subscription.close();
      const ids = seen.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(expected);
      for (let i = 1; i < seen.length; i++) expect(seen[i].position).toBeGreaterThan(seen[i - 1].position);
    });
  });
}

async function readAllOf(store: EventStore, after: number, streams: Set<string>) {
  const mine: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit: 2 });
    if (page.length === 0) return mine;
    mine.push(...page.filter((e) => streams.has(e.streamId)));
    position = page[page.length - 1].position;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}
