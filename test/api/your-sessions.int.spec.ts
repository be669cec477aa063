import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { derbel } from '../tooling/tooling-support.js';

const PASSWORD = 'correct horse battery';

/**
 * Issue 14, "your sessions": a user sees their active sessions (this device, the others with the browser
 * and address they were opened from, and when they were last active) and ends any of them; sign-ins,
 * renewals, sign-outs and failed sign-ins are journaled and audited with the CLI, never with a secret.
 */
describe('your sessions', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const signInFrom = async (client: ApiClient, userAgent: string) => {
    const response = await client.request(
      'POST',
      '/api/sessions',
      { username: client.user!.username, password: PASSWORD },
      { 'user-agent': userAgent },
    );
    expect(response.status).toBe(200);
    return Object.assign(new ApiClient(t.url), {
      token: response.body.token as string,
      user: client.user,
      refreshToken: response.body.refreshToken as string,
    });
  };

  it('lists the active sessions with their devices, and ends another one: its token and its sockets', async () => {
    const ana = await new ApiClient(t.url).signUp('ana');
    const laptop = await signInFrom(ana, 'Laptop Browser/1.0');
    const phone = await signInFrom(ana, 'Phone Browser/2.0');
    const phoneSocket = await connected(phone.connect());
    const expired: unknown[] = [];
    phoneSocket.on('session:expired', (e) => expired.push(e));

    const listed = (await laptop.get('/api/sessions')).body.sessions;
    const mine = listed.find((s: { current: boolean }) => s.current);
    expect(mine).toMatchObject({ current: true, userAgent: 'Laptop Browser/1.0', address: '127.0.0.1' });
    const other = listed.find((s: { userAgent: string }) => s.userAgent === 'Phone Browser/2.0');
    expect(other).toMatchObject({ current: false, lastActiveAt: expect.any(String) });
    expect(listed).toHaveLength(3); // sign-up's own sign-in, the laptop and the phone

    expect((await laptop.request('DELETE', `/api/sessions/${other.id}`)).status).toBe(204);
    expect((await phone.get('/api/me')).status).toBe(401);
    await eventually(() => expired.length === 1 && !phoneSocket.connected);
    expect((await laptop.get('/api/sessions')).body.sessions.map((s: { id: string }) => s.id)).not.toContain(other.id);
    expect((await laptop.get('/api/me')).status).toBe(200);
  });

  it("answers another user's session exactly as a session that does not exist", async () => {
    const [ben, cat] = await Promise.all([new ApiClient(t.url).signUp('ben'), new ApiClient(t.url).signUp('cat')]);
    const catsSession = (await cat.get('/api/sessions')).body.sessions[0].id;
    const theirs = await ben.request('DELETE', `/api/sessions/${catsSession}`);
    const nobodys = await ben.request('DELETE', `/api/sessions/${crypto.randomUUID()}`);
    expect(theirs.status).toBe(404);
    expect({ ...theirs.body }).toEqual({ ...nobodys.body });
    expect((await cat.get('/api/me')).status).toBe(200);
  });

  it('journals sign-ins, failures, renewals and sign-outs for the CLI, without any secret', async () => {
    const dan = await new ApiClient(t.url).signUp('dan');
    expect(
      (
        await dan.request(
          'POST',
          '/api/sessions',
          { username: dan.user!.username, password: 'wrong password!' },
          { 'user-agent': 'Guesser/1' },
        )
      ).status,
    ).toBe(401);
    const session = await signInFrom(dan, 'Desk/3');
    const renewed = await new ApiClient(t.url).post('/api/sessions/refresh', { refreshToken: session.refreshToken });
    expect(renewed.status).toBe(200);
    expect((await session.request('DELETE', '/api/sessions')).status).toBe(204);

    const { code, stdout } = await derbel(t.db.url, ['audit', 'sessions', dan.user!.username, '--json']);
    expect(code).toBe(0);
    const audit = JSON.parse(stdout);
    expect(audit.userId).toBe(dan.user!.id);
    expect(audit.events.map((e: { kind: string }) => e.kind)).toEqual([
      'signed-in',
      'sign-in-failed',
      'signed-in',
      'renewed',
      'signed-out',
    ]);
    expect(audit.events[1]).toMatchObject({ userAgent: 'Guesser/1', address: '127.0.0.1', username: dan.user!.username });
    for (const secret of [
      PASSWORD,
      'wrong password!',
      session.token!,
      session.refreshToken,
      renewed.body.refreshToken,
      renewed.body.token,
    ]) {
      expect(stdout).not.toContain(secret);
    }
    const table = await derbel(t.db.url, ['audit', 'sessions', dan.user!.username]);
    expect(table.stdout).toContain('sign-in-failed');
  });
});
