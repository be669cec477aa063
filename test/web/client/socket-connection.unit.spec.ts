import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { describe, expect, it, type TestContext } from 'vitest';
import { SocketConnection, type NetworkEvents } from '../../../web/src/client/transport/socket-connection.js';
import { eventually } from '../../support/eventually.js';

/**
 * The web client's SocketConnection against a small Socket.io server in this process (a stand-in for the api
 * node: it admits or refuses handshakes as a test says, and can drop a connection), with the device's `online`
 * events fired by the test. The client's draws are at their maximum, so every wait of the client's is as long as
 * it can be: a reconnection that comes early came because of `online`. The tests run at the same time (they wait
 * on the client's timers, which take no CPU), each with its own node and connection.
 */
type Refusal = { message: string; retryAfterMs?: number };

class FakeNode {
  readonly http: HttpServer = createServer();
  readonly io = new Server(this.http);
  /** When each handshake arrived (performance.now()). */
  readonly handshakes: number[] = [];
  /** What each handshake carried in `auth`. */
  readonly auths: unknown[] = [];
  /** Runs for each socket admitted (as the api node's connection handlers do). */
  onConnection: (socket: ServerSocket) => void = () => undefined;
  readonly sockets: ServerSocket[] = [];
  /** Decides each handshake: null admits it. */
  refuse: (attempt: number) => Refusal | null = () => null;
  onHandshake: (attempt: number) => void = () => undefined;
  private readonly connections = new Set<NetSocket>();

  constructor() {
    this.http.on('connection', (socket: NetSocket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    this.io.use((socket, next) => {
      this.handshakes.push(performance.now());
      this.auths.push(socket.handshake.auth);
      const attempt = this.handshakes.length;
      this.onHandshake(attempt);
      const refusal = this.refuse(attempt);
      if (!refusal) return next();
      next(
        Object.assign(
          new Error(refusal.message),
          refusal.retryAfterMs === undefined ? {} : { data: { retryAfterMs: refusal.retryAfterMs } },
        ),
      );
    });
    this.io.on('connection', (socket) => {
      this.sockets.push(socket);
      // As the api node does (liveness-probe.ts).
      socket.on('probe', (_payload: unknown, ack: (answer: { ok: true }) => void) => ack({ ok: true }));
      this.onConnection(socket);
    });
  }

  /** The connection still looks open to the client (its pings arrive) but nothing it sends is read any more. */
  stopReading(socket: ServerSocket) {
    (socket.conn.transport as unknown as { socket: { _socket: { pause(): void } } }).socket._socket.pause();
  }

  async listen() {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** The connection is lost as when the node goes away: the transport closes under the client. */
  dropAll() {
    for (const socket of this.sockets.splice(0)) socket.conn.close();
  }

  close() {
    const closed = new Promise<void>((resolve) => this.io.close(() => resolve()));
    // A connection the test stopped reading from would hold the close until the heartbeat gave up on it (~30 s).
    for (const socket of this.connections) socket.destroy();
    return closed;
  }
}

/** The page's `window` as far as `online` goes, counting its listeners. */
class Network implements NetworkEvents {
  private readonly target = new EventTarget();
  readonly listeners = new Set<unknown>();

  addEventListener: EventTarget['addEventListener'] = (type, listener, options) => {
    if (type === 'online') this.listeners.add(listener);
    this.target.addEventListener(type, listener, options);
  };

  removeEventListener: EventTarget['removeEventListener'] = (type, listener, options) => {
    if (type === 'online') this.listeners.delete(listener);
    this.target.removeEventListener(type, listener, options);
  };

  comesBack() {
    this.target.dispatchEvent(new Event('online'));
  }
}

type Cleanup = (cleanup: () => unknown) => void;

/** What the test made, closed when it ends, the last made first. */
function cleanupsOf({ onTestFinished }: TestContext): Cleanup {
  const cleanups: Array<() => unknown> = [];
  onTestFinished(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}

/** The largest draw, for every wait of the client's. */
const LARGEST_DRAW = () => 0.999;

async function setup(context: TestContext) {
  const cleanup = cleanupsOf(context);
  const node = new FakeNode();
  const url = await node.listen();
  cleanup(() => node.close());
  const network = new Network();
  const connection = new SocketConnection({
    server: url,
    token: () => 'a-token',
    network,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    random: LARGEST_DRAW,
  });
  cleanup(() => connection.close());
  const connected: Array<{ reconnect: boolean; at: number }> = [];
  connection.on('connected', ({ reconnect }) => connected.push({ reconnect, at: performance.now() }));
  return { node, network, connection, connected, cleanup };
}

/** Shorter than the app's 5 s: the probe's outcome is what is tested, not its length. */
const PROBE_TIMEOUT_MS = 1_500;

/** Fires `online` every 100 ms until stopped. */
function onlineAgainAndAgain(network: Network, cleanup: Cleanup) {
  const timer = setInterval(() => network.comesBack(), 100);
  const stop = () => clearInterval(timer);
  cleanup(stop);
  return stop;
}

describe.concurrent('SocketConnection when the network comes back', () => {
  it('cuts short the spread a node asked for: back at once, not a minute later', async (context) => {
    const { node, network, connection, connected } = await setup(context);
    connection.connect();
    await eventually(() => connected.length === 1);
    // This node asks its clients to spread a return over a minute should it go away; then it does.
    node.sockets[0].emit('reconnect:spread', { ms: 60_000 });
    node.dropAll();
    await eventually(() => connection.state.value === 'reconnecting');

    // The client waits ~60 s (the largest draw) before its first attempt: nothing happens meanwhile…
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(node.handshakes).toHaveLength(1);
    // …until the network comes back.
    const backAt = performance.now();
    network.comesBack();
    await eventually(() => connected.length === 2, { timeoutMs: 10_000 });
    expect(connected[1].reconnect).toBe(true);
    expect(connection.state.value).toBe('online');
    expect(node.handshakes).toHaveLength(2);
    expect(connected[1].at - backAt).toBeLessThan(10_000);
  });

  it('cuts short its own back-off, which starts again from its first step', async (context) => {
    const { node, network, connection, connected, cleanup } = await setup(context);
    // A node that cannot take anyone (a transport error, a database that did not answer): plain back-off,
    // 1 s, 2 s, 4 s, then 8 s before the fifth attempt.
    node.refuse = (attempt) => (attempt <= 5 ? { message: 'SERVICE_UNAVAILABLE' } : null);
    let stop = (): void => undefined;
    node.onHandshake = (attempt) => {
      // The network comes back (again and again) from the fourth attempt's refusal until the fifth attempt.
      if (attempt === 4) stop = onlineAgainAndAgain(network, cleanup);
      if (attempt === 5) stop();
    };
    connection.connect();
    await eventually(() => node.handshakes.length === 5, { timeoutMs: 20_000 });
    const [, , , fourth, fifth] = node.handshakes;
    // Not the 8 s of the back-off: as soon as the refusal was in, the next `online` sent it.
    expect(fifth - fourth).toBeLessThan(4_000);

    // That attempt fails too: the back-off starts from its first step (1 s), not its fifth (15 s).
    await eventually(() => connected.length === 1, { timeoutMs: 10_000 });
    const sixth = node.handshakes[5];
    expect(sixth - fifth).toBeGreaterThanOrEqual(900);
    expect(sixth - fifth).toBeLessThan(6_000);
  });

  it('keeps a slot a busy node gave: `online` does not send the client back before it', async (context) => {
    const { node, network, connection, connected, cleanup } = await setup(context);
    connection.connect();
    await eventually(() => connected.length === 1);
    node.sockets[0].emit('reconnect:spread', { ms: 60_000 });
    // The node the client comes back to is busy: it gives a slot 3 s away.
    node.refuse = (attempt) => (attempt === 2 ? { message: 'UNAVAILABLE', retryAfterMs: 3_000 } : null);
    let stop = (): void => undefined;
    node.onHandshake = (attempt) => {
      if (attempt === 2) stop = onlineAgainAndAgain(network, cleanup);
      if (attempt === 3) stop();
    };
    node.dropAll();
    await eventually(() => connection.state.value === 'reconnecting');
    network.comesBack();

    await eventually(() => connected.length === 2, { timeoutMs: 10_000 });
    // Thirty `online`s while it waited, and it came back at its slot, not before.
    const [, refused, admitted] = node.handshakes;
    expect(node.handshakes).toHaveLength(3);
    expect(admitted - refused).toBeGreaterThanOrEqual(2_900);
  });

  it('replaces a socket that still looks open but does not answer the probe, at once rather than at the heartbeat', async (context) => {
    const { node, network, connection, connected } = await setup(context);
    connection.connect();
    await eventually(() => connected.length === 1);
    // The device moved to another network: the old connection leads nowhere, but nothing has closed it.
    node.stopReading(node.sockets[0]);
    const backAt = performance.now();
    network.comesBack();
    network.comesBack(); // one probe at a time
    await eventually(() => connected.length === 2, { timeoutMs: PROBE_TIMEOUT_MS + 5_000 });
    expect(connected[1].reconnect).toBe(true);
    expect(node.handshakes).toHaveLength(2);
    // After the probe's timeout, with no spread and no back-off step: well before the heartbeat's timeout (45 s here, Socket.io's defaults).
    expect(node.handshakes[1] - backAt).toBeGreaterThanOrEqual(PROBE_TIMEOUT_MS - 100);
    expect(node.handshakes[1] - backAt).toBeLessThan(PROBE_TIMEOUT_MS + 3_000);
    expect(connection.state.value).toBe('online');
  });

  it('only probes on `online` while connected (answered: nothing else happens), and stops listening once closed', async (context) => {
    const { node, network, connection, connected } = await setup(context);
    expect(network.listeners.size).toBe(0);
    connection.connect();
    await eventually(() => connected.length === 1);
    expect(network.listeners.size).toBe(1);
    network.comesBack();
    await new Promise((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS + 500));
    expect(node.handshakes).toHaveLength(1);
    expect(connection.state.value).toBe('online');

    connection.close();
    expect(network.listeners.size).toBe(0);
    // And again on the next connect (signing in again).
    connection.reconnect();
    expect(network.listeners.size).toBe(1);
    await eventually(() => connected.length === 2);
  });

  it('needs no window: where there is none (node), it reconnects on its own schedule as before', async (context) => {
    const cleanup = cleanupsOf(context);
    const node = new FakeNode();
    const url = await node.listen();
    cleanup(() => node.close());
    const connection = new SocketConnection({ server: url, token: () => 'a-token' });
    cleanup(() => connection.close());
    connection.connect();
    await eventually(() => connection.state.value === 'online');
    node.dropAll();
    // The spread is no narrower than the back-off's first step (at most 1 s).
    await eventually(() => connection.state.value === 'online' && node.handshakes.length === 2, { timeoutMs: 5_000 });
  });
});

describe.concurrent('SocketConnection catching up after a reconnect', () => {
  const page = { events: [{ type: 'MessageSent', position: 42, data: { text: 'missed' } }], hasMore: false };

  async function connectedOnce(context: TestContext, options: { missedFeedTimeoutMs?: number } = {}) {
    const cleanup = cleanupsOf(context);
    const node = new FakeNode();
    const url = await node.listen();
    cleanup(() => node.close());
    let position: number | null = 41;
    const connection = new SocketConnection({ server: url, token: () => 'a-token', network: null, feedAfter: () => position, ...options });
    cleanup(() => connection.close());
    const connected: Array<{ reconnect: boolean; missed?: Promise<unknown> }> = [];
    connection.on('connected', (info) => connected.push(info));
    connection.connect();
    await eventually(() => connected.length === 1);
    return { node, connection, connected, setPosition: (p: number | null) => (position = p) };
  }

  it('names the feed position in a reconnect’s handshake (not a first connect’s) and hands over the page sent for it', async (context) => {
    const { node, connected } = await connectedOnce(context);
    expect(node.auths[0]).toEqual({ token: 'a-token' });
    expect(connected[0].missed).toBeUndefined();

    node.onConnection = (socket) => socket.emit('feed:missed', { after: socket.handshake.auth.feedAfter, ...page });
    node.dropAll();
    await eventually(() => connected.length === 2, { timeoutMs: 10_000 });
    expect(node.auths[1]).toEqual({ token: 'a-token', feedAfter: 41, awayMs: expect.any(Number) });
    expect(connected[1].reconnect).toBe(true);
    expect(await connected[1].missed).toEqual(page);
  });

  it('hands over null, so the client fetches, when the server answers an error, another position, or nothing in time', async (context) => {
    const { node, connected } = await connectedOnce(context, { missedFeedTimeoutMs: 500 });
    const answers = [
      (socket: ServerSocket) => socket.emit('feed:missed', { after: 41, error: { code: 'UNAVAILABLE', message: 'no' } }),
      (socket: ServerSocket) => socket.emit('feed:missed', { after: 40, ...page }),
      () => undefined,
    ];
    for (const [i, answer] of answers.entries()) {
      node.onConnection = answer;
      node.dropAll();
      await eventually(() => connected.length === i + 2, { timeoutMs: 10_000 });
      expect(await connected[i + 1].missed).toBeNull();
    }
  });

  it('names no position when the client has none yet', async (context) => {
    const { node, connected, setPosition } = await connectedOnce(context);
    setPosition(null);
    node.dropAll();
    await eventually(() => connected.length === 2, { timeoutMs: 10_000 });
    expect(node.auths[1]).toEqual({ token: 'a-token', awayMs: expect.any(Number) });
    expect(connected[1].missed).toBeUndefined();
  });

  it('names how long it was away, so the node sends the presence changes it missed; a fresh start names nothing', async (context) => {
    const { node, connection, connected } = await connectedOnce(context);
    // Lost, then back after the back-off's first step (its draws are not pinned here: somewhere within 1 s).
    const lostAt = performance.now();
    node.dropAll();
    await eventually(() => connected.length === 2, { timeoutMs: 10_000 });
    const awayMs = (node.auths[1] as { awayMs: number }).awayMs;
    expect(awayMs).toBeGreaterThanOrEqual(0);
    expect(awayMs).toBeLessThanOrEqual(performance.now() - lostAt + 1);
    // Connected again: the next loss is timed from its own moment, not the first one's.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    node.dropAll();
    await eventually(() => connected.length === 3, { timeoutMs: 10_000 });
    expect((node.auths[2] as { awayMs: number }).awayMs).toBeLessThan(1_100);
    // Signing in again (reconnect(): a new connection, not a return) names neither.
    connection.reconnect();
    await eventually(() => node.auths.length === 4, { timeoutMs: 10_000 });
    expect(node.auths[3]).toEqual({ token: 'a-token' });
  });
});

describe.concurrent('SocketConnection moved by a draining node', () => {
  it('comes back within the back-off’s first second when the node names no spread for it, whatever it asked before', async (context) => {
    const { node, connection, connected } = await setup(context);
    connection.connect();
    await eventually(() => connected.length === 1);
    node.sockets[0].emit('reconnect:spread', { ms: 60_000 });
    // A draining node paces its sockets' moves itself: this one goes now.
    const [socket] = node.sockets.splice(0);
    socket.emit('server:draining', { reconnect: true, spreadMs: 0 });
    const movedAt = performance.now();
    socket.conn.close();
    await eventually(() => connected.length === 2, { timeoutMs: 5_000 });
    // The largest draw (0.999): just under the back-off's first second, not a minute.
    expect(connected[1].at - movedAt).toBeLessThan(1_500);
    expect(connected[1].at - movedAt).toBeGreaterThan(900);
  });

  it('says it is being moved (not lost) just before it turns reconnecting, only when the node asked it back at once', async (context) => {
    const { node, connection, connected } = await setup(context);
    const seen: string[] = [];
    connection.on('moving', () => seen.push('moving'));
    connection.state.subscribe((state) => seen.push(state));
    connection.connect();
    await eventually(() => connected.length === 1);
    node.sockets[0].emit('server:draining', { reconnect: true, spreadMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    node.dropAll();
    await eventually(() => connected.length === 2, { timeoutMs: 5_000 });
    expect(seen).toEqual(['connecting', 'online', 'moving', 'reconnecting', 'online']);

    // A node that went away without a word, or one that could not pace this socket: lost, not moved.
    seen.length = 0;
    node.dropAll();
    await eventually(() => connected.length === 3, { timeoutMs: 5_000 });
    node.sockets[0].emit('server:draining', { reconnect: true, spreadMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    node.dropAll();
    await eventually(() => connected.length === 4, { timeoutMs: 5_000 });
    expect(seen).toEqual(['reconnecting', 'online', 'reconnecting', 'online']);
  });

  it('spreads its return as told when the node could not pace it, and keeps the last hint when told nothing (an older node)', async (context) => {
    const { node, connection, connected } = await setup(context);
    connection.connect();
    await eventually(() => connected.length === 1);
    node.sockets[0].emit('reconnect:spread', { ms: 1_000 });
    node.sockets[0].emit('server:draining', { reconnect: true, spreadMs: 3_000 });
    let movedAt = performance.now();
    node.dropAll();
    await eventually(() => connected.length === 2, { timeoutMs: 5_000 });
    expect(connected[1].at - movedAt).toBeGreaterThan(2_900);

    node.sockets[0].emit('reconnect:spread', { ms: 2_000 });
    node.sockets[0].emit('server:draining', { reconnect: true });
    movedAt = performance.now();
    node.dropAll();
    await eventually(() => connected.length === 3, { timeoutMs: 5_000 });
    expect(connected[2].at - movedAt).toBeGreaterThan(1_900);
    expect(connected[2].at - movedAt).toBeLessThan(2_500);
  });
});
