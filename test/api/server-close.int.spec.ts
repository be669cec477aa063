import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../support/eventually.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A sign-in whose body is sent once `bodyAfter` resolves: the request is in flight until then. Resolves with the status. */
function signIn(url: string, agent: http.Agent, bodyAfter: Promise<unknown>): Promise<number> {
  const body = JSON.stringify({ username: 'nobody', password: 'not the password' });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/api/sessions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      },
    );
    request.on('error', reject);
    request.flushHeaders();
    void bodyAfter.then(() => request.end(body));
  });
}

/**
 * Closing a node answers the requests in flight, then ends their connections: a client that keeps its
 * connections alive between requests (a balancer, a browser) does not hold the close until it lets go.
 */
describe('closing an api node', () => {
  let db: TestDatabase;
  let node: TestServer;
  const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    node = await startTestServer({ db });
  });
  afterAll(async () => {
    agent.destroy();
    await db.drop();
  });

  it('answers a request in flight when it began, then ends its kept-alive connection at once', async () => {
    let closed: Promise<number> | undefined;
    const closeBegan = new Promise<void>((resolve) =>
      node.server.app.server.once('request', () => {
        closed = node.server.close().then(() => performance.now());
        resolve();
      }),
    );
    // The body is sent 300 ms after the close began: the request is in flight meanwhile.
    const status = await signIn(
      node.url,
      agent,
      closeBegan.then(() => sleep(300)),
    );
    const answeredAt = performance.now();
    expect(status).toBe(401);
    // Before the fix, the close waited for the client to drop the connection: the agent's 60 s. (The rest of the
    // close, pools and workers, takes well under a second; the bound leaves room for a busy machine.)
    expect((await closed!) - answeredAt).toBeLessThan(5_000);
  }, 90_000);
});
