import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, presenceChanges, recordEvents } from '../support/api-client.js';
import { sleep } from '../support/eventually.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Presence is pushed, not kept in the feed: a tab without a connection for a while (a network blip, a node that
 * died or drained) missed the changes announced meanwhile and would show a contact who left as online. Its
 * reconnect names how long it was away (`auth.awayMs`); the node sends the latest state of every contact whose
 * presence changed since.
 */
describe('the presence changes a reconnecting client missed, sent on connect', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  const open = async (client: ApiClient, auth: Record<string, unknown> = {}) => {
    const socket = io(t.url, { auth: { token: client.token, ...auth }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const events = recordEvents(socket);
    await connected(socket);
    return { socket, events };
  };

  beforeAll(async () => {
    t = await startTestServer({ env: { PRESENCE_ONLINE_SETTLE_MS: '100', PRESENCE_OFFLINE_GRACE_MS: '200' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => t.close());

  it('sends the contacts whose presence changed while it was away, nobody else’s, and nothing to a first connect', async () => {
    const [alice, bob, carol, dan] = await Promise.all(['alice', 'bob', 'carol', 'dan'].map((n) => new ApiClient(t.url).signUp(n)));
    await alice.addContact(bob);
    await alice.addContact(dan);
    await dan.addContact(bob);
    await dan.addContact(carol);
    const bobTab = await open(bob);
    const carolTab = await open(carol);
    await open(dan);
    const danWatches = await open(dan);
    const first = await open(alice);
    await sleep(400);
    expect(presenceChanges(first.events).filter((c) => !c.online)).toEqual([]);

    // Alice's tab loses its connection; meanwhile Bob (her contact) and Carol (not hers) leave.
    first.socket.disconnect();
    const lostAt = performance.now();
    bobTab.socket.disconnect();
    carolTab.socket.disconnect();
    // Announced (Dan is told), while Alice is away.
    await eventually(() => expect(presenceChanges(danWatches.events)).toContainEqual({ userId: bob.user!.id, online: false }), {
      timeoutMs: 3_000,
    });
    await eventually(() => expect(presenceChanges(danWatches.events)).toContainEqual({ userId: carol.user!.id, online: false }), {
      timeoutMs: 3_000,
    });

    const back = await open(alice, { awayMs: Math.round(performance.now() - lostAt) });
    await eventually(() => expect(back.events).toHaveLength(1));
    expect(back.events[0].type).toBe('PresenceChanges');
    const changes = back.events[0].data.changes as Array<{ userId: string; online: boolean }>;
    expect(changes).toContainEqual({ userId: bob.user!.id, online: false });
    // Carol is not her contact; Dan's coming online is within the margin before she went away (heard twice: no harm).
    expect(changes.filter((c) => c.userId !== bob.user!.id)).toEqual(
      changes.some((c) => c.userId === dan.user!.id) ? [{ userId: dan.user!.id, online: true }] : [],
    );

    // A first connect (no awayMs) loads its contacts with their presence instead: nothing is sent.
    const fresh = await open(alice);
    await sleep(300);
    expect(fresh.events).toEqual([]);
  });

  it('sends nothing for changes from before it went away, refuses a time away that is not one, and sends everyone’s presence to a client away longer than the node remembers', async () => {
    const [alice, bob, dan] = await Promise.all(['alice', 'bob', 'dan'].map((n) => new ApiClient(t.url).signUp(n)));
    await alice.addContact(bob);
    await alice.addContact(dan);
    await dan.addContact(bob);
    const danTab = await open(dan);
    const bobTab = await open(bob);
    await sleep(300);
    bobTab.socket.disconnect();
    await eventually(() => expect(presenceChanges(danTab.events)).toContainEqual({ userId: bob.user!.id, online: false }), {
      timeoutMs: 3_000,
    });
    // Bob's departure is older than the margin (3 s) added to a short time away.
    await sleep(3_500);
    const short = await open(alice, { awayMs: 100 });
    // A time away that is not one is refused with a clear error, before it costs the node anything.
    for (const awayMs of ['soon', -5, '', true, { ms: 5 }]) {
      const refusal = await open(alice, { awayMs }).then(
        () => null,
        (err: Error & { data?: { code: string; message: string } }) => ({ message: err.message, data: err.data }),
      );
      expect(refusal).toEqual({
        message: 'VALIDATION_ERROR',
        data: { code: 'VALIDATION_ERROR', message: 'awayMs must be the milliseconds without a connection (a number of 0 or more)' },
      });
    }
    // Null names nothing, as a first connect does.
    const unnamed = await open(alice, { awayMs: null });
    await sleep(100);
    expect(unnamed.events).toEqual([]);
    await sleep(200);
    expect(short.events).toEqual([]);

    const long = await open(alice, { awayMs: 24 * 3600_000 });
    await eventually(() => expect(long.events).toHaveLength(1));
    expect(long.events[0].type).toBe('PresenceChanges');
    expect(
      [...long.events[0].data.changes].sort((a: { userId: string }, b: { userId: string }) => a.userId.localeCompare(b.userId)),
    ).toEqual(
      [
        { userId: bob.user!.id, online: false },
        { userId: dan.user!.id, online: true },
      ].sort((a, b) => a.userId.localeCompare(b.userId)),
    );
  });
});
