import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 14: the session cookie is `SameSite=Lax` unless cross-origin embedding is configured, so a foreign
 * site's requests do not carry it; `SameSite=None; Secure` only for the configured embed origins' sake.
 */
describe('the session cookie', () => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((t) => t.close())));

  async function sessionCookie(env: Record<string, string>): Promise<string> {
    const t = await startTestServer({ env });
    servers.push(t);
    const user = await new ApiClient(t.url).signUp('cookie');
    const signIn = await user.post('/api/sessions', { username: user.user!.username, password: 'correct horse battery' });
    return signIn.headers.get('set-cookie')!;
  }

  it('is SameSite=Lax and Secure in production without embedding', async () => {
    const cookie = await sessionCookie({ COOKIE_SECURE: 'true' });
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/; Secure/i);
  });

  it('is SameSite=None; Secure only when embed origins are configured', async () => {
    const cookie = await sessionCookie({ COOKIE_SECURE: 'true', CORS_ORIGINS: 'https://good.example' });
    expect(cookie).toMatch(/SameSite=None/i);
    expect(cookie).toMatch(/; Secure/i);
  });

  it('stays SameSite=Lax without Secure (browsers refuse SameSite=None on an insecure cookie)', async () => {
    const cookie = await sessionCookie({ COOKIE_SECURE: 'false', CORS_ORIGINS: 'https://good.example' });
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i);
  });
});
