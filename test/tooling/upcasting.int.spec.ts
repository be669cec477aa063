import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../application/ports/event-store.js';
import { CommandHandler } from '../../application/shared/command-handler.js';
import { UpcasterRegistry } from '../../application/upcasting/upcaster-registry.js';
import { UpcastingEventStore } from '../../application/upcasting/upcasting-event-store.js';
import { contactDecider } from '../../domain/contacts/contact.js';
import { allProjections } from '../../projections/all-projections.js';
import { rebuildProjections } from '../../infrastructure/projections/rebuild.js';
import { dumpTables, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

/**
 * The shape change this test makes: version 1 of MessageSent said `{ from, body }` and version 1 of
 * MessageEdited said `{ by, body }`; version 2 (what deciders and projections read today) says
 * `{ senderId, text }` and `{ editorId, text }`.
 */
const shapeChange = new UpcasterRegistry([
  { type: 'MessageSent', fromVersion: 1, upcast: ({ from, body, ...rest }) => ({ ...rest, senderId: from, text: body }) },
  { type: 'MessageEdited', fromVersion: 1, upcast: ({ by, body, ...rest }) => ({ ...rest, editorId: by, text: body }) },
]);

const ana = 'a0000000-0000-4000-8000-000000000001';
const ben = 'b0000000-0000-4000-8000-000000000002';
const contactId = 'c0000000-0000-4000-8000-000000000003';
const messageIds = ['d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002'];

/** One conversation, written either in the version-1 shape or in today's. */
function conversation(version: 1 | 2): Array<[string, NewEvent]> {
  const event = (id: number, type: string, data: object, userId: string): NewEvent => ({
    id: `e000000${version}-0000-4000-8000-00000000000${id}`,
    type,
    data,
    metadata: {
      userId,
      correlationId: 'x',
      causationId: 'x',
      timestamp: `2026-01-0${id}T10:00:00.000Z`,
      schemaVersion: type.startsWith('Message') && type !== 'MessageDeleted' ? version : 1,
    },
  });
  const sent = (id: number, messageId: string, sender: string, text: string) =>
    event(
      id,
      'MessageSent',
      version === 1 ? { contactId, messageId, from: sender, body: text } : { contactId, messageId, senderId: sender, text },
      sender,
    );
  const stream = `contact-${contactId}`;
  return [
    [`username-ana`, event(1, 'UsernameClaimed', { username: 'ana', userId: ana }, ana)],
    [`account-${ana}`, event(2, 'AccountRegistered', { userId: ana, username: 'ana', displayName: 'Ana' }, ana)],
    [stream, event(3, 'ContactAdded', { contactId, kind: 'direct', members: [ana, ben], addedBy: ana }, ana)],
    [stream, sent(4, messageIds[0], ana, 'written in version 1')],
    [stream, sent(5, messageIds[1], ben, 'me too')],
    [
      stream,
      event(
        6,
        'MessageEdited',
        version === 1
          ? { contactId, messageId: messageIds[0], by: ana, body: 'edited in version 1' }
          : { contactId, messageId: messageIds[0], editorId: ana, text: 'edited in version 1' },
        ana,
      ),
    ],
  ];
}

describe('events stored in an older shape', () => {
  let old: ToolingDatabase;
  let current: ToolingDatabase;
  const projections = allProjections();

  beforeAll(async () => {
    [old, current] = await Promise.all([toolingDatabase(), toolingDatabase()]);
    for (const [stream, event] of conversation(1)) await old.store.raw.appendToStream(stream, [event]);
    for (const [stream, event] of conversation(2)) await current.store.raw.appendToStream(stream, [event]);
  });
  afterAll(async () => {
    await old?.close();
    await current?.close();
  });

  it('are read in the current shape through readStream, readAll and subscribeToAll', async () => {
    const store = new UpcastingEventStore(old.store.raw, shapeChange);
    const [fromStream] = await store.readStream(`contact-${contactId}`, { from: 1, limit: 1 });
    expect(fromStream.data).toEqual({ contactId, messageId: messageIds[0], senderId: ana, text: 'written in version 1' });
    expect(fromStream.metadata.schemaVersion).toBe(2);
    const all = await store.readAll({ after: 0, limit: 100 });
    expect(all.filter((e) => e.type === 'MessageEdited').map((e) => e.data)).toEqual([
      { contactId, messageId: messageIds[0], editorId: ana, text: 'edited in version 1' },
    ]);
    const subscription = store.subscribeToAll({ after: 3 });
    const seen = [];
    for await (const event of subscription) {
      seen.push(event.data);
      if (seen.length === 3) break;
    }
    await subscription.close();
    expect(seen.map((d: any) => d.text)).toEqual(['written in version 1', 'me too', 'edited in version 1']);
    // The log itself is untouched.
    const [stored] = await old.store.raw.readStream(`contact-${contactId}`, { from: 1, limit: 1 });
    expect(stored.data).toEqual({ contactId, messageId: messageIds[0], from: ana, body: 'written in version 1' });
  });

  it('rebuild into the same read models as events written in the current shape', async () => {
    await rebuildProjections({
      connectionString: current.db.url,
      store: new UpcastingEventStore(current.store.raw, shapeChange),
      projections,
    });
    await rebuildProjections({ connectionString: old.db.url, store: new UpcastingEventStore(old.store.raw, shapeChange), projections });
    const expected = await dumpTables(current.pool, projections);
    expect(expected.messages).toHaveLength(2);
    expect(await dumpTables(old.pool, projections)).toEqual(expected);
  });

  it('without the upcasters, the same rebuild cannot make sense of them: it parks them and rebuilds the rest', async () => {
    const result = await rebuildProjections({ connectionString: old.db.url, store: old.store, projections });
    expect(result.status).toBe('swapped');
    const { rows } = await old.pool.query(
      `SELECT DISTINCT event_type, error_code FROM projection_parked_events WHERE projection = 'messages' ORDER BY 1`,
    );
    expect(rows).toEqual(['MessageEdited', 'MessageSent'].map((event_type) => ({ event_type, error_code: 'MALFORMED_EVENT' })));
    expect((await dumpTables(old.pool, projections)).messages).toEqual([]);
  });

  it('reach the decider in the current shape, so commands on old streams still work', async () => {
    const ids = { newId: () => crypto.randomUUID() };
    const clock = { now: () => new Date('2026-02-01T00:00:00Z') };
    const handler = new CommandHandler(new UpcastingEventStore(old.store.raw, shapeChange), contactDecider, { clock, ids });
    const edited = await handler.handle(
      `contact-${contactId}`,
      { type: 'EditMessage', data: { contactId, messageId: messageIds[0], editorId: ana, text: 'edited today' } },
      { userId: ana, correlationId: 'c' },
    );
    expect(edited.events).toEqual([
      { type: 'MessageEdited', data: { contactId, messageId: messageIds[0], editorId: ana, text: 'edited today' } },
    ]);
    const [stored] = await old.store.raw.readStream(`contact-${contactId}`, { from: 4 });
    expect(stored.metadata.schemaVersion).toBe(2);
    // Editing to the text it already has is a no-op, also for a handler that reads the whole stream anew.
    const unchanged = await new CommandHandler(new UpcastingEventStore(old.store.raw, shapeChange), contactDecider, { clock, ids }).handle(
      `contact-${contactId}`,
      { type: 'EditMessage', data: { contactId, messageId: messageIds[0], editorId: ana, text: 'edited today' } },
      { userId: ana, correlationId: 'c' },
    );
    expect(unchanged.events).toEqual([]);
  });
});
