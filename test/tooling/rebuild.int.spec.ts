import pg from 'pg';
import { ADVISORY_LOCKS } from '../../infrastructure/database/advisory-locks.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../infrastructure/cli/commands/seed-log.js';
import { allProjections } from '../../projections/all-projections.js';
import { rebuildProjections, type RebuildProgress } from '../../infrastructure/projections/rebuild.js';
import { pendingRebuilds } from '../../infrastructure/projections/rebuild-shadow.js';
import { dumpTables, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

const newEvent = (type: string, data: object, userId: string) => ({
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

describe('rebuilding projections from the log', () => {
  let t: ToolingDatabase;
  const projections = allProjections();
  let contact: { id: string; a: string; b: string; messages: string[] };

  beforeAll(async () => {
    t = await toolingDatabase();
    const client = await t.pool.connect();
    try {
      await seedEvents(client, { events: 1_500, users: 6, contacts: 8 });
    } finally {
      client.release();
    }
    // Edge cases the seeded mix does not contain: several edits of one message, edit then delete, an edit
    // of an old message, a read of an old message, the contact's last message edited then deleted.
    const { rows } = await t.pool.query<{ data: any; stream_id: string }>(
      `SELECT data, stream_id FROM events WHERE type = 'ContactAdded' ORDER BY position LIMIT 1`,
    );
    const [a, b] = rows[0].data.members;
    contact = { id: rows[0].data.contactId, a, b, messages: [] };
    const { rows: sent } = await t.pool.query<{ data: any }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'MessageSent' ORDER BY revision`,
      [rows[0].stream_id],
    );
    const own = sent.filter((r) => r.data.senderId === a).map((r) => r.data.messageId);
    const stream = rows[0].stream_id;
    const m1 = crypto.randomUUID();
    const m2 = crypto.randomUUID();
    await t.store.appendToStream(stream, [
      newEvent('MessageSent', { contactId: contact.id, messageId: m1, senderId: a, text: 'first' }, a),
      newEvent('MessageEdited', { contactId: contact.id, messageId: m1, editorId: a, text: 'second' }, a),
      newEvent('MessageEdited', { contactId: contact.id, messageId: m1, editorId: a, text: 'third' }, a),
      newEvent('MessageEdited', { contactId: contact.id, messageId: own[0], editorId: a, text: 'old one, edited late' }, a),
      newEvent('MessageDeleted', { contactId: contact.id, messageId: own[1], deletedBy: a }, a),
      newEvent('ConversationRead', { contactId: contact.id, userId: b, messageId: m1 }, b),
      newEvent('MessageEdited', { contactId: contact.id, messageId: own[2], editorId: a, text: 'edited then deleted' }, a),
      newEvent('MessageDeleted', { contactId: contact.id, messageId: own[2], deletedBy: a }, a),
      newEvent('MessageSent', { contactId: contact.id, messageId: m2, senderId: a, text: 'last words' }, a),
      newEvent('MessageEdited', { contactId: contact.id, messageId: m2, editorId: a, text: 'last words, edited' }, a),
      newEvent('MessageDeleted', { contactId: contact.id, messageId: m2, deletedBy: a }, a),
    ]);
    // A group (issue 18): its membership periods, one member leaving and coming back, messages in between.
    const { rows: others } = await t.pool.query<{ data: any }>(
      `SELECT data FROM events WHERE type = 'ContactAdded' AND NOT (data->'members' ?| ARRAY[$1, $2]) ORDER BY position LIMIT 1`,
      [a, b],
    );
    const c = others[0].data.members[0];
    const group = crypto.randomUUID();
    const said = (by: string, text: string) =>
      newEvent('MessageSent', { contactId: group, messageId: crypto.randomUUID(), senderId: by, text }, by);
    const readMark = said(b, 'read up to here');
    await t.store.appendToStream(`contact-${group}`, [
      newEvent(
        'GroupCreated',
        { contactId: group, kind: 'group', title: 'Crew', members: [a, b, c], admins: [a], createdBy: a, membersMayAdd: true },
        a,
      ),
      readMark,
      newEvent('GroupMemberLeft', { contactId: group, userId: b }, b),
      said(a, 'b is away'),
      newEvent('GroupMembersAdded', { contactId: group, userIds: [b], addedBy: c }, c),
      newEvent('GroupRenamed', { contactId: group, title: 'Crew 2', renamedBy: b }, b),
      newEvent('ConversationRead', { contactId: group, userId: c, messageId: (readMark.data as { messageId: string }).messageId }, c),
      newEvent('GroupMemberRemoved', { contactId: group, userId: a, removedBy: a }, a),
      newEvent('GroupAdminAppointed', { contactId: group, userId: c, appointedBy: null }, a),
      newEvent('GroupSettingsChanged', { contactId: group, membersMayAdd: false, changedBy: c }, c),
      said(c, 'a is gone'),
    ]);
  });
  afterAll(() => t?.close());

  const rebuild = (
    options: { batchSize?: number; perEvent?: boolean; signal?: AbortSignal; onProgress?: (p: RebuildProgress) => void } = {},
  ) => rebuildProjections({ connectionString: t.db.url, store: t.store, projections, ...options });

  it('gives identical tables through the batch path and the per-event path, whatever the batch boundaries', async () => {
    const perEvent = await rebuild({ perEvent: true, batchSize: 500 });
    expect(perEvent.status).toBe('swapped');
    const expected = await dumpTables(t.pool, projections);
    expect(expected.messages.length).toBeGreaterThan(1_000);
    expect(expected.messages.some((row) => row.includes(',third,'))).toBe(true);
    // A tombstone: deleted (t), then its attachments, reply_to and reactions columns (empty: none).
    expect(expected.messages.some((row) => row.endsWith(',t,,,)'))).toBe(true);
    expect(expected.feed.length).toBeGreaterThan(2_500);
    expect(
      expected.conversation_members.filter((row) => !row.endsWith(',,)')),
      'ended periods',
    ).toHaveLength(2);
    expect(expected.contact_list.filter((row) => row.includes(',group,"Crew 2",'))).toHaveLength(3);

    for (const batchSize of [37, 5_000]) {
      await rebuild({ batchSize });
      expect(await dumpTables(t.pool, projections)).toEqual(expected);
    }
  });

  it('parks an event no fold can apply, the same whatever the batch boundaries, and rebuilds the rest', async () => {
    const { a } = contact;
    await t.store.appendToStream(`contact-${contact.id}`, [
      newEvent('MessageSent', { contactId: 'not-a-uuid', messageId: crypto.randomUUID(), senderId: a, text: 'poisoned' }, a),
      newEvent('MessageSent', { contactId: contact.id, messageId: crypto.randomUUID(), senderId: a, text: 'after the poison' }, a),
    ]);
    const parked = async () =>
      (await t.pool.query('SELECT projection, event_type, error_code FROM projection_parked_events ORDER BY projection')).rows;
    await rebuild({ perEvent: true });
    const expected = await dumpTables(t.pool, projections);
    expect(expected.messages.some((row) => row.includes('after the poison'))).toBe(true);
    expect(expected.messages.some((row) => row.includes('poisoned'))).toBe(false);
    const parkedOneByOne = await parked();
    expect(parkedOneByOne).toEqual(
      ['contact_list', 'feed', 'messages', 'search'].map((projection) => ({
        projection,
        event_type: 'MessageSent',
        error_code: 'MALFORMED_EVENT',
      })),
    );
    await rebuild({ batchSize: 50 });
    expect(await dumpTables(t.pool, projections)).toEqual(expected);
    expect(await parked()).toEqual(parkedOneByOne);
  });

  it('swaps the rebuilt tables in and sets every checkpoint to the end of the log', async () => {
    const head = await t.store.headPosition();
    await t.pool.query('UPDATE messages SET text = $1', ['tampered']);
    const result = await rebuild();
    expect(result.projections.map((p) => p.position)).toEqual(projections.map(() => head));
    const { rows } = await t.pool.query('SELECT count(*)::int AS n FROM messages WHERE text = $1', ['tampered']);
    expect(rows[0].n).toBe(0);
    const { rows: checkpoints } = await t.pool.query('SELECT name, position::int FROM projection_checkpoints ORDER BY name');
    expect(checkpoints).toEqual(projections.map((p) => ({ name: p.name, position: head })).sort((x, y) => x.name.localeCompare(y.name)));
    // The live tables keep their index names (a later migration may refer to them).
    const { rows: indexes } = await t.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'contact_list' ORDER BY 1`,
    );
    expect(indexes.map((r) => r.indexname)).toEqual(['contact_list_contact_idx', 'contact_list_pkey']);
    // ...and their storage parameters.
    const { rows: options } = await t.pool.query(`SELECT reloptions FROM pg_class WHERE oid = 'public.contact_list'::regclass`);
    expect(options[0].reloptions).toEqual(['fillfactor=50']);
    expect(await pendingRebuilds(t.pool)).toEqual([]);
  });

  it('leaves the live tables alone when interrupted, and resumes from where it stopped', async () => {
    const before = await dumpTables(t.pool, projections);
    await t.pool.query('UPDATE messages SET text = $1 WHERE seq = 1', ['stale until the swap']);
    const stale = await dumpTables(t.pool, projections);
    const abort = new AbortController();
    let batches = 0;
    const first = await rebuild({
      batchSize: 200,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'catching-up' && p.applied > 0 && ++batches === 3) abort.abort();
      },
    });
    expect(first.status).toBe('interrupted');
    expect(first.applied).toBe(600);
    expect(await dumpTables(t.pool, projections)).toEqual(stale);
    const saved = await pendingRebuilds(t.pool);
    expect(saved.map((s) => s.name).sort()).toEqual(projections.map((p) => p.name).sort());
    const savedPosition = saved[0].position;
    expect(saved.every((s) => s.position === savedPosition)).toBe(true);

    const head = await t.store.headPosition();
    const second = await rebuild({ batchSize: 200 });
    expect(second.status).toBe('swapped');
    expect(second.projections.every((p) => p.resumedFrom === savedPosition)).toBe(true);
    const { rows } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE position > $1', [savedPosition]);
    expect(second.applied).toBe(rows[0].n);
    expect(second.projections.every((p) => p.position === head)).toBe(true);
    expect(await dumpTables(t.pool, projections)).toEqual(before);
  });

  it('builds the secondary indexes of tables read only by key once the replay is done, and swaps in every live index', async () => {
    const indexes = async (schema: string, tables: string[]) =>
      (
        await t.pool.query<{ def: string }>(
          `SELECT tablename || ': ' || replace(indexdef, $1 || '.', '') AS def FROM pg_indexes
           WHERE schemaname = $1 AND tablename = ANY($2) ORDER BY 1`,
          [schema, tables],
        )
      ).rows.map((r) => r.def);
    const tables = projections.flatMap((p) => p.tables);
    const live = await indexes('public', tables);
    expect(live).toContain('message_search: CREATE INDEX message_search_document_idx ON message_search USING gin (document)');
    const before = await dumpTables(t.pool, projections);

    const abort = new AbortController();
    const interrupted = await rebuild({
      batchSize: 200,
      signal: abort.signal,
      onProgress: (p) => void (p.phase === 'catching-up' && p.applied >= 400 && abort.abort()),
    });
    expect(interrupted.status).toBe('interrupted');
    // Mid-replay: the search table has only its key (its document index waits for the end of the replay);
    // the contact list, whose fold reads its rows by contact, has its index by contact all along.
    expect(await indexes('derbel_rebuild', ['message_search'])).toEqual([
      'message_search: CREATE UNIQUE INDEX message_search_pkey ON message_search USING btree (contact_id, id)',
    ]);
    expect(await indexes('derbel_rebuild', ['contact_list'])).toEqual(live.filter((def) => def.startsWith('contact_list: ')));

    const resumed = await rebuild({ batchSize: 200 });
    expect(resumed.status).toBe('swapped');
    expect(resumed.projections.every((p) => p.resumedFrom !== null)).toBe(true);
    expect(await indexes('public', tables)).toEqual(live);
    expect(await dumpTables(t.pool, projections)).toEqual(before);
    const { rows } = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_search WHERE document @@ to_tsquery('simple', 'lorem')`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('refuses to run two rebuilds of one projection at once', async () => {
    const holder = new pg.Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${ADVISORY_LOCKS.projectionRebuild}, hashtext($1))`, ['messages']);
      await expect(rebuild()).rejects.toThrow('A rebuild of messages is already running');
    } finally {
      await holder.end();
    }
  });
});
