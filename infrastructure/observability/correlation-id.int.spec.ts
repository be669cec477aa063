import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { ApiClient } from '../../test/support/api-client.js';
import { startTestServer, type TestServer } from '../../test/support/test-server.js';

/** The request id is the correlation id of every event the request caused, and comes back in `x-request-id`. */
describe('request id → correlationId', () => {
  let node: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let contactId: string;

  beforeAll(async () => {
    node = await startTestServer();
    alice = await new ApiClient(node.url).signUp('alice');
    bob = await new ApiClient(node.url).signUp('bob');
    contactId = await alice.addContact(bob);
  });
  afterAll(async () => {
    await node?.close();
  });

  const lastEventOf = async (stream: string) => (await node.server.ctx.store.readStream(stream)).at(-1)!;

  it('carries a caller-supplied x-request-id into the event metadata', async () => {
    const sent = await alice.request(
      'POST',
      `/api/contacts/${contactId}/messages`,
      { text: 'traced' },
      { 'x-request-id': 'trace-abc.123' },
    );
    expect(sent.status).toBe(201);
    expect(sent.headers.get('x-request-id')).toBe('trace-abc.123');
    const event = await lastEventOf(streams.contact(contactId));
    expect(event.type).toBe('MessageSent');
    expect(event.metadata).toMatchObject({ correlationId: 'trace-abc.123', causationId: 'trace-abc.123', userId: alice.user!.id });
  });

  it('generates one when none is given, and uses the same id for the response and the event', async () => {
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'untraced' });
    const requestId = sent.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await lastEventOf(streams.contact(contactId))).metadata.correlationId).toBe(requestId);
  });

  it('ignores a malformed x-request-id instead of storing it', async () => {
    const sent = await alice.request(
      'POST',
      `/api/contacts/${contactId}/messages`,
      { text: 'odd' },
      { 'x-request-id': 'has spaces and <tags>' },
    );
    const requestId = sent.headers.get('x-request-id')!;
    expect(requestId).not.toContain(' ');
    expect((await lastEventOf(streams.contact(contactId))).metadata.correlationId).toBe(requestId);
  });

  it('also marks sign-up events', async () => {
    const username = `carol_${Date.now().toString(36)}`;
    const created = await new ApiClient(node.url).request(
      'POST',
      '/api/accounts',
      { username, displayName: 'Carol', password: 'correct horse battery' },
      { 'x-request-id': 'signup-1' },
    );
    expect(created.status).toBe(201);
    expect((await lastEventOf(streams.account(created.body.user.id))).metadata.correlationId).toBe('signup-1');
  });
});
