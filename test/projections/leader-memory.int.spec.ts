import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { contactListProjection } from '../../projections/contact-list/contact-list.projection.js';
import { feedProjection } from '../../projections/feed/feed.projection.js';
import type { Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { newEvent } from '../contract/event-store.contract.js';
import { eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../support/postgres-event-store-fixture.js';
import { recordingLog } from '../support/recording-log.js';

/**
 * The leader remembers the contact-list rows and contact members it wrote, and does not read them again in
 * the next batch. That is only true while every batch commits.
 */
describe("a projection leader's memory", () => {
  let fixture: PostgresEventStoreFixture;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    ({ db, pool, store } = fixture);
  });
  afterAll(() => fixture.teardown());

  it('is dropped when a batch fails, so a retried batch writes what the failed one only remembered', async () => {
    // Fails the first batch that holds a ContactAdded, after the feed (earlier in the group) applied it.
    let failures = 0;
    const failOnce: Projection = {
      name: 'fail_once',
      tables: [],
      async apply(_sql, events) {
        if (events.some((e) => e.type === 'ContactAdded') && failures === 0) {
          failures++;
          throw new Error('injected failure');
        }
      },
    };
    const runner = new ProjectionRunner([feedProjection, contactListProjection, failOnce], {
      store,
      log: recordingLog(),
      connectionString: db.url,
      nodeId: 'memory-test',
      standbyRetryMs: 50,
    });
    runner.start();
    try {
      const [contactId, ana, ben] = [randomUUID(), randomUUID(), randomUUID()];
      const stream = `contact-${contactId}`;
      await store.appendToStream(stream, [newEvent('ContactAdded', { contactId, members: [ana, ben], addedBy: ana })]);
      await eventually(() => failures === 1 && runner.position > 0, { timeoutMs: 10_000 });
      const sent = newEvent('MessageSent', { contactId, messageId: randomUUID(), senderId: ana, text: 'after the retry' });
      const { position } = await store.appendToStream(stream, [sent]);
      await eventually(() => runner.position >= position, { timeoutMs: 10_000 });

      const members = await pool.query('SELECT user_id::text FROM feed_contact_members WHERE contact_id = $1 ORDER BY 1', [contactId]);
      expect(members.rows.map((r) => r.user_id)).toEqual([ana, ben].sort());
      const feed = await pool.query('SELECT user_id::text, type FROM feed ORDER BY position, user_id');
      expect(feed.rows).toEqual(
        [ana, ben]
          .sort()
          .map((user_id) => ({ user_id, type: 'ContactAdded' }))
          .concat([ana, ben].sort().map((user_id) => ({ user_id, type: 'MessageSent' }))),
      );
      // The message moved both entries' activity: the retried batch wrote the entries the failed one only remembered.
      const list = await pool.query('SELECT user_id::text, last_activity_at = $1::timestamptz AS moved FROM contact_list ORDER BY 1', [
        sent.metadata.timestamp,
      ]);
      expect(list.rows).toEqual([ana, ben].sort().map((user_id) => ({ user_id, moved: true })));
      // A failure that is not the event's own is retried, never parked.
      expect((await pool.query('SELECT * FROM projection_parked_events')).rows).toEqual([]);
    } finally {
      await runner.stop();
    }
  });
});
