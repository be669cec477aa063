import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../support/api-client.js';
import { TEST_ADMIN_DATABASE_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 21: in a reconnect storm the database may refuse or time out for a moment. A handshake whose
 * session could not be checked is not a signed-out user: the web client treats `UNAUTHORIZED` as the end of
 * the session (it signs out), so such a refusal must say `UNAVAILABLE`, which the client retries with its
 * back-off. A request over HTTP in the same state is a 503 to retry, not a 401.
 */
describe('a handshake while the database cannot answer', () => {
  let t: TestServer;
  let alice: ApiClient;
  const sockets: Socket[] = [];

  const setConnections = async (allow: boolean) => {
    const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${t.db.name} WITH ALLOW_CONNECTIONS ${allow}`);
      if (!allow) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [t.db.name]);
    } finally {
      await admin.end();
    }
  };
  const open = () => {
    const socket = io(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: alice.token } });
    sockets.push(socket);
    return connected(socket);
  };

  beforeAll(async () => {
    t = await startTestServer();
    alice = await new ApiClient(t.url).signUp('alice');
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await setConnections(true);
    await t.close();
  });

  it('refuses with UNAVAILABLE (to retry), then lets the same token in once the database is back', async () => {
    await setConnections(false);
    try {
      await expect(open()).rejects.toThrow(/^UNAVAILABLE$/);
      const me = await alice.get('/api/me');
      expect(me.status).toBe(503);
      expect(me.body.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await setConnections(true);
    }
    const socket = await open();
    expect(socket.connected).toBe(true);
  });

  it('still refuses a signed-out session with UNAUTHORIZED', async () => {
    const session = await alice.post('/api/sessions', { username: alice.user!.username, password: 'correct horse battery' });
    const other = new ApiClient(t.url);
    other.token = session.body.token;
    expect((await other.request('DELETE', '/api/sessions')).status).toBe(204);
    const socket = io(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: other.token } });
    sockets.push(socket);
    await expect(connected(socket)).rejects.toThrow(/^UNAUTHORIZED$/);
  });
});
