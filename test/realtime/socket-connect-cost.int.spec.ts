import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonValidatorsCompiled } from '../../infrastructure/http/validator-compiler.js';
import { ApiClient, connected } from '../support/api-client.js';
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
});
