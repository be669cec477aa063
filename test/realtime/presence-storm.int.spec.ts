import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const USERS = 50;

/**
 * Issue 21: presence is announced in batches, after a settle delay (online) or a grace period (offline),
 * checked against who is really connected. 50 contacts of Ann moving from one node to the other at once
 * cost Ann a bounded number of pushes (not 50 offline + 50 online), and what she is shown settles to the truth.
 */
describe('presence during a reconnect storm', () => {
  let db: TestDatabase;
  let nodeA: TestServer;
  let nodeB: TestServer;
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `presence-storm-${randomUUID().slice(0, 8)}`,
    PRESENCE_ONLINE_SETTLE_MS: '200',
    PRESENCE_OFFLINE_GRACE_MS: '3000',
    RATE_LIMIT_CONTACT_ADDS: '1000/1s',
    RATE_LIMIT_SIGN_UP: '1000/1m',
  };

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    nodeA = await startTestServer({ db, env: { ...env, NODE_ID: 'a' } });
    nodeB = await startTestServer({ db, env: { ...env, NODE_ID: 'b' } });
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await db.drop();
  });

  /** Ann's view of each user's presence, from the pushes in order; and how many pushes it took. */
  const presenceSeen = (events: Array<{ type: string; data: any }>) => {
    const view = new Map<string, boolean>();
    let pushes = 0;
    for (const e of events) {
      if (e.type === 'PresenceChanged') view.set(e.data.userId, e.data.online);
      else if (e.type === 'PresenceChanges') for (const c of e.data.changes) view.set(c.userId, c.online);
      else continue;
      pushes++;
    }
    return { view, pushes };
  };

  it('moves 50 users from node B to node A with a bounded number of pushes, and shows them as they are', async () => {
    const ann = await new ApiClient(nodeA.url).signUp('ann');
    const people = await Promise.all(Array.from({ length: USERS }, (_, i) => new ApiClient(nodeA.url).signUp(`p${i}`)));
    const sentinel = await new ApiClient(nodeA.url).signUp('sentinel');
    await Promise.all([...people, sentinel].map((person) => person.addContact(ann)));
    await eventually(async () => (await ann.get('/api/contacts')).body.contacts.length === USERS + 1);
    const annSocket = await connected(ann.connect());
    const annSees = recordEvents(annSocket);
    const ids = people.map((p) => p.user!.id);
    const allSeen = (online: boolean) => () => ids.every((id) => presenceSeen(annSees).view.get(id) === online);

    let sockets: Socket[] = await Promise.all(people.map((p) => connected(p.connect({ url: nodeB.url }))));
    await eventually(allSeen(true));
    // Before batching, one push per person; now one per batch (every 200 ms while they come).
    expect(presenceSeen(annSees).pushes).toBeLessThan(USERS / 2);

    // The storm: every socket on B closes, and reconnects to A.
    annSees.length = 0;
    for (const socket of sockets) socket.disconnect();
    sockets = await Promise.all(people.map((p) => connected(p.connect({ url: nodeA.url }))));
    // A later offline (the sentinel's) reaches Ann only after every mark made during the storm was settled.
    const sentinelSocket = await connected(sentinel.connect({ url: nodeB.url }));
    await eventually(() => presenceSeen(annSees).view.get(sentinel.user!.id) === true);
    sentinelSocket.disconnect();
    await eventually(() => presenceSeen(annSees).view.get(sentinel.user!.id) === false, { timeoutMs: 15_000 });
    const storm = presenceSeen(annSees);
    // Before batching: 50 offline and 50 online pushes. Back within the grace: nothing but the sentinel's two.
    expect(storm.pushes).toBeLessThanOrEqual(10);
    expect(ids.filter((id) => storm.view.get(id) === false)).toEqual([]);
    const listed = (await ann.get('/api/contacts')).body.contacts;
    expect(listed.filter((c: { peer: { id: string }; peerOnline: boolean }) => ids.includes(c.peer.id) && !c.peerOnline)).toEqual([]);

    // They all leave for good: Ann learns it, in a few pushes.
    annSees.length = 0;
    for (const socket of sockets) socket.disconnect();
    await eventually(allSeen(false), { timeoutMs: 10_000 });
    expect(presenceSeen(annSees).pushes).toBeLessThanOrEqual(10);
    annSocket.disconnect();
  }, 60_000);
});
