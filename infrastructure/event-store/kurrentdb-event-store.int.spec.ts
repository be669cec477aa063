import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../application/ports/event-store.js';
import { eventStoreContract } from '../../test/contract/event-store.contract.js';
import { KurrentDbEventStore } from './kurrentdb-event-store.js';

const url = process.env.EVENTSTORE_URL;
if (!url) {
  console.warn('⚠️  KurrentDB contract suite SKIPPED: EVENTSTORE_URL is unset (e.g. EVENTSTORE_URL=kurrentdb://127.0.0.1:2113?tls=false)');
}

describe.skipIf(!url)('KurrentDB adapter', () => {
  // The contract writes its own test event types, so this store reads every non-system event.
  eventStoreContract('KurrentDB', async () => {
    const store = KurrentDbEventStore.connect(url!, { eventTypes: null });
    return { store, teardown: () => store.close() };
  });

  describe('filtered to our event types, resumable from a checkpoint', () => {
    let store: KurrentDbEventStore;
    let everything: KurrentDbEventStore;
    beforeAll(() => {
      store = KurrentDbEventStore.connect(url!, { eventTypes: ['MessageSent'] });
      everything = KurrentDbEventStore.connect(url!, { eventTypes: null });
    });
    afterAll(async () => {
      await store?.close();
      await everything?.close();
    });

    const event = (type: string): NewEvent => ({
      id: randomUUID(),
      type,
      data: {},
      metadata: { userId: null, correlationId: randomUUID(), causationId: randomUUID(), timestamp: new Date().toISOString() },
    });

    it('reads and subscribes to only the configured types, and resumes after a checkpoint', async () => {
      const s = `filter-${randomUUID()}`;
      const start = await everything.headPosition();
      await store.appendToStream(s, [event('MessageSent'), event('SomethingElse'), event('MessageSent'), event('MessageSent')]);
      const ours = (await store.readAll({ after: start, limit: 100 })).filter((e) => e.streamId === s);
      expect(ours.map((e) => e.revision)).toEqual([0, 2, 3]);

      const subscription = store.subscribeToAll({ after: ours[0].position });
      const seen: RecordedEvent[] = [];
      for await (const e of subscription) {
        if (e.streamId !== s) continue;
        seen.push(e);
        if (seen.length === 2) break;
      }
      await subscription.close();
      expect(seen.map((e) => e.revision)).toEqual([2, 3]);
    });
  });
});
