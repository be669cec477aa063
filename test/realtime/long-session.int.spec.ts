import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 14: a session longer than Node's longest timer (2^31 - 1 ms, 24.8 days) must not end every socket at
 * once: the expiry timer overflowed and fired after 1 ms.
 */
describe('a 30-day session', () => {
  let t: TestServer;
  let socket: Socket;
  beforeAll(async () => {
    t = await startTestServer({ env: { JWT_EXPIRES_IN: '30d', SESSION_IDLE_TIMEOUT: '60d', SESSION_MAX_AGE: '90d' } });
  });
  afterAll(async () => {
    socket?.disconnect();
    await t.close();
  });

  it('keeps one steady socket that receives pushes', async () => {
    const [ana, ben] = await Promise.all([new ApiClient(t.url).signUp('ana'), new ApiClient(t.url).signUp('ben')]);
    socket = await connected(ben.connect());
    const expired: unknown[] = [];
    socket.on('session:expired', (e) => expired.push(e));
    let disconnects = 0;
    socket.on('disconnect', () => disconnects++);
    const events = recordEvents(socket);
    await new Promise((r) => setTimeout(r, 1_000));
    const contactId = await ana.addContact(ben);
    await ana.post(`/api/contacts/${contactId}/messages`, { text: 'still here?' });
    await eventually(() => events.some((e) => e.type === 'MessageSent'));
    expect(expired).toEqual([]);
    expect(disconnects).toBe(0);
    expect(socket.connected).toBe(true);
  });
});
