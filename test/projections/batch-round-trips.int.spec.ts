import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SQLSTATE } from '../../infrastructure/database/sqlstate.js';
import type { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { allProjections } from '../../projections/all-projections.js';
import { lastQuery, type Projection } from '../../projections/projection.js';
import { newEvent } from '../contract/event-store.contract.js';
import { eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../support/postgres-event-store-fixture.js';
import { recordingLog } from '../support/recording-log.js';

/**
 * Issue 21: at the rates people send, every round trip of a send's projection batch is a wake-up of the
 * projecting node and of a PostgreSQL backend. The batch of one sent message (every read model, the fence and
 * the checkpoints) goes to PostgreSQL in one round trip, commit included; a leader whose checkpoints were
 * moved under it still commits nothing.
 */
describe("the round trips of a send's projection batch", () => {
  let fixture: PostgresEventStoreFixture;
  let db: TestDatabase;
  let store: PostgresEventStore;
  let runner: ProjectionRunner | null = null;
  const log = recordingLog();

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    ({ db, store } = fixture);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await runner?.stop();
    runner = null;
  });
  afterAll(() => fixture.teardown());

  function startRunner() {
    runner = new ProjectionRunner(allProjections(), { store, log, connectionString: db.url, nodeId: 'round-trips', standbyRetryMs: 50 });
    runner.start();
    return runner;
  }

  /** A contact whose first message was projected, so that a send is the leader's usual batch. */
  async function contactWithAMessage(leader: ProjectionRunner) {
    const [contactId, ana, ben] = [randomUUID(), randomUUID(), randomUUID()];
    const stream = `contact-${contactId}`;
    await store.appendToStream(stream, [newEvent('ContactAdded', { contactId, members: [ana, ben], addedBy: ana })]);
    const { position } = await store.appendToStream(stream, [
      newEvent('MessageSent', { contactId, messageId: randomUUID(), senderId: ana, text: 'first' }),
    ]);
    await eventually(() => leader.position >= position, { timeoutMs: 10_000 });
    const send = async (text: string) =>
      (await store.appendToStream(stream, [newEvent('MessageSent', { contactId, messageId: randomUUID(), senderId: ben, text })])).position;
    return { contactId, ana, ben, send };
  }

  /** The queries each connection sent while `run` ran: a simple query is one round trip. */
  async function queriesDuring(run: () => Promise<void>) {
    const sent = new Map<pg.Client, string[]>();
    const query = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
      sent.set(this, [...(sent.get(this) ?? []), text]);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    await run();
    vi.restoreAllMocks();
    return [...sent.values()].filter((texts) => texts.some((text) => text.startsWith('BEGIN')));
  }

  it('is one round trip, commit included, for each message sent', async () => {
    const leader = startRunner();
    const { contactId, send } = await contactWithAMessage(leader);
    const batches = await queriesDuring(async () => {
      for (const text of ['one', 'two', 'three']) {
        const position = await send(text);
        await eventually(() => leader.position >= position, { timeoutMs: 10_000 });
      }
    });
    expect(batches).toHaveLength(1);
    const [leaderQueries] = batches;
    expect(leaderQueries).toHaveLength(3);
    // Prepared on the leader's connection before: the statements go as EXECUTEs.
    for (const query of leaderQueries) expect(query).toMatch(/^BEGIN;\n[\s\S]*;\nCOMMIT$/);
    const { rows } = await fixture.pool.query('SELECT text FROM messages WHERE contact_id = $1 ORDER BY seq', [contactId]);
    expect(rows.map((r) => r.text)).toEqual(['first', 'one', 'two', 'three']);
  });

  it('is one round trip for a sign-up too', async () => {
    const leader = startRunner();
    await contactWithAMessage(leader);
    const batches = await queriesDuring(async () => {
      const userId = randomUUID();
      const { position } = await store.appendToStream(`user-${userId}`, [
        newEvent('AccountRegistered', { userId, username: `u${userId.slice(0, 8)}`, displayName: 'New person' }),
      ]);
      await eventually(() => leader.position >= position, { timeoutMs: 10_000 });
    });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([expect.stringMatching(/^BEGIN;\n[\s\S]*;\nCOMMIT$/)]);
  });

  it('is one round trip for each step of a call: it rings, is answered, ends', async () => {
    const leader = startRunner();
    const { contactId, ana, ben } = await contactWithAMessage(leader);
    const meetingId = randomUUID();
    const now = () => new Date().toISOString();
    const steps = [
      newEvent('MeetingStarted', {
        meetingId,
        contactId,
        startedBy: ana,
        members: [ana, ben],
        invitees: [ben],
        startedAt: now(),
        ringUntil: now(),
      }),
      newEvent('ParticipantJoined', { meetingId, contactId, userId: ana, peerId: 'peer-ana', joinedAt: now() }),
      newEvent('ParticipantJoined', { meetingId, contactId, userId: ben, peerId: 'peer-ben', joinedAt: now() }),
      newEvent('MeetingEnded', { meetingId, contactId, reason: 'ended', endedBy: ana, endedAt: now() }),
    ];
    const batches = await queriesDuring(async () => {
      for (const step of steps) {
        const { position } = await store.appendToStream(`meeting-${meetingId}`, [step]);
        await eventually(() => leader.position >= position, { timeoutMs: 10_000 });
      }
    });
    expect(batches).toHaveLength(1);
    // The end reads the meeting's call-log entry first: one round trip more, the commit in it.
    const [ringing, aJoins, bJoins, ending, ended] = batches[0];
    for (const query of [ringing, aJoins, bJoins]) expect(query).toMatch(/^BEGIN;\n[\s\S]*;\nCOMMIT$/);
    expect([ending, ended]).toEqual([expect.stringMatching(/^BEGIN;\n/), expect.stringMatching(/;\nCOMMIT$/)]);
    expect(batches[0]).toHaveLength(5);
    const log = await fixture.pool.query('SELECT user_id::text, outcome FROM call_log WHERE meeting_id = $1 ORDER BY user_id', [meetingId]);
    expect(log.rows).toEqual([ana, ben].sort().map((user_id) => ({ user_id, outcome: 'finished' })));
  });

  it("commits nothing when a projection's checkpoint was moved under the leader, then starts over from it", async () => {
    const leader = startRunner();
    const { contactId, send } = await contactWithAMessage(leader);
    // What a rebuild's swap or a retried parked event does: a new generation of the feed's checkpoint.
    await fixture.pool.query("UPDATE projection_checkpoints SET generation = generation + 1 WHERE name = 'feed'");
    const failuresBefore = log.messages('error').length;
    const position = await send('after the move');
    await eventually(() => leader.position >= position, { timeoutMs: 10_000 });
    const failures = log.entries.slice(failuresBefore).filter((e) => e.level === 'error');
    expect(failures.map((e) => [e.msg, (e.fields.err as { code?: string }).code, String(e.fields.err)])).toEqual([
      ['projection runner failed; retrying', SQLSTATE.projectionMoved, expect.stringMatching(/projection feed was moved/)],
    ]);
    const { rows } = await fixture.pool.query('SELECT text FROM messages WHERE contact_id = $1 ORDER BY seq', [contactId]);
    expect(rows.map((r) => r.text)).toEqual(['first', 'after the move']);
    const feed = await fixture.pool.query('SELECT count(*)::int AS n FROM feed WHERE position = $1', [position]);
    expect(feed.rows).toEqual([{ n: 2 }]);
  });

  it('refuses a statement a projection issues after saying it issued its last (it would run after the commit), loudly', async () => {
    const late: Projection = {
      name: 'late',
      tables: [],
      async apply(sql, events, options) {
        if (!events.some((e) => e.type === 'MessageSent')) return;
        await lastQuery(sql, options, { text: 'SELECT 1', values: [] });
        await sql.query('SELECT 2');
      },
    };
    runner = new ProjectionRunner([...allProjections(), late], {
      store,
      log,
      connectionString: db.url,
      nodeId: 'late',
      standbyRetryMs: 50,
    });
    runner.start();
    const failuresBefore = log.messages('error').length;
    const stream = `contact-${randomUUID()}`;
    const contactId = stream.slice('contact-'.length);
    await store.appendToStream(stream, [
      newEvent('MessageSent', { contactId, messageId: randomUUID(), senderId: randomUUID(), text: 'x' }),
    ]);
    await eventually(() => log.messages('error').length > failuresBefore, { timeoutMs: 10_000 });
    expect(String(log.entries.filter((e) => e.level === 'error').at(-1)!.fields.err)).toMatch(
      /projection late issued a statement after saying it had issued its last/,
    );
  });
});
