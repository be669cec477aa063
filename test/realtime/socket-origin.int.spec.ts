import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 14: a page on another origin must not open the user's socket with the user's cookie. The handshake
 * (WebSocket and polling) is checked against the page's own origin and CORS_ORIGINS, and a cookie alone is
 * not enough: the socket must also carry the session's CSRF token (a foreign page can make the browser send
 * the cookie, not read the token), or a bearer token.
 */
describe('who may open a socket', () => {
  let t: TestServer;
  let victim: ApiClient;
  let cookie: string;
  let csrfToken: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { CORS_ORIGINS: 'https://good.example' } });
    victim = await new ApiClient(t.url).signUp('victim');
    const signIn = await fetch(`${t.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: victim.user!.username, password: 'correct horse battery' }),
    });
    cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    csrfToken = (await signIn.json()).csrfToken;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t.close();
  });

  const open = (options: { origin?: string; auth?: object; transport: 'websocket' | 'polling' }) => {
    const socket = io(t.url, {
      transports: [options.transport],
      forceNew: true,
      reconnection: false,
      auth: options.auth ?? {},
      extraHeaders: { cookie, ...(options.origin ? { origin: options.origin } : {}) },
    });
    sockets.push(socket);
    return connected(socket);
  };

  for (const transport of ['websocket', 'polling'] as const) {
    it(`refuses foreign origins carrying the victim's cookie and CSRF token (${transport})`, async () => {
      for (const origin of [
        'https://evil.example',
        'null',
        'https://good.example.evil.com',
        'http://good.example',
        'https://good.example:8443',
      ]) {
        await expect(open({ origin, auth: { csrfToken }, transport }), origin).rejects.toThrow();
      }
    });

    it(`lets the page's own origin and a configured embed origin in (${transport})`, async () => {
      for (const origin of [new URL(t.url).origin, 'https://good.example']) {
        const socket = await open({ origin, auth: { csrfToken }, transport });
        expect(socket.connected, origin).toBe(true);
        socket.disconnect();
      }
    });
  }

  it('refuses a cookie without the session’s CSRF token, from any origin', async () => {
    for (const auth of [{}, { csrfToken: 'guessed' }]) {
      await expect(open({ origin: new URL(t.url).origin, auth, transport: 'websocket' })).rejects.toThrow('UNAUTHORIZED');
    }
  });

  it('takes a bearer token without an Origin (a Node or native client), and pushes to it', async () => {
    const peer = await new ApiClient(t.url).signUp('peer');
    const socket = await connected(victim.connect());
    sockets.push(socket);
    const events = recordEvents(socket);
    const contactId = await peer.addContact(victim);
    await peer.post(`/api/contacts/${contactId}/messages`, { text: 'for the victim only' });
    await eventually(() => events.some((e) => e.type === 'MessageSent'));
  });
});
