import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { seedEvents } from '../../infrastructure/cli/commands/seed-log.js';
import { JwtTokenService } from '../../infrastructure/auth/jwt-token-service.js';
import { PROJECTIONS } from '../../projections/names.js';
import { TEST_JWT_SECRET } from './test-server.js';

export interface Population {
  users: Array<{ userId: string; token: string }>;
  /** Contacts between user 2i and 2i+1 (i < pairs): the active pairs' conversations. */
  pairs: Array<{ contactId: string; sender: number; receiver: number }>;
  /** The last seeded position: every client's feed baseline. */
  head: number;
  seconds: number;
}

/**
 * `users` people with `contactsPerUser` contacts each, written straight into the log by the seeding SQL of
 * `derbel events seed` (accounts, username claims, contacts, one message per user), for the nodes' real
 * projections to build the read models from. Seeded contact c joins user c mod U with user
 * (c mod U) + 1 + ⌊c / U⌋, so U · k / 2 contacts give every user exactly k. Each user gets an active session
 * (the row a sign-in writes) and its token, signed with the nodes' secret.
 */
export async function seedPopulation(
  databaseUrl: string,
  options: { users: number; contactsPerUser: number; pairs: number },
): Promise<Population> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const contacts = Math.round((options.users * options.contactsPerUser) / 2);
    const seeded = await seedEvents(client, { users: options.users, contacts, events: 2 * options.users + contacts + options.users });
    const { rows: accounts } = await client.query<{ user_id: string }>(
      `SELECT data->>'userId' AS user_id FROM events WHERE type = 'AccountRegistered' AND position BETWEEN $1 AND $2 ORDER BY position`,
      [seeded.firstPosition, seeded.lastPosition],
    );
    const tokens = new JwtTokenService(TEST_JWT_SECRET, 7 * 24 * 3600);
    const sessions = accounts.map(({ user_id }) => ({ userId: user_id, sessionId: randomUUID() }));
    await client.query(
      `INSERT INTO sessions (id, user_id, expires_at) SELECT s, u, now() + interval '7 days' FROM unnest($1::uuid[], $2::uuid[]) AS t(s, u)`,
      [sessions.map((s) => s.sessionId), sessions.map((s) => s.userId)],
    );
    const users = sessions.map((s) => ({ userId: s.userId, token: tokens.issue(s).token }));
    // Contacts c = 2i (i < pairs) join users 2i and 2i + 1.
    const { rows: pairRows } = await client.query<{ contact_id: string; a: string; b: string }>(
      `SELECT data->>'contactId' AS contact_id, data->'members'->>0 AS a, data->'members'->>1 AS b
         FROM events WHERE type = 'ContactAdded' AND position BETWEEN $1 AND $2 ORDER BY position LIMIT $3`,
      [seeded.firstPosition, seeded.lastPosition, 2 * options.pairs],
    );
    const index = new Map(users.map((u, i) => [u.userId, i]));
    const pairs = pairRows
      .filter((_, c) => c % 2 === 0)
      .map((row) => ({ contactId: row.contact_id, sender: index.get(row.a)!, receiver: index.get(row.b)! }));
    return { users, pairs, head: seeded.lastPosition, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** Resolves once every projection has applied the log up to `head`. */
export async function projectionsReached(databaseUrl: string, head: number, timeoutMs = 600_000) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ slowest: string | null; n: number }>(
        'SELECT min(position) AS slowest, count(*)::int AS n FROM projection_checkpoints',
      );
      if (rows[0].n >= Object.keys(PROJECTIONS).length && Number(rows[0].slowest) >= head) return;
      if (Date.now() > deadline) throw new Error(`projections at ${rows[0].slowest} of ${head} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await client.end();
  }
}
