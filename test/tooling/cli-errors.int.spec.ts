import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEvents } from '../../infrastructure/cli/commands/seed-log.js';
import { derbel, toolingDatabase, type ToolingDatabase } from './tooling-support.js';

/** Bad arguments and bad input: a clear message, a non-zero exit, and nothing changed in the database. */
describe('the derbel CLI refusing bad arguments', () => {
  let t: ToolingDatabase;
  let before: string;

  /** The whole database state that a command could touch: events, checkpoints, read models, schemas. */
  async function state() {
    const { rows } = await t.pool.query(`SELECT
      (SELECT count(*) FROM events) AS events,
      (SELECT coalesce(json_agg(c ORDER BY name), '[]') FROM projection_checkpoints c) AS checkpoints,
      (SELECT count(*) FROM messages) AS messages,
      (SELECT coalesce(json_agg(nspname ORDER BY nspname), '[]') FROM pg_namespace WHERE nspname LIKE 'derbel%') AS schemas`);
    return JSON.stringify(rows[0]);
  }

  beforeAll(async () => {
    t = await toolingDatabase();
    const client = await t.pool.connect();
    await seedEvents(client, { events: 200 }).finally(() => client.release());
    before = await state();
  });
  afterAll(() => t?.close());

  const cases: Array<[string, string[], number, RegExp]> = [
    [
      'an unknown projection',
      ['projections', 'rebuild', 'mesages'],
      2,
      /Unknown projection 'mesages'. Known projections: accounts, contact_list, messages, feed/,
    ],
    ['a rebuild naming nothing', ['projections', 'rebuild'], 2, /Which projection\? Name one or more of accounts/],
    ['names and --all together', ['projections', 'rebuild', 'feed', '--all'], 2, /Name projections or pass --all, not both/],
    [
      'a bad batch size',
      ['projections', 'rebuild', '--all', '--batch-size', 'lots'],
      2,
      /--batch-size must be a whole number from 1 to 100000, not "lots"/,
    ],
    ['an unknown option', ['projections', 'status', '--verbose'], 2, /Unknown option '--verbose'/],
    ['an unknown command', ['replay'], 2, /Unknown command 'replay'/],
    ['an unknown stream', ['audit', 'stream', 'contact-nobody'], 1, /No stream named 'contact-nobody' \(it has no events\)/],
    ['an unknown user', ['audit', 'user', 'nobody'], 1, /No user named 'nobody'/],
    [
      'a malformed --since',
      ['audit', 'user', 'ana', '--since', 'yesterday'],
      2,
      /--since must be an ISO 8601 time such as 2026-11-25T10:00:00Z, not "yesterday"/,
    ],
    [
      'a missing import file',
      ['events', 'import', '/nonexistent/derbel.jsonl'],
      1,
      /Cannot read \/nonexistent\/derbel.jsonl: no such file/,
    ],
    ['a malformed --after', ['events', 'export', '--after', 'soon'], 2, /--after must be a whole number from 0/],
  ];

  it.each(cases)('%s: explains, exits non-zero, changes nothing', async (_name, argv, code, message) => {
    const result = await derbel(t.db.url, argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await state()).toBe(before);
  });

  it('a malformed import file: names the bad lines and imports none of it', async () => {
    const empty = await toolingDatabase();
    try {
      const file = path.join(os.tmpdir(), `derbel-bad-${process.pid}.jsonl`);
      const good = (revision: number, position: number) =>
        JSON.stringify({
          position,
          streamId: 'contact-a',
          revision,
          id: crypto.randomUUID(),
          type: 'MessageSent',
          data: {},
          metadata: { userId: null, timestamp: '2026-11-25T10:00:00Z' },
        });
      await writeFile(
        file,
        [good(0, 1), good(1, 2), '{"streamId": "contact-a", "revision": 2', good(5, 4), JSON.stringify({ streamId: 'x' })].join('\n'),
      );
      const result = await derbel(empty.db.url, ['events', 'import', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file} is not a valid event export; nothing was imported:`);
      expect(result.stderr).toMatch(/line 3: not valid JSON/);
      expect(result.stderr).toContain('line 4: stream contact-a expects revision 2 next, found 5');
      expect(result.stderr).toContain('line 5: revision must be a whole number ≥ 0');
      const { rows } = await empty.pool.query('SELECT count(*)::int AS n FROM events');
      expect(rows[0].n).toBe(0);
    } finally {
      await empty.close();
    }
  });
});
