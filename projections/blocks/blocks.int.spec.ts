import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectParked,
  expectRows,
  projectionSpec,
  useProjectionDatabase,
  type Expectation,
} from '../../test/support/projection-specification.js';
import { blockStream, signUp, TestLog } from '../../test/support/recorded-events.js';
import { accountsProjection } from '../accounts/accounts.projection.js';
import type { Projection } from '../projection.js';
import { blocksProjection } from './blocks.projection.js';
import { listBlocks } from './blocks.queries.js';

/** Whom each user has blocked, on real PostgreSQL (issue 17). */
describe('blocks read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(blocksProjection, db);
  const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];

  it('a block is a row until it is lifted', async () => {
    const log = new TestLog();
    const b = blockStream(log, ben);
    const blocked = b.blocked(ana);
    const other = b.blocked(eve);
    await spec()
      .given()
      .when(blocked, other, b.unblocked(eve))
      .then(expectRows('user_blocks', [{ blocker_id: ben, blocked_id: ana, blocked_at: blocked.metadata.timestamp }]));
  });

  it('a malformed block is parked', async () => {
    const log = new TestLog();
    const bad = log.raw('blocks-x', 'UserBlocked', { blockerId: ben, blockedId: 'nope', blockedAt: log.nextAt() });
    await spec()
      .given()
      .when(bad)
      .then(expectRows('user_blocks', []), expectParked({ event: bad, code: 'MALFORMED_EVENT' }));
  });

  it('lists the blocked users by name, newest first', async () => {
    const log = new TestLog();
    const [a, e] = [signUp(log, 'ana_b'), signUp(log, 'eve_b')];
    const b = blockStream(log, ben);
    const [first, second] = [b.blocked(a.userId), b.blocked(e.userId)];
    const withAccounts: Projection = {
      name: 'blocks_with_accounts',
      tables: [...blocksProjection.tables, ...accountsProjection.tables],
      async apply(sql, events) {
        await accountsProjection.apply(sql, events);
        await blocksProjection.apply(sql, events);
      },
    };
    const listed: Expectation<any> = {
      async check({ pool }) {
        expect(await listBlocks(pool, ben)).toEqual([
          { user: { id: e.userId, username: 'eve_b' }, blockedAt: second.metadata.timestamp },
          { user: { id: a.userId, username: 'ana_b' }, blockedAt: first.metadata.timestamp },
        ]);
        expect(await listBlocks(pool, a.userId)).toEqual([]);
      },
    };
    await projectionSpec(withAccounts, db).given(a.claimed, a.registered, e.claimed, e.registered).when(first, second).then(listed);
  });
});
