import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/all-projections.js';
import { ProjectionRunner } from '../../infrastructure/projections/projection-runner.js';
import { eventually } from '../support/api-client.js';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';
import { recordingLog } from '../support/recording-log.js';

const ana = '0a0a0a0a-0000-4000-8000-000000000001';
const ben = '0b0b0b0b-0000-4000-8000-000000000002';
const contactId = 'c0c0c0c0-0000-4000-8000-000000000003';
const stream = `contact-${contactId}`;
const event = (type: string, data: object, userId: string) => ({
  id: crypto.randomUUID(),
  type,
  data,
  metadata: {
    userId,
    correlationId: crypto.randomUUID(),
    causationId: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    schemaVersion: 1,
  },
});
const sent = (messageId: string, text: string) => event('MessageSent', { contactId, messageId, senderId: ana, text }, ana);

/**
 * Two parked events: one no fold can read (parked for every read model that reads message ids), and one the
 * messages table refused only because of a constraint added for the test, which a retry applies once dropped.
 */
describe('derbel projections parked', () => {
  let t: ToolingDatabase;
  let runner: ProjectionRunner;
  let malformed: number;
  let refused: number;
  const forbiddenId = '11111111-0000-4000-8000-00000000000f';

  const runUntilHead = async () => {
    const head = await t.store.headPosition();
    await eventually(() => runner.position >= head, { timeoutMs: 10_000 });
  };
  const generations = async () =>
    Object.fromEntries(
      (await t.pool.query('SELECT name, generation::int FROM projection_checkpoints ORDER BY name')).rows.map((r) => [
        r.name,
        r.generation,
      ]),
    );
  const parkedJson = async (...args: string[]) => JSON.parse((await derbel(t.db.url, ['projections', 'parked', '--json', ...args])).stdout);

  beforeAll(async () => {
    t = await toolingDatabase();
    await t.pool.query("ALTER TABLE messages ADD CONSTRAINT not_forbidden CHECK (text IS DISTINCT FROM 'forbidden')");
    await t.store.appendToStream(stream, [event('ContactAdded', { contactId, kind: 'direct', members: [ana, ben], addedBy: ana }, ana)]);
    await t.store.appendToStream(stream, [sent('11111111-0000-4000-8000-000000000001', 'fine')]);
    ({ position: malformed } = await t.store.appendToStream(stream, [sent('not-a-uuid', 'unreadable')]));
    ({ position: refused } = await t.store.appendToStream(stream, [sent(forbiddenId, 'forbidden')]));
    runner = new ProjectionRunner(allProjections(), {
      store: t.store,
      log: recordingLog(),
      connectionString: t.db.url,
      nodeId: 'parked-test',
      standbyRetryMs: 50,
    });
    runner.start();
    await runUntilHead();
  });
  afterAll(async () => {
    await runner?.stop();
    await t?.close();
  });

  it('lists what each projection skipped: a table, --json, --projection', async () => {
    const table = await derbel(t.db.url, ['projections', 'parked']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^POSITION\s+PROJECTION\s+EVENT TYPE\s+STREAM\s+ERROR CODE\s+ERROR\s+ATTEMPTS\s+PARKED AT$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      `${malformed} contact_list MessageSent ${stream} MALFORMED_EVENT`,
      `${malformed} feed MessageSent ${stream} MALFORMED_EVENT`,
      `${malformed} messages MessageSent ${stream} MALFORMED_EVENT`,
      `${malformed} search MessageSent ${stream} MALFORMED_EVENT`,
      `${refused} messages MessageSent ${stream} 23514`,
    ]);
    expect(lines[3]).toMatch(/messageId is not a canonical uuid: "not-a-uuid"\s+1\s+\d{4}-\d\d-\d\dT/);

    const json = await parkedJson('--projection', 'messages');
    expect(json).toEqual([
      expect.objectContaining({
        projection: 'messages',
        position: malformed,
        eventType: 'MessageSent',
        streamId: stream,
        errorCode: 'MALFORMED_EVENT',
        attempts: 1,
      }),
      expect.objectContaining({
        projection: 'messages',
        position: refused,
        errorCode: '23514',
        error: expect.stringContaining('not_forbidden'),
        attempts: 1,
      }),
    ]);
    expect(await derbel(t.db.url, ['projections', 'parked', '--projection', 'feed'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^POSITION.*\n\d+\s+feed\s/),
    });

    const unknown = await derbel(t.db.url, ['projections', 'parked', '--projection', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown projection 'nope'");
  });

  it('--retry of an event still bad: stays parked with one attempt more, exit code 1', async () => {
    const before = await generations();
    const retried = await derbel(t.db.url, ['projections', 'parked', '--retry', String(malformed)]);
    expect(retried.code).toBe(1);
    for (const name of ['contact_list', 'feed', 'messages', 'search']) {
      expect(retried.stdout).toContain(`${name}: MessageSent at position ${malformed} is still parked (attempt 2): MALFORMED_EVENT`);
    }
    expect((await parkedJson()).filter((p: any) => p.position === malformed).map((p: any) => [p.projection, p.attempts])).toEqual([
      ['contact_list', 2],
      ['feed', 2],
      ['messages', 2],
      ['search', 2],
    ]);
    const after = await generations();
    expect(after).toEqual({
      ...before,
      contact_list: before.contact_list + 1,
      feed: before.feed + 1,
      messages: before.messages + 1,
      search: before.search + 1,
    });
  });

  it('--retry once the cause is gone: applied, no longer listed, and the live runner carries on', async () => {
    await t.pool.query('ALTER TABLE messages DROP CONSTRAINT not_forbidden');
    const retried = await derbel(t.db.url, ['projections', 'parked', '--retry', String(refused), '--json']);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual([{ projection: 'messages', position: refused, eventType: 'MessageSent', applied: true }]);
    const { rows } = await t.pool.query('SELECT text FROM messages WHERE id = $1', [forbiddenId]);
    expect(rows).toEqual([{ text: 'forbidden' }]);
    expect((await parkedJson()).map((p: any) => p.position)).toEqual([malformed, malformed, malformed, malformed]);

    // The live runner, made to start over by the new generation, still applies what comes next.
    const laterId = '11111111-0000-4000-8000-000000000002';
    await t.store.appendToStream(stream, [sent(laterId, 'later')]);
    await runUntilHead();
    expect((await t.pool.query('SELECT text FROM messages WHERE id = $1', [laterId])).rows).toEqual([{ text: 'later' }]);
  });

  it('--retry of a position where nothing is parked says so', async () => {
    const retried = await derbel(t.db.url, ['projections', 'parked', '--retry', String(refused)]);
    expect(retried.code).toBe(1);
    expect(retried.stderr).toContain(`no event is parked at position ${refused}`);
    expect((await derbel(t.db.url, ['projections', 'parked', '--retry', 'x'])).code).toBe(2);
  });
});
