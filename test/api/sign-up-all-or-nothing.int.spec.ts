import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../application/ports/event-store.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createPool } from '../../infrastructure/database/pool.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { derbel } from '../tooling/tooling-support.js';

/** Issue 13, finding 2: a sign-up that fails half way must not keep the username. */
describe('sign-up is all or nothing', () => {
  let t: TestServer;
  let failAccountAppends = false;
  const password = 'correct horse battery';

  beforeAll(async () => {
    t = await startTestServer({
      overrides: {
        // The real store, with the account stream's append failing on demand (as a database error would).
        async createEventStore(config) {
          const store: EventStore = new PostgresEventStore(createPool(config.databaseUrl!), config.databaseUrl!);
          const append = store.appendToStream.bind(store);
          store.appendToStream = (stream, events, options) =>
            failAccountAppends && stream.startsWith('account-')
              ? Promise.reject(new Error('injected: the account append failed'))
              : append(stream, events, options);
          return store;
        },
      },
    });
  });
  afterAll(() => t.close());

  const username = () => `name_${randomUUID().slice(0, 8)}`;

  it('releases the username when the account cannot be registered', async () => {
    const name = username();
    failAccountAppends = true;
    const failed = await new ApiClient(t.url).post('/api/accounts', { username: name, displayName: 'Eve', password });
    failAccountAppends = false;
    expect(failed.status).toBe(500);
    const retried = await new ApiClient(t.url).post('/api/accounts', { username: name, displayName: 'Eve', password });
    expect(retried.status).toBe(201);
    expect((await new ApiClient(t.url).post('/api/sessions', { username: name, password })).status).toBe(200);
  });

  it('`derbel accounts release-username` frees a name lost that way in an existing log, and only such a name', async () => {
    const lost = username();
    // What a half-done sign-up left before this fix: a claim, and no account behind it.
    await t.server.ctx.store.appendToStream(`username-${lost}`, [
      {
        id: randomUUID(),
        type: 'UsernameClaimed',
        data: { username: lost, userId: randomUUID() },
        metadata: {
          userId: null,
          correlationId: randomUUID(),
          causationId: null,
          timestamp: new Date().toISOString(),
          schemaVersion: 1,
        } as any,
      },
    ]);
    expect((await new ApiClient(t.url).post('/api/accounts', { username: lost, displayName: 'Eve', password })).body.code).toBe(
      'USERNAME_TAKEN',
    );

    const owned = (await new ApiClient(t.url).signUp('owner')).user!.username;
    const refused = await derbel(t.db.url, ['accounts', 'release-username', owned]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has an account/);

    const released = await derbel(t.db.url, ['accounts', 'release-username', lost]);
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(released.stdout).toContain(`released ${lost}`);
    expect((await new ApiClient(t.url).post('/api/accounts', { username: lost, displayName: 'Eve', password })).status).toBe(201);
    expect((await new ApiClient(t.url).post('/api/sessions', { username: owned, password })).status).toBe(200);

    const unknown = await derbel(t.db.url, ['accounts', 'release-username', username()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not claimed/);
  });
});
