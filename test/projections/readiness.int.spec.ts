import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../application/ports/event-store.js';
import { ProjectionHealth } from '../../infrastructure/projections/projection-health.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { toolingDatabase, type ToolingDatabase } from '../tooling/tooling-support.js';

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const noted = (timestamp: string): NewEvent => ({
  id: randomUUID(),
  type: 'Noted',
  data: {},
  metadata: { userId: null, correlationId: randomUUID(), causationId: randomUUID(), timestamp },
});

describe('ProjectionHealth: stalled means no progress for 30 s while an event has waited 30 s', () => {
  let t: ToolingDatabase;
  let health: ProjectionHealth;
  const setCheckpoint = (position: number, idleSeconds: number) =>
    t.pool.query(
      `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ('messages', $1, now() - make_interval(secs => $2))
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [position, idleSeconds],
    );

  beforeAll(async () => {
    t = await toolingDatabase();
    health = new ProjectionHealth({ pool: t.pool, store: t.store, projections: ['messages'] });
  });
  afterAll(() => t?.close());

  it('tells a quiet log, a catch-up and a fresh event from a stall', async () => {
    expect((await health.check()).stalled).toEqual([]); // nothing ever ran, nothing to apply
    await t.store.appendToStream('notes', [noted(ago(120))]);
    expect((await health.check()).stalled).toEqual([{ projection: 'messages', checkpoint: 0, waitingSeconds: expect.any(Number) }]);

    await setCheckpoint(1, 0);
    await t.store.appendToStream('notes', [noted(ago(90))]);
    expect((await health.check()).stalled, 'catching up: the checkpoint just moved').toEqual([]);

    await setCheckpoint(2, 600);
    expect((await health.check()).stalled, 'quiet: nothing after the checkpoint').toEqual([]);
    await t.store.appendToStream('notes', [noted(ago(1))]);
    expect((await health.check()).stalled, 'the event is fresh').toEqual([]);

    await setCheckpoint(3, 45);
    await t.store.appendToStream('notes', [noted(ago(40))]);
    const [stalled] = (await health.check()).stalled;
    expect(stalled).toMatchObject({ projection: 'messages', checkpoint: 3 });
    expect(stalled.waitingSeconds).toBeGreaterThanOrEqual(40);
    expect(stalled.waitingSeconds).toBeLessThan(45);
  });

  it('counts parked events per projection', async () => {
    await t.pool.query(
      `INSERT INTO projection_parked_events (projection, position, event_id, stream_id, event_type, error_code, error)
       VALUES ('messages', 3, 'e', 's', 'Noted', 'X', 'x'), ('feed', 3, 'e', 's', 'Noted', 'X', 'x'), ('feed', 4, 'e', 's', 'Noted', 'X', 'x')`,
    );
    expect((await health.check()).parked).toEqual({ count: 3, byProjection: { feed: 2, messages: 1 } });
  });
});

describe('/readyz when a projection cannot make progress', () => {
  let t: TestServer;
  let locker: pg.Client;

  beforeAll(async () => {
    t = await startTestServer();
    locker = new pg.Client({ connectionString: t.db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await t?.close();
  });

  const readyz = async () => {
    const response = await fetch(`${t.url}/readyz`);
    return { status: response.status, body: await response.json() };
  };

  it('answers 503 naming the stalled projections, and 200 once they move again', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    const { position } = (await alice.post(`/api/contacts/${contactId}/messages`, { text: 'hello' })).body;
    await eventually(() => t.server.runners.every((r) => r.position >= position), { timeoutMs: 10_000 });
    // Nothing applied for a minute: a quiet log is not a stall.
    await t.server.ctx.pool.query("UPDATE projection_checkpoints SET updated_at = now() - interval '1 minute'");
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: true, projections: true, projectionsProgressing: true } },
    });

    // The leader keeps its locks but its next batch waits on the messages table, behind an event of a minute ago.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
    const sent: NewEvent = {
      id: randomUUID(),
      type: 'MessageSent',
      data: { contactId, messageId: randomUUID(), senderId: alice.user!.id, text: 'stuck' },
      metadata: { userId: alice.user!.id, correlationId: randomUUID(), causationId: randomUUID(), timestamp: ago(60), schemaVersion: 1 },
    };
    const stuck = await t.server.ctx.store.appendToStream(`contact-${contactId}`, [sent]);
    const stalled = (await eventually(async () => {
      const answer = await readyz();
      return answer.status === 503 ? answer : null;
    }))!;
    expect(stalled.body).toMatchObject({
      status: 'not ready',
      checks: { database: true, projections: true, projectionsProgressing: false },
    });
    const names = t.server.runners.flatMap((r) => r.projections.map((p) => p.name));
    expect(stalled.body.stalled.map((s: { projection: string }) => s.projection).sort()).toEqual([...names].sort());
    expect(stalled.body.stalled[0]).toMatchObject({ checkpoint: position, waitingSeconds: expect.any(Number) });

    await locker.query('COMMIT');
    await eventually(() => t.server.runners.every((r) => r.position >= stuck.position), { timeoutMs: 10_000 });
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { projectionsProgressing: true } } });
  });
});
