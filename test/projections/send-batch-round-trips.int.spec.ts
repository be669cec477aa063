import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { allProjections } from '../../projections/all-projections.js';
import { newEvent } from '../contract/event-store.contract.js';
import { eventually } from '../support/api-client.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../support/postgres-event-store-fixture.js';
import { recordingLog } from '../support/recording-log.js';

/**
 * Issue 21: on a quiet server every message is a batch of its own, and each of the batch's round trips wakes
 * the leader and a PostgreSQL backend (what a message costs at low rates on hosts where waking is dear).
 * Every read model applies a send in the first round trip (with begin and the fence); the checkpoints and
 * the commit take the second. Nothing waits on another's answer for nothing.
 */
describe("a message's projection batch", () => {
  let fixture: PostgresEventStoreFixture;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
  });
  afterAll(() => fixture.teardown());

  it('takes two round trips once the leader knows the conversation', async () => {
    const { store, db, pool } = fixture;
    const runner = new ProjectionRunner(allProjections(), { store, log: recordingLog(), connectionString: db.url, nodeId: 'trips' });
    runner.start();
    try {
      await eventually(() => runner.state === 'running', { timeoutMs: 10_000 });
      // The leader's own connection (private): every round trip ends in one ReadyForQuery from the server.
      const client = (runner as unknown as { client: pg.Client & { connection: NodeJS.EventEmitter } }).client;
      let roundTrips = 0;
      client.connection.on('readyForQuery', () => roundTrips++);

      const [contactId, ana, ben] = [randomUUID(), randomUUID(), randomUUID()];
      const stream = `contact-${contactId}`;
      const send = async (text: string) => {
        const event = newEvent('MessageSent', { contactId, messageId: randomUUID(), senderId: ana, text });
        const { position } = await store.appendToStream(stream, [event]);
        await eventually(() => runner.position >= position, { timeoutMs: 10_000 });
      };
      await store.appendToStream(stream, [newEvent('ContactAdded', { contactId, members: [ana, ben], addedBy: ana })]);
      await send('the first, which the leader may have to read around');

      const perSend: number[] = [];
      for (const text of ['one', 'two', 'three']) {
        const before = roundTrips;
        await send(text);
        perSend.push(roundTrips - before);
      }
      expect(perSend).toEqual([2, 2, 2]);
      const { rows } = await pool.query('SELECT text FROM messages WHERE contact_id = $1 ORDER BY seq', [contactId]);
      expect(rows.map((row) => row.text)).toEqual(['the first, which the leader may have to read around', 'one', 'two', 'three']);
    } finally {
      await runner.stop();
    }
  });
});
