import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, presenceChanges, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { record } from './support/measurements.js';
import { eventually } from '../support/eventually.js';
import { endDeployment } from '../support/deployment-teardown.js';

/** How soon after a crash its users must show offline (the window). */
const WINDOW_MS = 15_000;

/**
 * A node killed with SIGKILL runs no disconnect handler: its sockets' presence entries stay in Redis. The
 * other nodes notice it stopped beating, remove them, and announce who went offline.
 */
describe('failover: the users of a SIGKILLed node go offline within the heartbeat window', () => {
  let db: TestDatabase;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, PRESENCE_OFFLINE_GRACE_MS: '1000' };
    nodes = await Promise.all([startNodeProcess({ ...env, NODE_ID: 'live-1' }), startNodeProcess({ ...env, NODE_ID: 'live-2' })]);
  }, 60_000);
  afterAll(async () => {
    await endDeployment(nodes, db);
  });

  it('pushes PresenceChanged offline and lists them offline, whether or not they reconnected elsewhere first', async () => {
    const [ann, bob, cid] = await Promise.all(['ann', 'bob', 'cid'].map((name) => new ApiClient(nodes[0].url).signUp(name)));
    await ann.addContact(bob);
    await ann.addContact(cid);
    const annSocket = await connected(ann.connect({ url: nodes[0].url }));
    const annSees = recordEvents(annSocket);
    // Bob's and Cid's only sockets are on node 2, without reconnection (a killed node's clients come back on their own terms).
    const onNode2 = await Promise.all([bob, cid].map((user) => connected(user.connect({ url: nodes[1].url }))));
    for (const socket of onNode2) socket.io.opts.reconnection = false;
    const peerOnline = async (user: ApiClient) =>
      (await ann.get('/api/contacts')).body.contacts.find((c: any) => c.peer.id === user.user!.id)?.peerOnline;
    await eventually(async () => (await peerOnline(bob)) === true && (await peerOnline(cid)) === true, {
      timeoutMs: 5_000,
      message: 'both online',
    });
    const wentOffline = (user: ApiClient) => presenceChanges(annSees).find((c) => c.userId === user.user!.id && c.online === false);

    await nodes[1].kill();
    const killedAt = performance.now();
    // Bob opens the app again (node 1) and closes it: his disconnect is not his last socket while the dead one counts.
    const bobAgain = await connected(bob.connect({ url: nodes[0].url }));
    bobAgain.disconnect();

    await eventually(() => wentOffline(bob) && wentOffline(cid), { timeoutMs: WINDOW_MS + 5_000, message: 'offline pushed' });
    const pushedAfterMs = performance.now() - killedAt;
    expect(pushedAfterMs).toBeLessThan(WINDOW_MS);
    expect(await peerOnline(bob)).toBe(false);
    expect(await peerOnline(cid)).toBe(false);
    // Announced once each.
    const offline = presenceChanges(annSees)
      .filter((c) => c.online === false)
      .map((c) => c.userId);
    expect(offline.sort()).toEqual([bob.user!.id, cid.user!.id].sort());

    record('SIGKILL of a node: its users offline (2 nodes)', { offlinePushedAfterMs: Math.round(pushedAfterMs), windowMs: WINDOW_MS });
    annSocket.disconnect();
  }, 90_000);
});
