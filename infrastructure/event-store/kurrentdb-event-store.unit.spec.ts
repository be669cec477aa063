import { Readable } from 'node:stream';
import {
  START,
  StreamNotFoundError,
  UnavailableError,
  type AllStreamResolvedEvent,
  type KurrentDBClient,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { KurrentDbEventStore } from './kurrentdb-event-store.js';

/*
 * No KurrentDB server runs here, so these pin down the adapter's own logic around the client (exclusive
 * reads after a position, resubscribing without gaps or repeats, idempotent-append positions) with a
 * stand-in for the client's three calls. The contract suite covers the real server when EVENTSTORE_URL is set.
 */

const at = (offset: number, type = 'MessageSent', stream = 'contact-1'): AllStreamResolvedEvent => ({
  event: {
    streamId: stream,
    id: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
    isJson: true,
    revision: BigInt(offset),
    type,
    created: new Date(),
    data: { offset },
    metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: new Date().toISOString() },
    position: { commit: BigInt(offset), prepare: BigInt(offset) },
  },
  commitPosition: BigInt(offset),
});

const offsetOf = (from: ReadPosition | undefined) =>
  from === START || from === undefined ? 0 : Number((from as { commit: bigint }).commit);

function storeOn(client: Partial<Record<keyof KurrentDBClient, unknown>>) {
  return new KurrentDbEventStore(client as unknown as KurrentDBClient, { eventTypes: null });
}

describe('KurrentDbEventStore around the client', () => {
  it('reads $all strictly after the given position (KurrentDB reads it inclusively)', async () => {
    const log = [at(100), at(200), at(300), at(400)];
    const store = storeOn({
      readAll: async function* ({ fromPosition, maxCount }: { fromPosition: ReadPosition; maxCount: number }) {
        yield* log.filter((e) => offsetOf(fromPosition) <= Number(e.commitPosition)).slice(0, maxCount);
      },
    });
    expect((await store.readAll({ after: 200, limit: 2 })).map((e) => e.position)).toEqual([300, 400]);
    expect((await store.readAll({ after: 0, limit: 3 })).map((e) => e.position)).toEqual([100, 200, 300]);
  });

  it('reads an unknown stream as empty', async () => {
    const store = storeOn({
      // A stream that fails before its first event.
      // eslint-disable-next-line require-yield
      readStream: async function* () {
        throw new StreamNotFoundError(undefined, 'nope');
      },
    });
    expect(await store.readStream('nope')).toEqual([]);
  });

  it('answers an idempotent append that came back without a position with the stored event position', async () => {
    const store = storeOn({
      appendToStream: async () => ({ success: true, nextExpectedRevision: 2n }),
      readStream: async function* (_stream: string, { fromRevision }: { fromRevision: bigint }) {
        expect(fromRevision).toBe(2n);
        yield { event: at(700).event };
      },
    });
    const event = {
      id: 'x',
      type: 'MessageSent',
      data: {},
      metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: '' },
    };
    expect(await store.appendToStream('contact-1', [event], { expectedRevision: 1 })).toEqual({ nextRevision: 2, position: 700 });
  });

  it('resubscribes from the last delivered position when the server drops the subscription: no gap, no repeat', async () => {
    const log = [at(10), at(20), at(30), at(40), at(50)];
    const subscribedFrom: number[] = [];
    const drops: unknown[] = [];
    const client = {
      subscribeToAll({ fromPosition }: { fromPosition: ReadPosition }) {
        const from = offsetOf(fromPosition);
        subscribedFrom.push(from);
        const first = subscribedFrom.length === 1;
        // The first connection delivers two events (and repeats the start position, which must be skipped), then fails.
        const events = first ? [at(10), at(20)] : log.filter((e) => Number(e.commitPosition) >= from);
        const stream = new Readable({ objectMode: true, read() {} }) as Readable & { unsubscribe(): Promise<void> };
        stream.unsubscribe = async () => void stream.destroy();
        for (const e of events) stream.push(e);
        if (first) setTimeout(() => stream.destroy(new UnavailableError()), 10);
        return stream;
      },
    };
    const store = new KurrentDbEventStore(client as unknown as KurrentDBClient, {
      eventTypes: null,
      onSubscriptionDropped: (e) => drops.push(e),
    });
    const subscription = store.subscribeToAll({ after: 0 });
    const seen: RecordedEvent[] = [];
    for await (const event of subscription) {
      seen.push(event);
      if (seen.length === 5) break;
    }
    await subscription.close();
    expect(seen.map((e) => e.position)).toEqual([10, 20, 30, 40, 50]);
    expect(subscribedFrom).toEqual([0, 20]);
    expect(drops).toHaveLength(1);
  });

  it('close() ends a subscription that is waiting for live events', async () => {
    const client = {
      subscribeToAll() {
        const stream = new Readable({ objectMode: true, read() {} }) as Readable & { unsubscribe(): Promise<void> };
        stream.unsubscribe = async () => void stream.push(null);
        return stream;
      },
    };
    const subscription = storeOn(client).subscribeToAll({ after: 0 });
    const consumer = (async () => {
      for await (const _ of subscription) void _;
    })();
    await new Promise((r) => setTimeout(r, 20));
    await subscription.close();
    await expect(consumer).resolves.toBeUndefined();
  });
});
