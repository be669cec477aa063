import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('accounts and sessions', () => {
  let t: TestServer;
  let api: ApiClient;
  const unique = () => `u_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
  });
  afterAll(() => t.close());

  it('signs up, signs in with a cookie and a token, reads /api/me, signs out', async () => {
    const username = unique();
    const created = await api.post('/api/accounts', { username, displayName: '  Ada Lovelace ', password: 'analytical engine' });
    expect(created.status).toBe(201);
    expect(created.body.user).toEqual({ id: expect.any(String), username, displayName: 'Ada Lovelace' });

    const session = await api.post('/api/sessions', { username: username.toUpperCase(), password: 'analytical engine' });
    expect(session.status).toBe(200);
    const cookie = session.headers.get('set-cookie')!;
    expect(cookie).toMatch(/derbel_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const viaCookie = await api.request('GET', '/api/me', undefined, { cookie: cookie.split(';')[0] });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body.user.username).toBe(username);

    const client = new ApiClient(t.url);
    client.token = session.body.token;
    expect((await client.get('/api/me')).status).toBe(200);
    expect((await client.request('DELETE', '/api/sessions')).status).toBe(204);
    const after = await client.get('/api/me');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHORIZED');
  });

  it('rejects a taken username case-insensitively with 409 USERNAME_TAKEN', async () => {
    const username = unique();
    expect((await api.post('/api/accounts', { username, displayName: 'A', password: 'password-1' })).status).toBe(201);
    const again = await api.post('/api/accounts', { username: username.toUpperCase(), displayName: 'B', password: 'password-2' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, code: 'USERNAME_TAKEN', message: expect.any(String) });
  });

  it('answers exactly one of many concurrent sign-ups for one name', async () => {
    const username = unique();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.post('/api/accounts', { username, displayName: `N${i}`, password: 'password-1' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('validates sign-up input with 400 and a machine-readable code', async () => {
    for (const body of [
      { username: 'ab', displayName: 'x', password: 'password-1' },
      { username: 'has space', displayName: 'x', password: 'password-1' },
      { username: unique(), displayName: 'x', password: 'short' },
      { username: unique(), displayName: '', password: 'password-1' },
      { username: unique(), displayName: '   ', password: 'password-1' },
      { username: unique(), displayName: 'x' },
      { username: 42, displayName: 'x', password: 'password-1' },
      { username: unique(), displayName: 'x', password: 'password-1', admin: true },
    ]) {
      const res = await api.post('/api/accounts', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toMatch(/^(VALIDATION_ERROR|INVALID_DISPLAY_NAME)$/);
      expect(res.body.message).toEqual(expect.any(String));
    }
  });

  it('answers 401 INVALID_CREDENTIALS alike for an unknown user and a wrong password', async () => {
    const username = unique();
    await api.post('/api/accounts', { username, displayName: 'x', password: 'password-1' });
    const wrong = await api.post('/api/sessions', { username, password: 'password-2' });
    const unknown = await api.post('/api/sessions', { username: unique(), password: 'password-1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('rate-limits sign-in attempts per address and username', async () => {
    const username = unique();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api.post('/api/sessions', { username, password: 'nope-nope' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await api.post('/api/sessions', { username, password: 'nope-nope' });
    expect(limited.body.code).toBe('RATE_LIMITED');
    // Someone else's account is unaffected.
    expect((await api.post('/api/sessions', { username: unique(), password: 'nope-nope' })).status).toBe(401);
  });

  it('keeps passwords out of events and stores only bcrypt hashes', async () => {
    const username = unique();
    const password = `secret-${randomBytes(6).toString('hex')}`;
    await api.post('/api/accounts', { username, displayName: 'x', password });
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM events WHERE data::text LIKE $1 OR metadata::text LIKE $1`, [
        `%${password}%`,
      ]);
      expect(rows[0].n).toBe(0);
      const hashes = await client.query(`SELECT password_hash FROM credentials`);
      expect(hashes.rows.every((r) => /^\$2[aby]\$04\$/.test(r.password_hash))).toBe(true);
      const events = await client.query(`SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%$2%$04$%'`);
      expect(events.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('requires the CSRF header for cookie-authenticated writes, not for bearer tokens', async () => {
    const username = unique();
    await api.post('/api/accounts', { username, displayName: 'x', password: 'password-1' });
    const session = await api.post('/api/sessions', { username, password: 'password-1' });
    const cookie = session.headers.get('set-cookie')!.split(';')[0];
    const anon = new ApiClient(t.url);
    const without = await anon.request('POST', '/api/contacts', { username: 'nobody_here' }, { cookie });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('CSRF_TOKEN_INVALID');
    const withHeader = await anon.request(
      'POST',
      '/api/contacts',
      { username: 'nobody_here' },
      { cookie, 'x-csrf-token': session.body.csrfToken },
    );
    expect(withHeader.status).toBe(404);
    expect(withHeader.body.code).toBe('USER_NOT_FOUND');
  });

  it('rejects requests without a valid session with 401', async () => {
    const anon = new ApiClient(t.url);
    expect((await anon.get('/api/contacts')).body.code).toBe('UNAUTHORIZED');
    anon.token = 'not-a-jwt';
    expect((await anon.get('/api/contacts')).status).toBe(401);
  });

  it('serves /metrics to the local network only, not to a public client behind the proxy', async () => {
    const direct = await fetch(`${t.url}/metrics`);
    expect(direct.status).toBe(200);
    expect(await direct.text()).toMatch(/^# HELP/m);
    const viaProxy = await api.request('GET', '/metrics', undefined, { 'x-forwarded-for': '203.0.113.7' });
    expect(viaProxy.status).toBe(404);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await api.get('/healthz')).status).toBe(200);
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: true, projections: true, projectionsProgressing: true } });
    const docs = await api.get('/api/docs/json');
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/accounts', '/api/contacts/{contactId}/messages', '/api/events']),
    );
  });
});
