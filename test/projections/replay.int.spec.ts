import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, eventually } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Every read model is a pure function of the log: replaying it into empty tables gives the same bytes. */
describe('replaying the log', () => {
  let t: TestServer;
  let sql: pg.Client;

  beforeAll(async () => {
    t = await startTestServer();
    sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  // The position of the newest event (not headPosition(), which other databases' running transactions on
  // the same PostgreSQL cluster can hold back).
  async function caughtUp() {
    const { rows: newest } = await sql.query('SELECT max(position)::int AS head FROM events');
    const head = newest[0].head;
    await eventually(async () => {
      const { rows } = await sql.query('SELECT min(position)::int AS low FROM projection_checkpoints');
      return rows[0].low >= head;
    });
  }

  async function dump(): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    for (const runner of t.server.runners) {
      for (const table of runner.projections.flatMap((p) => p.tables)) {
        const { rows } = await sql.query(`SELECT t::text AS row FROM ${table} t ORDER BY 1`);
        result[table] = rows.map((r) => r.row);
      }
    }
    return result;
  }

  it('rebuilds byte-identical read models from the whole log', async () => {
    const users = await Promise.all(['ana', 'ben', 'cat'].map((n) => new ApiClient(t.url).signUp(n)));
    const [ana, ben, cat] = users;
    const anaBen = await ana.addContact(ben);
    const catAna = await cat.addContact(ana);
    const ids: string[] = [];
    for (let i = 0; i < 15; i++) {
      const from = i % 3 === 0 ? ben : ana;
      ids.push((await from.post(`/api/contacts/${anaBen}/messages`, { text: `m${i} <b>not html</b> ✓` })).body.message.id);
    }
    await cat.post(`/api/contacts/${catAna}/messages`, { text: 'hello ana' });
    await ana.request('PATCH', `/api/contacts/${anaBen}/messages/${ids[1]}`, { text: 'edited' });
    await ana.request('DELETE', `/api/contacts/${anaBen}/messages/${ids[2]}`);
    await ben.post(`/api/contacts/${anaBen}/read`, { messageId: ids[10] });
    await caughtUp();
    const before = await dump();
    expect(before.messages.length).toBe(16);
    expect(before.feed.length).toBeGreaterThan(30);

    await Promise.all(t.server.runners.map((r) => r.stop()));
    for (const runner of t.server.runners) await sql.query(`TRUNCATE ${runner.projections.flatMap((p) => p.tables).join(', ')}`);
    await sql.query('UPDATE projection_checkpoints SET position = 0');
    expect((await dump()).messages).toEqual([]);

    for (const runner of t.server.runners) runner.start();
    await caughtUp();
    expect(await dump()).toEqual(before);
  });
});
