import { randomUUID } from 'node:crypto';
import { ADVISORY_LOCKS } from '../../infrastructure/database/advisory-locks.js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import type { Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../support/postgres-event-store-fixture.js';
import { recordingLog } from '../support/recording-log.js';

/** A projection that records every event it applies, to count applications. */
const counting: Projection = {
  name: 'counting',
  tables: ['applied'],
  async apply(sql, events) {
    for (const event of events) await sql.query('INSERT INTO applied (position, event_id) VALUES ($1, $2)', [event.position, event.id]);
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
          {
            id: randomUUID(),
            type: 'Counted',
            data: {},
            metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: new Date().toISOString() },
          },
        ]),
      ),
    );

  it('runs on one node, fails over to a standby when the leader dies, and applies every event exactly once', async () => {
    const options = { store, connectionString: db.url, standbyRetryMs: 100, log: recordingLog() };
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
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${ADVISORY_LOCKS.projectionRunner} AND granted`,
    );
    await leaderGone;
    await append(50);
    await eventually(() => b.state === 'running', { timeoutMs: 5_000 });
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM applied')).rows[0].n === 100);
    const { rows } = await pool.query('SELECT node_id, position::int FROM projection_checkpoints WHERE name = $1', ['counting']);
    expect(rows[0]).toEqual({ node_id: 'b', position: await store.headPosition() });
    await b.stop();
  });

  it('logs a push a subscriber lost, with the positions it came from, and hands it the next batches', async () => {
    // Outputs without tables of its own: each event it is handed comes back as an output for the subscriber.
    const pushing: Projection<number> = { name: 'pushing', tables: [], apply: async (_, events) => events.map((e) => e.position) };
    const log = recordingLog();
    const runner = new ProjectionRunner(pushing, { store, log, connectionString: db.url, nodeId: 'push', standbyRetryMs: 100 });
    const delivered: number[] = [];
    let failures = 1;
    runner.subscribe<number>({
      name: 'socket push',
      projection: 'pushing',
      deliver: (positions) => {
        if (failures-- > 0) throw new Error('Redis went away');
        delivered.push(...positions);
      },
    });
    const head = await store.headPosition();
    await pool.query("INSERT INTO projection_checkpoints (name, position) VALUES ('pushing', $1)", [head]);
    runner.start();
    await eventually(() => runner.state === 'running');
    await append(1);
    const lost = await store.headPosition();
    await eventually(() => log.entries.some((e) => e.level === 'error'));
    expect(log.entries.find((e) => e.level === 'error')).toMatchObject({
      msg: 'projection subscriber failed; what it was handed is lost',
      fields: {
        subscriber: 'socket push',
        projection: 'pushing',
        outputs: 1,
        from: lost,
        to: lost,
        err: expect.objectContaining({ message: 'Redis went away' }),
      },
    });
    await append(1);
    await eventually(() => delivered.length === 1);
    expect(delivered[0]).toBeGreaterThan(lost);
    await runner.stop();
  });

  it('stops when asked while it is still connecting (a node closed the moment it started)', async () => {
    const runner = new ProjectionRunner(counting, { store, log: recordingLog(), connectionString: db.url, nodeId: 'quick' });
    runner.start();
    await runner.stop(); // before the fix: never settled, as pg's connect never answers once end() came first
    expect(runner.state).toBe('stopped');
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = ${ADVISORY_LOCKS.projectionRunner} AND granted`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('stops when asked while it is becoming the leader (a node closed right after it started)', async () => {
    let leading!: () => void;
    const inOnLeading = new Promise<void>((resolve) => (leading = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const runner = new ProjectionRunner(counting, {
      store,
      log: recordingLog(),
      connectionString: db.url,
      nodeId: 'quick',
      standbyRetryMs: 100,
      onLeading: () => (leading(), released),
    });
    runner.start();
    await inOnLeading;
    const stopped = runner.stop();
    release();
    const outcome = await Promise.race([
      stopped.then(() => 'stopped'),
      new Promise((r) => setTimeout(() => r('still running after 3 s'), 3_000)),
    ]);
    expect(outcome).toBe('stopped');
  });

  /**
   * How many of `looks` at pg_locks find `name`'s lock held. A standby that could not take all of its group's
   * locks gives back those it got within its attempt's statement, so it may be caught in the act once in a
   * while, but one that kept them (and blocked every other node for good) is seen at every look.
   */
  async function looksFindingHeld(name: string, looks = 40) {
    let seen = 0;
    for (let look = 0; look < looks; look++) {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = ${ADVISORY_LOCKS.projectionRunner}
           AND objid = hashtext($1)::oid AND granted`,
        [name],
      );
      seen += rows[0].n;
    }
    return seen;
  }

  it("a node that could not take all of a group's locks does not keep any of them while it keeps trying", async () => {
    const names = [`held_${randomUUID().slice(0, 8)}`, `taken_${randomUUID().slice(0, 8)}`];
    const blocker = await pool.connect();
    await blocker.query(`SELECT pg_advisory_lock(${ADVISORY_LOCKS.projectionRunner}, hashtext($1))`, [names[1]]);
    const group = names.map((name) => ({ ...counting, name }));
    const runner = new ProjectionRunner(group, {
      store,
      log: recordingLog(),
      connectionString: db.url,
      nodeId: 'tries',
      standbyRetryMs: 5,
    });
    runner.start();
    try {
      expect(await looksFindingHeld(names[0])).toBeLessThan(20);
      expect(runner.state).toBe('standby');
    } finally {
      await runner.stop();
      await blocker.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCKS.projectionRunner}, hashtext($1))`, [names[1]]);
      blocker.release();
    }
  });

  it('leads a group only with all of its locks, applies each projection from its own checkpoint in one transaction, and never moves a checkpoint back', async () => {
    await pool.query('CREATE TABLE applied_b (position bigint PRIMARY KEY)');
    const second: Projection = {
      name: 'second',
      tables: ['applied_b'],
      async apply(sql, events) {
        for (const event of events) await sql.query('INSERT INTO applied_b (position) VALUES ($1)', [event.position]);
      },
    };
    const group = [{ ...counting, name: 'counting_group' }, second];
    await pool.query('CREATE TABLE IF NOT EXISTS applied (position bigint PRIMARY KEY, event_id uuid NOT NULL)');
    await pool.query('TRUNCATE applied');
    await append(10);
    const head = await store.headPosition();
    // `second` was rebuilt up to the head already; `counting_group` starts from scratch.
    await pool.query("INSERT INTO projection_checkpoints (name, position) VALUES ('second', $1)", [head]);

    // Another node holds one of the group's locks: no one may lead the group.
    const blocker = await pool.connect();
    await blocker.query(`SELECT pg_advisory_lock(${ADVISORY_LOCKS.projectionRunner}, hashtext('second'))`);
    const runner = new ProjectionRunner(group, {
      store,
      log: recordingLog(),
      connectionString: db.url,
      nodeId: 'g',
      standbyRetryMs: 100,
      batchSize: 5,
    });
    runner.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(runner.state).toBe('standby');
    expect(await looksFindingHeld('counting_group')).toBeLessThan(20);
    await blocker.query(`SELECT pg_advisory_unlock(${ADVISORY_LOCKS.projectionRunner}, hashtext('second'))`);
    blocker.release();

    await eventually(() => runner.state === 'running', { timeoutMs: 5_000 });
    await append(5);
    const newHead = await store.headPosition();
    const { rows: logged } = await pool.query('SELECT count(*)::int AS n FROM events');
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM applied')).rows[0].n === logged[0].n);
    await eventually(async () => (await pool.query('SELECT count(*)::int AS n FROM applied_b')).rows[0].n === 5);
    const { rows: applied } = await pool.query<{ position: string }>('SELECT position FROM applied_b ORDER BY position');
    expect(applied.every((r) => Number(r.position) > head)).toBe(true);
    await eventually(async () => {
      const { rows } = await pool.query(
        "SELECT name, position::int FROM projection_checkpoints WHERE name IN ('counting_group', 'second') ORDER BY name",
      );
      return rows[0].position === newHead && rows[1].position === newHead;
    });
    await runner.stop();
  });
});
