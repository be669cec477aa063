import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { PostgresSessions } from './postgres-auth-repositories.js';
import { SessionTrust, SESSION_TRUST_MS } from './session-trust.js';

/**
 * Issue 21: a person who sends a message every few seconds should not cost a session query with each request
 * (at one second of trust, every request of a real user did). A session found active is trusted for 30 s —
 * never past its expiry, never once a sign-out reached this node, and only a second while the channel that
 * carries other nodes' sign-outs may have dropped one.
 */
describe('PostgresSessions: how long an active session is trusted', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let queries = 0;
  // The sessions' expiries are the database's: the test's clock starts at the real time and moves on its own.
  let now = Date.now();

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      queries++;
      return query(...args);
    };
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const session = async (expiresInMs = 3_600_000) => {
    const id = randomUUID();
    await pool.query('INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [
      id,
      randomUUID(),
      new Date(Date.now() + expiresInMs),
    ]);
    return id;
  };
  const sessions = (trust = new SessionTrust()) => ({ trust, repo: new PostgresSessions(pool, { trust, now: () => now }) });
  const asked = async (check: () => Promise<boolean>) => {
    const before = queries;
    const active = await check();
    return { active, queried: queries - before };
  };

  it('asks once, then trusts the answer for 30 s', async () => {
    const { repo } = sessions();
    const id = await session();
    expect(await asked(() => repo.isActive(id))).toEqual({ active: true, queried: 1 });
    now += SESSION_TRUST_MS - 1;
    expect(await asked(() => repo.isActive(id))).toEqual({ active: true, queried: 0 });
    now += 1;
    expect(await asked(() => repo.isActive(id))).toEqual({ active: true, queried: 1 });
  });

  it('a handshake always asks', async () => {
    const { repo } = sessions();
    const id = await session();
    await repo.isActive(id);
    expect(await asked(() => repo.isActive(id, { fresh: true }))).toEqual({ active: true, queried: 1 });
  });

  it('never trusts a session past its expiry', async () => {
    const { repo } = sessions();
    const id = await session(5_000);
    expect(await asked(() => repo.isActive(id))).toEqual({ active: true, queried: 1 });
    now += 5_000;
    expect((await asked(() => repo.isActive(id))).queried).toBe(1);
  });

  it('refuses at once a session another node ended, and asks again for it', async () => {
    const { repo } = sessions();
    const id = await session();
    await repo.isActive(id);
    await pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [id]);
    repo.forget(id);
    expect(await asked(() => repo.isActive(id))).toEqual({ active: false, queried: 1 });
  });

  it('does not keep an answer that was on its way when the sign-out arrived', async () => {
    const { repo } = sessions();
    const id = await session();
    // The database answered "active" before the sign-out committed; the node hears of the sign-out first.
    const check = repo.isActive(id);
    repo.forget(id);
    // A later check is asked for after the news: it neither undoes it for the earlier one nor is refused by it.
    const later = repo.isActive(id);
    expect(await check).toBe(false);
    expect(await later).toBe(true);
    expect(await asked(() => repo.isActive(id))).toEqual({ active: true, queried: 0 });
  });

  it('trusts for a second only while the channel that carries sign-outs may have dropped one', async () => {
    let channelUp = true;
    const { trust, repo } = sessions(new SessionTrust(() => channelUp));
    const id = await session();
    await repo.isActive(id);
    channelUp = false;
    trust.disrupted();
    now += 999;
    expect((await asked(() => repo.isActive(id))).queried).toBe(0);
    now += 1;
    expect((await asked(() => repo.isActive(id))).queried).toBe(1);
    now += 1_000;
    expect((await asked(() => repo.isActive(id))).queried).toBe(1);
    // Back: what was checked while it was away may have missed a sign-out, and is asked again within a second.
    channelUp = true;
    trust.disrupted();
    now += 500;
    expect((await asked(() => repo.isActive(id))).queried).toBe(0);
    now += 500;
    expect((await asked(() => repo.isActive(id))).queried).toBe(1);
    now += SESSION_TRUST_MS - 1;
    expect((await asked(() => repo.isActive(id))).queried).toBe(0);
  });
});
