import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/api-client.js';
import { recordingLog } from '../../test/support/recording-log.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** A "database" that hangs up on every connection, counting them. */
async function hangingUp(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://root@127.0.0.1:${port}/nowhere`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A subscription that cannot read keeps trying (the caller sees a pause), and says so instead of retrying in silence. */
describe('PostgreSQL subscription to $all without a database', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('logs that it cannot read and is retrying, once, not at every retry', async () => {
    const database = await hangingUp();
    const pool = new pg.Pool({ connectionString: database.url });
    const listener = await hangingUp();
    const log = recordingLog();
    const store = new PostgresEventStore(pool, listener.url, { log });
    const subscription = store.subscribeToAll({ after: 0 });
    const next = subscription[Symbol.asyncIterator]().next();
    cleanups.push(async () => {
      await subscription.close();
      await next;
      await store.close();
      await pool.end();
      await Promise.all([database.close(), listener.close()]);
    });

    await eventually(() => log.entries.length > 0);
    expect(log.entries[0]).toMatchObject({
      level: 'warn',
      msg: 'event subscription cannot read $all; retrying every 0.5 s',
      fields: { after: 0, failedReads: 1, err: expect.any(Error) },
    });
    // Two more attempts to read (0.5 s apart), not logged again.
    await eventually(() => database.connections() >= 3, { timeoutMs: 3_000 });
    expect(log.entries).toHaveLength(1);
  });
});
