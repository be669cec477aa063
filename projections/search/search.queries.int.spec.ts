import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPool } from '../../infrastructure/database/pool.js';
import { createMigratedTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { searchMessages, type SearchCursor, type SearchOptions } from './search.queries.js';
import { searchTerms } from './search-terms.js';

/**
 * The ranking window (docs/search.md, "Order and pages"): the newest matches ranked among themselves, window
 * after window; the same results whichever way the matches are found (`scan` or `index`).
 */
describe('search: windows of the newest matches', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const [ana, ben, cem] = [randomUUID(), randomUUID(), randomUUID()];
  let direct: string;
  let group: string;
  let seq = 0;
  let minute = 0;

  beforeAll(async () => {
    db = await createMigratedTestDatabase('derbel_search');
    pool = createPool(db.url, 2);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE contact_list, conversation_members, message_search');
    [direct, group] = [randomUUID(), randomUUID()];
    await pool.query(
      `INSERT INTO contact_list (user_id, contact_id, last_activity_at, kind)
       VALUES ($1, $3, now(), 'direct'), ($2, $3, now(), 'direct'), ($1, $4, now(), 'group'), ($2, $4, now(), 'group')`,
      [ana, ben, direct, group],
    );
  });

  /** A message, a minute after the previous one; its `seq` is its conversation's revision. */
  const send = async (contactId: string, text: string, senderId = ana): Promise<string> => {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO message_search (contact_id, id, seq, sender_id, sent_at, text)
       VALUES ($1, $2, $3, $4, timestamptz '2026-06-01 12:00:00+00' + make_interval(mins => $5), $6)`,
      [contactId, id, ++seq, senderId, ++minute, text],
    );
    return text;
  };
  const member = (userId: string, joinedRevision: number, leftRevision: number | null) =>
    pool.query(
      `INSERT INTO conversation_members (contact_id, user_id, joined_position, joined_revision, joined_at, left_position, left_revision)
       VALUES ($1, $2, $3, $3, now(), $4, $4)`,
      [group, userId, joinedRevision, leftRevision],
    );
  /** Every page of a search, in order, as the messages' texts. */
  const pages = async (userId: string, q: string, limit: number, options: SearchOptions, conversationId?: string) => {
    const seen: string[][] = [];
    let after: SearchCursor | undefined;
    do {
      const page = await searchMessages(pool, userId, searchTerms(q), { conversationId }, { limit, after }, options);
      seen.push(page.results.map((r) => r.message.text));
      after = page.next ?? undefined;
    } while (after && seen.length < 20);
    return seen;
  };

  for (const path of ['scan', 'index'] as const) {
    it(`${path}: ranks the newest matches best first, window after window, and pages across a window's end`, async () => {
      await send(direct, 'pizza 1 pizza pizza');
      await send(direct, 'pizza 2');
      await send(group, 'soup');
      await send(group, 'pizza 3 pizza');
      await send(direct, 'pizza 4');
      await send(direct, 'pizza 5 pizza pizza');
      await send(group, 'pizza 6');
      await member(ana, 0, null);

      // Windows of 3: (6, 5, 4), then (3, 2, 1); in each, the most matches first, then the newest.
      expect(await pages(ana, 'pizza', 2, { windowSize: 3, path })).toEqual([
        ['pizza 5 pizza pizza', 'pizza 6'],
        ['pizza 4', 'pizza 1 pizza pizza'],
        ['pizza 3 pizza', 'pizza 2'],
      ]);
      expect(await pages(ana, 'pizza', 3, { windowSize: 3, path })).toEqual([
        ['pizza 5 pizza pizza', 'pizza 6', 'pizza 4'],
        ['pizza 1 pizza pizza', 'pizza 3 pizza', 'pizza 2'],
      ]);
      // A window larger than the matches: best first over all of them, as before windows.
      expect(await pages(ana, 'pizza', 10, { windowSize: 200, path })).toEqual([
        ['pizza 5 pizza pizza', 'pizza 1 pizza pizza', 'pizza 3 pizza', 'pizza 6', 'pizza 4', 'pizza 2'],
      ]);
      expect(await pages(ana, 'pizza', 1, { windowSize: 2, path }, direct)).toEqual([
        ['pizza 5 pizza pizza'],
        ['pizza 4'],
        ['pizza 1 pizza pizza'],
        ['pizza 2'],
      ]);
    });

    it(`${path}: a group member finds only what was sent while they were in it`, async () => {
      await member(ana, 0, null);
      await send(group, 'tea before ben');
      const joined = seq;
      await send(group, 'tea with ben');
      await send(direct, 'tea for two');
      await send(group, 'tea again with ben');
      const left = seq + 1;
      await send(group, 'tea after ben left');
      await member(ben, joined, left);
      await member(ben, seq, null); // back again
      await send(group, 'tea once ben is back');

      expect((await pages(ben, 'tea', 2, { windowSize: 2, path })).flat()).toEqual([
        'tea once ben is back',
        'tea again with ben',
        'tea for two',
        'tea with ben',
      ]);
      expect(await pages(cem, 'tea', 2, { path })).toEqual([[]]);
      expect(await pages(ben, 'tea', 5, { path }, randomUUID())).toEqual([[]]);
    });
  }

  it("keeps a page's window while newer messages arrive: nothing repeated, nothing of the window skipped", async () => {
    for (let i = 1; i <= 5; i++) await send(direct, `walk ${i}`);
    const first = await searchMessages(pool, ana, ['walk'], {}, { limit: 2 }, { windowSize: 3 });
    expect(first.results.map((r) => r.message.text)).toEqual(['walk 5', 'walk 4']);
    await send(direct, 'walk walk walk 6'); // newer and better: it would lead a new search
    const rest: string[] = [];
    let after = first.next ?? undefined;
    while (after) {
      const page = await searchMessages(pool, ana, ['walk'], {}, { limit: 2, after }, { windowSize: 3 });
      rest.push(...page.results.map((r) => r.message.text));
      after = page.next ?? undefined;
    }
    expect(rest).toEqual(['walk 3', 'walk 2', 'walk 1']);
  });

  it('finds a word only an old message holds (beyond the first scan) the same way as either path', async () => {
    await send(direct, 'the rare zebra');
    for (let i = 0; i < 30; i++) await send(direct, `common words ${i}`);
    for (const q of ['zebra', 'zeb', 'common']) {
      const auto = await pages(ana, q, 5, { windowSize: 4 });
      expect(auto, q).toEqual(await pages(ana, q, 5, { windowSize: 4, path: 'scan' }));
      expect(auto, q).toEqual(await pages(ana, q, 5, { windowSize: 4, path: 'index' }));
    }
    expect((await pages(ana, 'zeb', 5, {})).flat()).toEqual(['the rare zebra']);
  });
});
