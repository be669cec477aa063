import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketConnection } from '../../web/src/client/transport/socket-connection.js';
import { eventually } from '../support/eventually.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { seedPopulation, type Population } from '../support/seeded-population.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RATE = 20;
const TABS = 120;

/**
 * Issue 21: a node takes socket handshakes at the rate it can finish them. A crowd arriving at once (the clients
 * of a node that died) is answered `UNAVAILABLE` with a slot to come back at, laid out at that rate, and the web
 * client comes back at its slot — so the crowd is spread over the time the node needs, not retried blind.
 */
describe('handshake admission', () => {
  let db: TestDatabase;
  let population: Population;
  let t: TestServer;
  const tabs: SocketConnection[] = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    population = await seedPopulation(db.url, { users: TABS + 1, contactsPerUser: 2, pairs: 0 });
    t = await startTestServer({ db, env: { SOCKET_HANDSHAKES_PER_SECOND: String(RATE) } });
  });
  afterAll(async () => {
    for (const tab of tabs) tab.close();
    await t.close();
    await db.drop();
  });

  it('spreads a crowd over its rate, every tab comes back at its slot, and everyone gets in', async () => {
    const connectedAt: number[] = [];
    const admittedAt: number[] = [];
    t.server.gateway.io.on('connection', () => admittedAt.push(performance.now()));
    for (const user of population.users.slice(0, TABS)) {
      const tab = new SocketConnection({ server: t.url, token: () => user.token });
      tab.on('connected', () => connectedAt.push(performance.now()));
      tabs.push(tab);
      tab.connect();
    }
    await eventually(() => expect(connectedAt).toHaveLength(TABS), { timeoutMs: 30_000 });

    const { admitted, refused } = t.server.gateway.admission.state;
    expect(admitted).toBe(TABS);
    // A quarter of a second's worth got in at once; each of the others was refused once, came back at its slot
    // and got in. (Blind back-off would bring them back in clumps and be refused again and again: several hundred.)
    // (Fewer when this busy test process could not open them all at once.)
    expect(refused).toBeGreaterThanOrEqual(TABS / 2);
    expect(refused).toBeLessThanOrEqual(TABS * 1.25);
    // About a second's worth plus the burst in any second (admitted before the session check, whose
    // database answers can bunch a few up before they are counted here).
    expect(admittedAt).toHaveLength(TABS);
    for (const from of admittedAt) {
      const inOneSecond = admittedAt.filter((at) => at >= from && at < from + 1_000).length;
      expect(inOneSecond).toBeLessThanOrEqual(RATE * 1.5);
    }
  });

  it('tells each refused client when to come back: UNAVAILABLE with its own slot, one every 1/rate s', async () => {
    const CROWD = 40;
    const answers = await Promise.all(
      population.users.slice(0, CROWD).map(
        (u) =>
          new Promise<{ refused: false } | { refused: true; message: string; retryAfterMs?: number; returnAt: number }>((resolve) => {
            const socket = io(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: u.token } });
            socket.on('connect', () => {
              socket.disconnect();
              resolve({ refused: false });
            });
            socket.on('connect_error', (err: Error & { data?: { retryAfterMs?: number } }) => {
              socket.disconnect();
              resolve({
                refused: true,
                message: err.message,
                retryAfterMs: err.data?.retryAfterMs,
                returnAt: performance.now() + (err.data?.retryAfterMs ?? NaN),
              });
            });
          }),
      ),
    );
    const refusals = answers.flatMap((a) => (a.refused ? [a] : []));
    expect(refusals.length).toBeGreaterThanOrEqual(CROWD / 4);
    for (const refusal of refusals) expect(refusal.message).toBe('UNAVAILABLE');
    const slots = refusals.map((r) => r.retryAfterMs!).sort((a, b) => a - b);
    expect(slots[0]).toBeGreaterThan(0);
    expect(slots.at(-1)).toBeLessThanOrEqual((CROWD / RATE) * 1000 + 100);
    // The times they were told to come back at are laid out one every 50 ms.
    const returns = refusals.map((r) => r.returnAt).sort((a, b) => a - b);
    expect(returns.at(-1)! - returns[0]).toBeGreaterThanOrEqual((returns.length - 1) * (1000 / RATE) - 50);
  });

  it('does not spend a slot on a stranger: a bad token is refused as UNAUTHORIZED before admission', async () => {
    const before = t.server.gateway.admission.state;
    const error = await new Promise<Error>((resolve) => {
      const socket = io(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: 'not-a-token' } });
      socket.on('connect_error', (err) => {
        socket.disconnect();
        resolve(err);
      });
    });
    expect(error.message).toBe('UNAUTHORIZED');
    const after = t.server.gateway.admission.state;
    expect(after.admitted + after.refused).toBe(before.admitted + before.refused);
  });
});
