import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonValidatorsCompiled } from '../../infrastructure/http/validator-compiler.js';
import { ApiClient, connected, eventually } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 21: a socket connect must not compile its event validators again (a compile costs milliseconds of
 * CPU, and Ajv keeps every compiled schema: a node with 20,000 sockets held 20,000 copies of each).
 */
describe('the cost of a socket connect', () => {
  let node: TestServer;
  beforeAll(async () => {
    node = await startTestServer();
  });
  afterAll(async () => {
    await node?.close();
  });

  it('compiles no validator per connection', async () => {
    const ana = await new ApiClient(node.url).signUp('ana');
    const first = await connected(ana.connect());
    first.disconnect();
    const before = jsonValidatorsCompiled();
    const more = await Promise.all([1, 2, 3].map(() => connected(ana.connect())));
    for (const socket of more) socket.disconnect();
    expect(jsonValidatorsCompiled()).toBe(before);
  });

  it('gives every socket the same meeting event handlers: no closures or seat state made per connection', async () => {
    const cem = await new ApiClient(node.url).signUp('cem');
    const clients = await Promise.all([1, 2].map(() => connected(cem.connect())));
    try {
      const [first, second] = [...node.server.gateway.io.of('/').sockets.values()].filter((s) => s.data.userId === cem.user!.id);
      for (const event of ['meeting:join', 'meeting:leave', 'signal', 'meeting:media']) {
        expect(first.listeners(event)).toHaveLength(1);
        expect(second.listeners(event)).toEqual(first.listeners(event));
      }
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('asks the database about the session once per connect, and still drops a socket whose session ends meanwhile', async () => {
    const ben = await new ApiClient(node.url).signUp('ben');
    const sessions = node.server.ctx.sessions;
    const isActive = sessions.isActive.bind(sessions);
    let asked = 0;
    let endDuringHandshake = false;
    sessions.isActive = async (sessionId, options) => {
      asked++;
      const active = await isActive(sessionId, options);
      // A sign-out on another node, committed just after this check and announced before the socket joins its rooms.
      if (endDuringHandshake) await node.server.gateway.endSession(sessionId);
      return active;
    };
    try {
      const kept = await connected(ben.connect());
      expect(asked).toBe(1);
      kept.disconnect();

      endDuringHandshake = true;
      const dropped = ben.connect();
      dropped.io.opts.reconnection = false;
      const expired = new Promise((resolve) => dropped.once('session:expired', resolve));
      await connected(dropped).catch(() => null);
      await expired;
      await eventually(() => dropped.connected === false || undefined);
      expect(asked).toBe(2);
    } finally {
      sessions.isActive = isActive;
    }
  });
});
