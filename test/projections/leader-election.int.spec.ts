import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import type { Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/projection-runner.js';
import { eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../support/postgres-event-store-fixture.js';

/** A projection that records every event it applies, to count applications. */
const counting: Projection = {
  name: 'counting',
  tables: ['applied'],
  async apply(sql, event: RecordedEvent) {
    await sql.query('INSERT INTO applied (position, event_id) VALUES ($1, $2)', [event.position, event.id]);
  },
};

describe('projection runners across nodes', () => {
  let fixture: PostgresEventStoreFixture;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    ({ db, pool, store } = fixture);
    await pool.query('CREATE TABLE applied (position bigint PRIMARY KEY, event_id uuid NOT NULL)');
  });
  afterAll(() => fixture.teardown());

  const append = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        store.appendToStream(`s-${randomUUID()}`, [
          { id: randomUUID(), type: 'Counted', data: {}, metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: new Date().toISOString() } },
        ]),
      ),
    );

  it('runs on one node, fails over to a standby when the leader dies, and applies every event exactly once', async () => {
    const options = { store, connectionString: db.url, standbyRetryMs: 100 };
    const a = new ProjectionRunner(counting, { ...options, nodeId: 'a' });
    const b = new ProjectionRunner(counting, { ...options, nodeId: 'b' });
    a.start();
    await eventually(() => a.state === 'running');
    b.start();
    await append(50);
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM applied')).rows[0].n === 50);
    expect(b.state).toBe('standby');

    // The leader's node dies: its connection is cut and it never comes back; the standby takes over.
    const leaderGone = a.stop();
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7355700 AND granted`,
    );
    await leaderGone;
    await append(50);
    await eventually(() => b.state === 'running', { timeoutMs: 5_000 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM applied')).rows[0].n === 100);
    const { rows } = await pool.query('SELECT node_id, position::int FROM projection_checkpoints WHERE name = $1', ['counting']);
    expect(rows[0]).toEqual({ node_id: 'b', position: await store.headPosition() });
    await b.stop();
  });
});
