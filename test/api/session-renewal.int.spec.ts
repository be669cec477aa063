import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { sleep } from '../support/eventually.js';

const PASSWORD = 'correct horse battery';

/**
 * Issue 14, sessions that slide: a short-lived access token, renewed with a rotating refresh token while the
 * app is open, within an idle timeout and an absolute lifetime; a refresh token used twice ends the session.
 */
describe('session renewal', () => {
  let t: TestServer;
  let sql: pg.Client;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { JWT_EXPIRES_IN: '3', SESSION_IDLE_TIMEOUT: '1h', SESSION_MAX_AGE: '1d' } });
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await sql.end();
    await t.close();
  });

  async function signIn(client: ApiClient) {
    const response = await client.post('/api/sessions', { username: client.user!.username, password: PASSWORD });
    expect(response.status).toBe(200);
    return response;
  }
  const refresh = (refreshToken: string) => new ApiClient(t.url).post('/api/sessions/refresh', { refreshToken });
  const me = (token: string) => {
    const client = new ApiClient(t.url);
    client.token = token;
    return client.get('/api/me');
  };

  it('sign-in gives a refresh token, in the body and in an HttpOnly cookie only sent to /api/sessions', async () => {
    const user = await new ApiClient(t.url).signUp('ana');
    const response = await signIn(user);
    expect(response.body.refreshToken).toMatch(/^[\w-]{40,}$/);
    const cookies = response.headers.getSetCookie();
    const refreshCookie = cookies.find((c) => c.startsWith('derbel_refresh='))!;
    expect(refreshCookie).toMatch(/HttpOnly/i);
    expect(refreshCookie).toMatch(/Path=\/api\/sessions/);
    expect(refreshCookie).toContain(response.body.refreshToken);
  });

  it('renews an expired access token, rotating the refresh token, by body or by cookie', async () => {
    const user = await new ApiClient(t.url).signUp('ben');
    const first = (await signIn(user)).body;
    await new Promise((r) => setTimeout(r, 3_200));
    expect((await me(first.token)).status).toBe(401);
    const renewed = await refresh(first.refreshToken);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refreshToken).not.toBe(first.refreshToken);
    expect(renewed.body.csrfToken).toBe(first.csrfToken);
    expect((await me(renewed.body.token)).status).toBe(200);
    const viaCookie = await new ApiClient(t.url).request('POST', '/api/sessions/refresh', undefined, {
      cookie: `derbel_refresh=${renewed.body.refreshToken}`,
    });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.headers.getSetCookie().some((c) => c.startsWith('derbel_session='))).toBe(true);
  });

  it('lets two tabs renew with one token at the same moment', async () => {
    const user = await new ApiClient(t.url).signUp('cat');
    const { refreshToken } = (await signIn(user)).body;
    const [a, b] = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect([a.status, b.status]).toEqual([200, 200]);
  });

  it('a refresh token used again later ends the whole session: every token of it, and its sockets', async () => {
    const user = await new ApiClient(t.url).signUp('dan');
    const first = (await signIn(user)).body;
    const renewed = (await refresh(first.refreshToken)).body;
    const socket = await connected(Object.assign(new ApiClient(t.url), { token: renewed.token }).connect());
    sockets.push(socket);
    const expired: unknown[] = [];
    socket.on('session:expired', (e) => expired.push(e));
    // The first token was used a minute ago: past the grace two racing tabs get.
    await sql.query(`UPDATE session_refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL`);
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await me(renewed.token)).status).toBe(401);
    expect((await refresh(renewed.refreshToken)).status).toBe(401);
    await eventually(() => expired.length === 1 && !socket.connected);
  });

  it('ends a session left idle past the idle timeout, and one past its lifetime', async () => {
    const user = await new ApiClient(t.url).signUp('eve');
    const idle = (await signIn(user)).body;
    const old = (await signIn(user)).body;
    const sessionOf = async (token: string) =>
      (await me(token)).status === 200 && JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
    await sql.query(`UPDATE sessions SET renewed_at = now() - interval '2 hours' WHERE id = $1`, [await sessionOf(idle.token)]);
    await sql.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [await sessionOf(old.token)]);
    for (const { refreshToken } of [idle, old]) {
      const response = await refresh(refreshToken);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('SESSION_EXPIRED');
    }
  });

  it('an open socket takes the renewed token and stays, without reconnecting', async () => {
    const [fay, gus] = await Promise.all([new ApiClient(t.url).signUp('fay'), new ApiClient(t.url).signUp('gus')]);
    const session = (await signIn(gus)).body;
    const socket = await connected(Object.assign(new ApiClient(t.url), { token: session.token }).connect());
    sockets.push(socket);
    socket.io.opts.reconnection = false;
    let disconnects = 0;
    socket.on('disconnect', () => disconnects++);
    const events = recordEvents(socket);
    const renewed = (await refresh(session.refreshToken)).body;
    expect(await socket.emitWithAck('session:renew', { token: renewed.token })).toMatchObject({ ok: true });
    const stranger = (await signIn(fay)).body;
    expect(await socket.emitWithAck('session:renew', { token: stranger.token })).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    // Renewed as the app does, well before each 3 s token runs out, until past the first token's expiry (each
    // renewal a good 2 s before the token it replaces expires, so a busy machine does not make it late).
    let current = renewed;
    while (Date.now() < Date.parse(session.expiresAt) + 1_000) {
      await sleep(700);
      current = (await refresh(current.refreshToken)).body;
      expect(await socket.emitWithAck('session:renew', { token: current.token })).toMatchObject({ ok: true });
    }
    fay.token = (await signIn(fay)).body.token;
    // Gus accepts fay's request through a session of his own: the sign-up's token is past its 3 s too.
    const gusNow = Object.assign(new ApiClient(t.url), { token: (await signIn(gus)).body.token, user: gus.user });
    const contactId = await fay.addContact(gusNow);
    await fay.post(`/api/contacts/${contactId}/messages`, { text: 'still with us?' });
    await eventually(() => events.some((e) => e.type === 'MessageSent'));
    expect(disconnects).toBe(0);
  });

  it('signs out everywhere: every session of the user, every socket', async () => {
    const user = await new ApiClient(t.url).signUp('hal');
    const sessions = [(await signIn(user)).body, (await signIn(user)).body];
    const expired: unknown[] = [];
    for (const session of sessions) {
      const socket = await connected(Object.assign(new ApiClient(t.url), { token: session.token }).connect());
      sockets.push(socket);
      socket.on('session:expired', (e) => expired.push(e));
    }
    const client = Object.assign(new ApiClient(t.url), { token: sessions[0].token });
    expect((await client.request('DELETE', '/api/sessions/everywhere')).status).toBe(204);
    await eventually(() => expired.length === 2);
    for (const session of sessions) {
      expect((await me(session.token)).status).toBe(401);
      expect((await refresh(session.refreshToken)).status).toBe(401);
    }
  });
});
