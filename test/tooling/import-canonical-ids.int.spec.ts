import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

/** `derbel events import` stores ids only in canonical spelling. */
describe('events import and id spellings', () => {
  let t: ToolingDatabase;
  const file = path.join(os.tmpdir(), `derbel-ids-${process.pid}.jsonl`);
  const [ana, ben, contactId, messageId] = Array.from({ length: 4 }, () => randomUUID());
  const up = (id: string) => id.toUpperCase();
  const metadata = (userId: string) => ({ userId, correlationId: 'c', causationId: 'c', timestamp: '2026-11-25T10:00:00Z' });
  const conversation = (messageIdSpelling: string) => [
    {
      position: 1,
      streamId: `contact-${contactId}`,
      revision: 0,
      id: up(randomUUID()),
      type: 'ContactAdded',
      data: { contactId: up(contactId), kind: 'direct', members: [up(ana), ben], addedBy: up(ana) },
      metadata: metadata(up(ana)),
    },
    {
      position: 2,
      streamId: `contact-${contactId}`,
      revision: 1,
      id: randomUUID(),
      type: 'MessageSent',
      data: { contactId, messageId: messageIdSpelling, senderId: up(ben), text: 'hi' },
      metadata: metadata(ben),
    },
  ];
  const stored = async () => (await t.pool.query('SELECT event_id::text AS id, data, metadata FROM events ORDER BY position')).rows;

  beforeAll(async () => {
    t = await toolingDatabase();
  });
  afterAll(async () => {
    await rm(file, { force: true });
    await t?.close();
  });

  it('refuses a file with a urn:uuid: id, naming the line and field, and imports nothing', async () => {
    await writeFile(
      file,
      conversation(`urn:uuid:${messageId}`)
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const result = await derbel(t.db.url, ['events', 'import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing was imported');
    expect(result.stderr).toMatch(/line 2: data\.messageId must be a uuid/);
    expect(await stored()).toEqual([]);
  });

  it('lower-cases upper-case ids as it imports them', async () => {
    const events = conversation(up(messageId));
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const result = await derbel(t.db.url, ['events', 'import', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(events.map((e) => e.id.toLowerCase()));
    expect(rows[0].data).toMatchObject({ contactId, members: [ana, ben], addedBy: ana });
    expect(rows[0].metadata.userId).toBe(ana);
    expect(rows[1].data).toMatchObject({ contactId, messageId, senderId: ben });
  });
});
