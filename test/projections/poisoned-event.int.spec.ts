import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { derbel } from '../tooling/tooling-support.js';

/** The read models whose folds read a MessageSent's `messageId` and so refuse one that is no uuid. */
const REFUSING = ['contact_list', 'feed', 'messages', 'search'];

/**
 * Issue 12: any event the folds cannot apply (here a MessageSent whose id no upcaster can read as a uuid,
 * written straight into the log as an old API or a bad import could have) is parked for the projections
 * that refuse it, and everybody else's messages go on reaching history and sockets.
 */
describe('an event no fold can apply, written straight into the log', () => {
  let t: TestServer;
  let alice: ApiClient, bob: ApiClient, carol: ApiClient, dave: ApiClient;
  let aliceBob: string;
  let carolDave: string;
  const sockets: Socket[] = [];
  let aliceHears: ReturnType<typeof recordEvents>;
  let bobHears: ReturnType<typeof recordEvents>;
  const poisoned: number[] = [];

  /** Carol's side of the log, as no API of today would write it. */
  async function appendPoison(): Promise<number> {
    const stream = `contact-${carolDave}`;
    const { position } = await t.server.ctx.store.appendToStream(stream, [
      {
        id: randomUUID(),
        type: 'MessageSent',
        data: { contactId: carolDave, messageId: 'urn:uuid:not-a-uuid', senderId: carol.user!.id, text: 'poison' },
        metadata: {
          userId: carol.user!.id,
          correlationId: randomUUID(),
          causationId: randomUUID(),
          timestamp: new Date().toISOString(),
          schemaVersion: 1,
        },
      },
    ]);
    poisoned.push(position);
    return position;
  }

  const send = async (from: ApiClient, text: string) => {
    const sent = await from.post(`/api/contacts/${aliceBob}/messages`, { text });
    expect(sent.status).toBe(201);
    return sent.body as { message: { id: string }; position: number };
  };

  /** Both messages in history and pushed to both members, within 2 s of the second send. */
  async function expectDelivered(first: { message: { id: string } }, second: { message: { id: string } }, since: number) {
    const ids = [first.message.id, second.message.id];
    await eventually(
      async () => {
        const history = await alice.get(`/api/contacts/${aliceBob}/messages?limit=100`);
        const seen = history.body.messages.map((m: { id: string }) => m.id);
        return ids.every((id) => seen.includes(id));
      },
      { timeoutMs: 2_000 },
    );
    for (const heard of [aliceHears, bobHears]) {
      await eventually(() => ids.every((id) => heard.some((e) => e.type === 'MessageSent' && e.data.messageId === id)), {
        timeoutMs: 2_000,
      });
    }
    expect(Date.now() - since).toBeLessThan(2_000);
  }

  const parkedAt = async (position: number) =>
    (
      await t.server.ctx.pool.query<{ projection: string }>(
        'SELECT projection FROM projection_parked_events WHERE position = $1 ORDER BY 1',
        [position],
      )
    ).rows.map((r) => r.projection);

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => new ApiClient(t.url).signUp(n)));
    aliceBob = await alice.addContact(bob);
    carolDave = await carol.addContact(dave);
    const [aliceSocket, bobSocket] = await Promise.all([alice, bob].map((c) => connected(c.connect())));
    sockets.push(aliceSocket, bobSocket);
    aliceHears = recordEvents(aliceSocket);
    bobHears = recordEvents(bobSocket);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it('while the projections run: the messages around it arrive, it is parked for each projection that refused it', async () => {
    const first = await send(alice, 'before the poison');
    const position = await appendPoison();
    const since = Date.now();
    const second = await send(bob, 'after the poison');
    expect(first.position).toBeLessThan(position);
    expect(position).toBeLessThan(second.position);
    await expectDelivered(first, second, since);
    expect(await parkedAt(position)).toEqual(REFUSING);
  });

  it('in the same batch as the messages around it', async () => {
    await Promise.all(t.server.runners.map((r) => r.stop()));
    const first = await send(alice, 'queued before the poison');
    const position = await appendPoison();
    const second = await send(bob, 'queued after the poison');
    const since = Date.now();
    for (const runner of t.server.runners) runner.start();
    await expectDelivered(first, second, since);
    expect(await parkedAt(position)).toEqual(REFUSING);
  });

  it('the CLI lists it', async () => {
    const listed = await derbel(t.db.url, ['projections', 'parked', '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{
      position: number;
      projection: string;
      eventType: string;
      streamId: string;
      errorCode: string;
    }>;
    expect(rows.map((r) => `${r.position} ${r.projection}`)).toEqual(poisoned.flatMap((p) => REFUSING.map((name) => `${p} ${name}`)));
    for (const row of rows)
      expect(row).toMatchObject({ eventType: 'MessageSent', streamId: `contact-${carolDave}`, errorCode: 'MALFORMED_EVENT' });
    const table = await derbel(t.db.url, ['projections', 'parked']);
    expect(table.stdout).toMatch(
      new RegExp(`^${poisoned[0]}\\s+messages\\s+MessageSent\\s+contact-${carolDave}\\s+MALFORMED_EVENT\\s+.*messageId`, 'm'),
    );
  });

  it('/readyz answers 200 and says it is degraded, with the count', async () => {
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body).toMatchObject({
      status: 'degraded',
      checks: { database: true, projections: true, projectionsProgressing: true },
      parked: {
        count: poisoned.length * REFUSING.length,
        byProjection: Object.fromEntries(REFUSING.map((name) => [name, poisoned.length])),
      },
    });
  });

  it('derbel_projection_parked_events counts them per projection', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const value = (projection: string) => {
      const series = `derbel_projection_parked_events{projection="${projection}"} `;
      return Number(
        text
          .split('\n')
          .find((l) => l.startsWith(series))
          ?.slice(series.length),
      );
    };
    for (const name of REFUSING) expect(value(name)).toBe(poisoned.length);
    expect(value('accounts')).toBe(0);
  });
});
