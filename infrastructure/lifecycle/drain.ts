import type { Server as HttpServer } from 'node:http';
import type { Server as SocketServer, Socket } from 'socket.io';
import { MAX_SPREAD_MS } from '../realtime/spread-window.js';

/**
 * What a draining node sends a socket before closing it: `{ reconnect: true, spreadMs }`, how widely the client
 * spreads its return (0: at once, the node paced the moves itself). Clients reconnect (through the balancer) elsewhere.
 */
export const DRAINING_EVENT = 'server:draining';

/**
 * Stops accepting connections. Resolves once every open connection has ended (in-flight requests
 * answered), or after `graceMs`, when the stragglers are cut.
 */
export function stopAccepting(server: HttpServer, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    // A keep-alive connection is closed as soon as it is idle between two requests: a client that keeps
    // reusing it (a balancer's health check) would otherwise hold the close until the grace runs out.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    // (Upgraded WebSockets are not HTTP connections any more: the cut leaves them to moveSocketsElsewhere.)
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish();
    }, graceMs);
    const finish = () => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve();
    };
    server.close(finish);
    server.closeIdleConnections();
  });
}

export interface SocketMoves {
  /** Sockets one other node takes a second while its own users keep it busy (`SOCKET_RECONNECT_SPREAD_PER_SECOND`). */
  onePerSecond: number;
  /** What all the other nodes offer to take together (spread-window.ts `takenPerSecond`). */
  allPerSecond: number;
  /** The moves end by then: the sockets still here go together, told to spread their return at `allPerSecond`. */
  withinMs: number;
  /** Called for each socket before it is sent away. */
  sending?: (socket: Socket) => void;
}

/**
 * How many sockets a second a drain moves: one node's rate when that fits the window (the balancer shares them
 * among the others, so each takes a fraction of it: the gentlest on their users, and each moved client comes back
 * to an idle node), faster when it does not, with a tenth of the window to spare, up to what all the others take
 * together. Measured with three nodes sharing two cores, moving at all the others' rate when one's would fit left
 * each client away 2.0 s at the median instead of 0.6 s (BENCHMARKS.md).
 */
export function drainPace({ sockets, withinMs, onePerSecond, allPerSecond }: { sockets: number } & Omit<SocketMoves, 'sending'>) {
  const needed = withinMs > 0 ? (sockets * 1000) / (withinMs * 0.9) : Infinity;
  return Math.min(allPerSecond, Math.max(onePerSecond, needed));
}

/**
 * Sends this node's sockets elsewhere a few at a time (`drainPace`), each told to come back at once. A node that
 * dies drops all its sockets in one instant, so their clients must spread their return themselves (up to a minute
 * for 10,000): every one of them is away that long. A draining node is still alive and serving, so it does the
 * spreading: each client is away only as long as its own reconnect takes. The transport is closed (not a
 * Socket.io "server disconnect", after which clients would not reconnect on their own). Resolves when no socket is
 * left. Returns how many went paced, at what pace, and how many together at the end.
 */
export async function moveSocketsElsewhere(io: SocketServer, { onePerSecond, allPerSecond, withinMs, sending }: SocketMoves) {
  const sockets = io.of('/').sockets;
  // A closed socket leaves the list only once Engine.IO has flushed it; one closing already was sent (a polling
  // one moved at the drain's start, or a client that left).
  const sent = new Set<string>();
  function* notSent() {
    for (const socket of sockets.values()) if (!sent.has(socket.id) && socket.conn.readyState === 'open') yield socket;
  }
  const started = performance.now();
  const perSecond = drainPace({ sockets: sockets.size, withinMs, onePerSecond, allPerSecond });
  const tickMs = Math.max(20, 1000 / perSecond);
  // Read again every tick: a handshake under way when the drain began may join meanwhile.
  while (!notSent().next().done) {
    const elapsed = performance.now() - started;
    if (elapsed >= withinMs) {
      const left = [...notSent()];
      const spreadMs = Math.min(MAX_SPREAD_MS, Math.round((left.length * 1000) / allPerSecond));
      for (const socket of left) {
        sending?.(socket);
        sendElsewhere(socket, spreadMs);
      }
      await gone(sockets, 1_000);
      return { paced: sent.size, perSecond: Math.round(perSecond), together: left.length };
    }
    let due = 1 + Math.floor((elapsed * perSecond) / 1000) - sent.size;
    for (const socket of notSent()) {
      if (due-- <= 0) break;
      sent.add(socket.id);
      sending?.(socket);
      sendElsewhere(socket, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await gone(sockets, 1_000);
  return { paced: sent.size, perSecond: Math.round(perSecond), together: 0 };
}

/** Until the closed sockets have left the list (their disconnect handlers ran), at most `ms`. */
async function gone(sockets: Map<string, Socket>, ms: number) {
  for (const until = performance.now() + ms; sockets.size > 0 && performance.now() < until;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends at once the sockets still polling (their WebSocket blocked somewhere on the way, never upgraded). Each of
 * their packets travels on a request of its own, so they lose this node as soon as the balancer stops routing to it
 * or it stops accepting — with no notice, as in a crash, if the paced moves had not reached them yet. Returns how
 * many went.
 */
export function movePollingSockets(io: SocketServer, { sending }: Pick<SocketMoves, 'sending'> = {}) {
  let moved = 0;
  for (const socket of io.of('/').sockets.values()) {
    if (!isPolling(socket)) continue;
    sending?.(socket);
    sendElsewhere(socket, 0);
    moved++;
  }
  return moved;
}

export function isPolling(socket: Socket) {
  return socket.conn.transport.name === 'polling';
}

function sendElsewhere(socket: Socket, spreadMs: number) {
  socket.emit(DRAINING_EVENT, { reconnect: true, spreadMs });
  // Sent before the close: Engine.IO flushes what it holds first.
  socket.conn.close();
}
