import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const password = 'correct horse battery';
const wrong = (client: ApiClient, username: string, headers: Record<string, string> = {}) =>
  client.request('POST', '/api/sessions', { username, password: 'not the password' }, headers);

/** Issue 13, finding 4: sign-in and sign-up limits that a script cannot walk around. */
describe('sign-in limits', () => {
  describe('behind a trusted proxy', () => {
    let t: TestServer;
    let victims: string[];

    beforeAll(async () => {
      t = await startTestServer({ env: { TRUST_PROXY: '127.0.0.1', RATE_LIMIT_SIGN_UP: '1000/1m' } });
      victims = await Promise.all(
        Array.from({ length: 3 }, async (_, i) => {
          const username = `victim${i}_${randomUUID().slice(0, 6)}`;
          expect((await new ApiClient(t.url).post('/api/accounts', { username, displayName: 'V', password })).status).toBe(201);
          return username;
        }),
      );
    });
    afterAll(() => t.close());

    it('stops password spraying: failed sign-ins are limited per address across usernames (20 per 10 min)', async () => {
      const sprayer = { 'x-forwarded-for': '203.0.113.50' };
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++)
        statuses.push((await wrong(new ApiClient(t.url), `user${i}_${randomUUID().slice(0, 6)}`, sprayer)).status);
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(statuses.slice(20)).toEqual(Array(5).fill(429));

      const refused = await new ApiClient(t.url).request('POST', '/api/sessions', { username: victims[0], password }, sprayer);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

      // Another address behind the same proxy signs in as usual.
      const other = await new ApiClient(t.url).request(
        'POST',
        '/api/sessions',
        { username: victims[0], password },
        { 'x-forwarded-for': '198.51.100.9' },
      );
      expect(other.status).toBe(200);
    });

    it('successful sign-ins do not count: many people behind one address sign in', async () => {
      const office = { 'x-forwarded-for': '192.0.2.80' };
      for (let i = 0; i < 30; i++) {
        expect((await new ApiClient(t.url).request('POST', '/api/sessions', { username: victims[i % 3], password }, office)).status).toBe(
          200,
        );
      }
    });
  });

  describe('with no TRUST_PROXY (the default)', () => {
    let t: TestServer;

    beforeAll(async () => {
      t = await startTestServer({ env: { TRUST_PROXY: '', RATE_LIMIT_SIGN_UP: '3/1m' } });
    });
    afterAll(() => t.close());

    it('a rotated X-Forwarded-For does not reset the sign-in limit of one account', async () => {
      const username = `target_${randomUUID().slice(0, 6)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await wrong(new ApiClient(t.url), username, { 'x-forwarded-for': `203.0.113.${i + 1}` })).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
      const refused = await wrong(new ApiClient(t.url), username);
      expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(refused.body.retryAfterMs).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('nor the sign-up limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const body = { username: `new${i}_${randomUUID().slice(0, 6)}`, displayName: 'N', password };
        statuses.push(
          (await new ApiClient(t.url).request('POST', '/api/accounts', body, { 'x-forwarded-for': `198.51.100.${i + 1}` })).status,
        );
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
    });
  });
});
