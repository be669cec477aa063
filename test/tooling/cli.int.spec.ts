import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProjections } from '../../projections/all-projections.js';
import { checkpoints, derbel, dumpTables, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

const ana = { id: '0a0a0a0a-0000-4000-8000-000000000001', username: 'ana' };
const ben = { id: '0b0b0b0b-0000-4000-8000-000000000002', username: 'ben' };
const contactId = 'c0c0c0c0-0000-4000-8000-000000000003';
const m = ['11111111-0000-4000-8000-000000000001', '11111111-0000-4000-8000-000000000002', '11111111-0000-4000-8000-000000000003'];
const at = (minute: number) => `2026-11-25T10:${String(minute).padStart(2, '0')}:00.000Z`;
const event = (type: string, data: object, userId: string, minute: number) => ({
  id: crypto.randomUUID(),
  type,
  data,
  metadata: { userId, correlationId: crypto.randomUUID(), causationId: crypto.randomUUID(), timestamp: at(minute), schemaVersion: 1 },
});

/** The small known log: 2 accounts, a contact, 3 messages, an edit, a delete, a read receipt (13 events). */
async function writeKnownLog(t: ToolingDatabase) {
  for (const [i, user] of [ana, ben].entries()) {
    await t.store.appendToStream(`username-${user.username}`, [
      event('UsernameClaimed', { username: user.username, userId: user.id }, user.id, i),
    ]);
    await t.store.appendToStream(`account-${user.id}`, [
      event('AccountRegistered', { userId: user.id, username: user.username, displayName: user.username.toUpperCase() }, user.id, i),
    ]);
  }
  const contact = `contact-${contactId}`;
  await t.store.appendToStream(contact, [
    event('ContactAdded', { contactId, kind: 'direct', members: [ana.id, ben.id], addedBy: ana.id }, ana.id, 2),
  ]);
  await t.store.appendToStream(contact, [
    event('MessageSent', { contactId, messageId: m[0], senderId: ana.id, text: 'hello ben' }, ana.id, 3),
  ]);
  await t.store.appendToStream(contact, [
    event('MessageSent', { contactId, messageId: m[1], senderId: ben.id, text: 'hi ana' }, ben.id, 4),
  ]);
  await t.store.appendToStream(contact, [event('MessageSent', { contactId, messageId: m[2], senderId: ana.id, text: 'oops' }, ana.id, 5)]);
  await t.store.appendToStream(contact, [
    event('MessageEdited', { contactId, messageId: m[0], editorId: ana.id, text: 'hello, ben' }, ana.id, 6),
  ]);
  await t.store.appendToStream(contact, [event('MessageDeleted', { contactId, messageId: m[2], deletedBy: ana.id }, ana.id, 7)]);
  await t.store.appendToStream(contact, [event('ConversationRead', { contactId, userId: ben.id, messageId: m[0] }, ben.id, 8)]);
}

describe('the derbel CLI on a small known log', () => {
  let t: ToolingDatabase;
  const projections = allProjections();
  const tmp = os.tmpdir();

  beforeAll(async () => {
    t = await toolingDatabase();
    await writeKnownLog(t);
  });
  afterAll(() => t?.close());

  it('projections status: checkpoint, head, lag in events and time, and who runs it', async () => {
    const table = await derbel(t.db.url, ['projections', 'status']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PROJECTION\s+CHECKPOINT\s+HEAD\s+LAG\s+LAG TIME\s+HELD BY$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual(projections.map((p) => p.name));
    expect(lines[1]).toMatch(/^accounts\s+0\s+11\s+11 events\s+\S.*nobody/);

    const json = JSON.parse((await derbel(t.db.url, ['projections', 'status', '--json'])).stdout);
    expect(json.head).toBe(11);
    const messages = json.projections.find((p: any) => p.name === 'messages');
    expect(messages).toMatchObject({ checkpoint: 0, head: 11, lagEvents: 11, leader: null, rebuild: null });
    // The oldest unprojected event is from 2026-11-25T10:00Z.
    expect(messages.lagSeconds).toBeGreaterThan((Date.now() - Date.parse(at(0))) / 1000 - 60);
  });

  it('projections rebuild --all: replays the log, swaps the tables in, leaves no lag', async () => {
    const result = await derbel(t.db.url, ['projections', 'rebuild', '--all']);
    expect(result.code).toBe(0);
    for (const p of projections) expect(result.stdout).toContain(`rebuilt ${p.name} (from the start), swapped in at position 11`);
    expect(result.stderr).toContain(`rebuild ${projections.length} projections: catching-up 0/11 events (from the start)`);
    const { rows } = await t.pool.query('SELECT text, deleted FROM messages ORDER BY seq');
    expect(rows).toEqual([
      { text: 'hello, ben', deleted: false },
      { text: 'hi ana', deleted: false },
      { text: null, deleted: true },
    ]);
    const json = JSON.parse((await derbel(t.db.url, ['projections', 'status', '--json'])).stdout);
    expect(json.projections.map((p: any) => [p.checkpoint, p.lagEvents])).toEqual(projections.map(() => [11, 0]));
  });

  it('audit stream: every event of the stream with revision, position, time, type, user and data', async () => {
    const table = await derbel(t.db.url, ['audit', 'stream', `contact-${contactId}`]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REV\s+POSITION\s+TIME\s+TYPE\s+USER\s+DATA$/);
    expect(lines).toHaveLength(8);
    expect(lines[5]).toMatch(/^4\s+9\s+2026-11-25T10:06:00.000Z\s+MessageEdited\s+ana\s+\{.*"text":"hello, ben"/);
    expect(lines[7]).toMatch(/^6\s+11\s+2026-11-25T10:08:00.000Z\s+ConversationRead\s+ben\s/);

    const json = JSON.parse((await derbel(t.db.url, ['audit', 'stream', `contact-${contactId}`, '--json'])).stdout);
    expect(json.map((e: any) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(json[2]).toMatchObject({
      position: 7,
      type: 'MessageSent',
      userId: ben.id,
      username: 'ben',
      time: at(4),
      data: { text: 'hi ana' },
    });
  });

  it('audit user: every event that user caused, across streams, within --since/--until', async () => {
    const all = JSON.parse((await derbel(t.db.url, ['audit', 'user', 'ana', '--json'])).stdout);
    expect(all.userId).toBe(ana.id);
    expect(all.events.map((e: any) => `${e.streamId}@${e.revision}:${e.type}`)).toEqual([
      'username-ana@0:UsernameClaimed',
      `account-${ana.id}@0:AccountRegistered`,
      `contact-${contactId}@0:ContactAdded`,
      `contact-${contactId}@1:MessageSent`,
      `contact-${contactId}@3:MessageSent`,
      `contact-${contactId}@4:MessageEdited`,
      `contact-${contactId}@5:MessageDeleted`,
    ]);
    const window = await derbel(t.db.url, ['audit', 'user', 'ana', '--since', at(5), '--until', at(7)]);
    expect(window.code).toBe(0);
    const lines = window.stdout.trim().split('\n');
    expect(lines[0]).toBe(`2 events caused by ana (${ana.id})`);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[4])).toEqual(['MessageSent', 'MessageEdited']);
  });

  it('events export: the stored log as JSON lines, optionally between positions', async () => {
    const all = await derbel(t.db.url, ['events', 'export']);
    expect(all.code).toBe(0);
    const lines = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(lines[4]).toMatchObject({ streamId: `contact-${contactId}`, revision: 0, type: 'ContactAdded', metadata: { timestamp: at(2) } });
    const some = await derbel(t.db.url, ['events', 'export', '--after', '2', '--until', '4']);
    expect(
      some.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).position),
    ).toEqual([3, 4]);
    const byTime = await derbel(t.db.url, ['events', 'export', '--until', at(3)]);
    expect(byTime.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('events export then import into an empty store reproduces identical read models', async () => {
    const file = path.join(tmp, `derbel-export-${process.pid}.jsonl`);
    await writeFile(file, (await derbel(t.db.url, ['events', 'export'])).stdout);
    const copy = await toolingDatabase();
    try {
      const imported = await derbel(copy.db.url, ['events', 'import', file]);
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('imported 11 events');
      expect((await derbel(copy.db.url, ['projections', 'rebuild', '--all'])).code).toBe(0);
      expect(await dumpTables(copy.pool, projections)).toEqual(await dumpTables(t.pool, projections));
      expect(await checkpoints(copy.pool)).toEqual(await checkpoints(t.pool));
      // New appends continue after the restored positions.
      const next = await copy.store.appendToStream('contact-x', [event('Noted', {}, ana.id, 9)]);
      expect(next.position).toBe(12);

      const again = await derbel(copy.db.url, ['events', 'import', file]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('The event store is not empty (12 events)');
      const { rows } = await copy.pool.query('SELECT count(*)::int AS n FROM events');
      expect(rows[0].n).toBe(12);
    } finally {
      await copy.close();
    }
  });

  it('events tail: prints new events as they are appended, until interrupted', async () => {
    const stop = new AbortController();
    let following!: () => void;
    let printed!: () => void;
    const ready = new Promise<void>((resolve) => (following = resolve));
    const seen = new Promise<void>((resolve) => (printed = resolve));
    const run = derbel(t.db.url, ['events', 'tail'], {
      signal: stop.signal,
      onStderr: (text) => text.includes('following the log after position 11') && following(),
      onStdout: (text) => text.includes('ConversationRead') && printed(),
    });
    await ready;
    await t.store.appendToStream(`contact-${contactId}`, [
      event('ConversationRead', { contactId, userId: ana.id, messageId: m[1] }, ana.id, 9),
    ]);
    await seen;
    stop.abort();
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^12  2026-11-25T10:09:00.000Z  contact-${contactId}@7  ConversationRead  ${ana.id}  `));
  });
});
