import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const HOST = 'https://acme.example';

/** Issue 20: the reaction picker's emoji data comes from our own origin; embeds on another one react with PUT. */
describe('emoji data and reactions across origins', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { CORS_ORIGINS: HOST } });
  });
  afterAll(() => t.close());

  it('serves the picker data as JSON, cacheable, to the app and to an embedding origin', async () => {
    const response = await fetch(`${t.url}/emoji/data.json`, { headers: { origin: HOST } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(response.headers.get('access-control-allow-origin')).toBe(HOST);
    const emoji = (await response.json()) as Array<{ emoji: string; annotation: string }>;
    expect(emoji.length).toBeGreaterThan(1000);
    expect(emoji.find((entry) => entry.emoji === '🎉')?.annotation).toBe('party popper');
  });

  it('serves nothing else from the package', async () => {
    for (const path of [
      '/emoji/',
      '/emoji/package.json',
      '/emoji/../package.json',
      '/emoji/%2e%2e/package.json',
      '/emoji/en/emojibase/data.json',
    ]) {
      // Not another file of the package: a 404 (a file that is not there), or the app's page where the path
      // could be a client-side route once the web app is built.
      const response = await fetch(`${t.url}${path}`);
      const body = await response.text();
      expect(body, path).not.toContain('emoji-picker-element-data');
      if ((response.headers.get('content-type') ?? '').includes('json')) {
        expect(response.status, path).toBe(404);
        expect(JSON.parse(body), path).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      }
    }
  });

  it('lets an embedding origin PUT a reaction (the preflight allows it)', async () => {
    const response = await fetch(`${t.url}/api/contacts/00000000-0000-4000-8000-000000000000/messages/m/reactions/%F0%9F%91%8D`, {
      method: 'OPTIONS',
      headers: { origin: HOST, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-csrf-token' },
    });
    expect(response.status).toBeLessThan(300);
    expect(
      response.headers
        .get('access-control-allow-methods')
        ?.split(',')
        .map((method) => method.trim()),
    ).toContain('PUT');
  });
});
