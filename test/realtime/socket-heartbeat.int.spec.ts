import type { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { sleep } from '../support/eventually.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PING_INTERVAL_MS = 1_000;
const PING_TIMEOUT_MS = 1_000;
const OFFLINE_GRACE_MS = 500;

/**
 * A tab that froze or was killed without closing its socket: it speaks Socket.IO over a raw WebSocket
 * (Engine.IO v4 framing: `0` open, `2` ping, `3` pong, `40` connect) and never answers a ping, so only
 * the server's heartbeat can find out it is gone.
 */
class SilentTab {
  readonly closed: Promise<void>;
  private constructor(
    private readonly ws: WebSocket,
    readonly handshake: { pingInterval: number; pingTimeout: number },
    readonly openedAt: number,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  static async open(baseUrl: string, token: string): Promise<SilentTab> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data) => {
      frames.push(String(data));
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async (prefix: string) => {
      for (;;) {
        const found = frames.find((frame) => frame.startsWith(prefix));
        if (found) return found;
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve);
          ws.once('close', () => reject(new Error(`closed before a ${prefix} frame; got ${frames.join(' ')}`)));
        });
      }
    };
    const open = JSON.parse((await next('0')).slice(1));
    const openedAt = performance.now();
    ws.send(`40${JSON.stringify({ token })}`);
    expect(await next('4')).toMatch(/^40\{"sid"/);
    return new SilentTab(ws, open, openedAt);
  }

  close() {
    this.ws.terminate();
  }
}

describe('the Socket.io heartbeat and presence', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  const tabs: SilentTab[] = [];

  beforeAll(async () => {
    t = await startTestServer({
      env: {
        SOCKET_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
        SOCKET_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
        PRESENCE_OFFLINE_GRACE_MS: String(OFFLINE_GRACE_MS),
      },
    });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    for (const tab of tabs.splice(0)) tab.close();
  });
  afterAll(() => t?.close());

  it('shows a tab that stopped answering as offline within ping interval + ping timeout, and keeps a live one', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((name) => new ApiClient(t.url).signUp(name)));
    await alice.addContact(bob);
    await eventually(async () => (await alice.get('/api/contacts')).body.contacts.length === 1);
    const aliceSocket = await connected(alice.connect());
    sockets.push(aliceSocket);
    const aliceSees = recordEvents(aliceSocket);
    const presenceOfBob = () => aliceSees.filter((e) => e.type === 'PresenceChanged' && e.data.userId === bob.user!.id);

    const bobTab = await SilentTab.open(t.url, bob.token!);
    tabs.push(bobTab);
    // The configured heartbeat is what every client is told in the handshake.
    expect(bobTab.handshake).toMatchObject({ pingInterval: PING_INTERVAL_MS, pingTimeout: PING_TIMEOUT_MS });
    await eventually(() => presenceOfBob().length === 1);

    // Shown offline once the heartbeat dropped the tab and the offline grace (a quick reconnect sends nothing) passed.
    const heartbeatMs = PING_INTERVAL_MS + PING_TIMEOUT_MS + OFFLINE_GRACE_MS;
    await eventually(() => presenceOfBob().length === 2, { timeoutMs: heartbeatMs + 5_000 });
    const offlineAfterMs = performance.now() - bobTab.openedAt;
    expect(presenceOfBob().map((e) => e.data.online)).toEqual([true, false]);
    // Dropped by the heartbeat: not before the first unanswered ping timed out, and not long after.
    expect(offlineAfterMs).toBeGreaterThanOrEqual(heartbeatMs - 100);
    expect(offlineAfterMs).toBeLessThan(heartbeatMs + 3_000);
    await bobTab.closed;
    expect((await alice.get('/api/contacts')).body.contacts[0].peerOnline).toBe(false);

    // Alice's tab answers every ping: several heartbeats later she is still connected.
    expect(aliceSocket.connected).toBe(true);
    expect(presenceOfBob()).toHaveLength(2);
  });
});

describe('the heartbeat of many sockets', () => {
  // Ticks of 250 ms: each socket is pinged 2,750–3,000 ms after its last pong, Engine.IO's own timer at 4,000.
  const INTERVAL_MS = 4_000;
  let t: TestServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestServer({ env: { SOCKET_PING_INTERVAL_MS: String(INTERVAL_MS), SOCKET_PING_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await t?.close();
  });

  it('pings its sockets in a few turns a round, not one per socket, and keeps them all', async () => {
    // When the node wrote each ping: pings written in one turn of its loop are microseconds apart.
    const pingsAt: number[] = [];
    const pingsPerSocket = new Map<unknown, number>();
    t.server.gateway.io.engine.on('connection', (conn: EventEmitter) =>
      conn.on('packetCreate', (packet: { type: string }) => {
        if (packet.type !== 'ping') return;
        pingsAt.push(performance.now());
        pingsPerSocket.set(conn, (pingsPerSocket.get(conn) ?? 0) + 1);
      }),
    );
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => new ApiClient(t.url).signUp(`beat${i}`)));
    // Opened 20 ms apart: Engine.IO's own timers would ping each at its own moment.
    await Promise.all(
      people.map(async (person, i) => {
        await sleep(20 * i);
        const socket = person.connect();
        sockets.push(socket);
        await connected(socket);
      }),
    );
    await eventually(() => pingsPerSocket.size === 12 && [...pingsPerSocket.values()].every((n) => n >= 2), {
      timeoutMs: 4 * INTERVAL_MS,
    });

    expect(sockets.every((socket) => socket.connected)).toBe(true);
    const moments = pingsAt.filter((at, i) => i === 0 || at - pingsAt[i - 1] > 5).length;
    expect(moments).toBeLessThanOrEqual(pingsAt.length / 3);
  });
});
