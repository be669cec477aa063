import type { Server as HttpServer } from 'node:http';
import type { Server as SocketServer } from 'socket.io';

/** What a draining node sends its sockets before closing them; clients reconnect (through the balancer) elsewhere. */
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

/**
 * Tells this node's sockets to go elsewhere: a `server:draining` event, then the transport is closed
 * (not a Socket.io "server disconnect", after which clients would not reconnect on their own).
 */
export function sendSocketsElsewhere(io: SocketServer): number {
  const sockets = [...io.of('/').sockets.values()];
  for (const socket of sockets) {
    socket.emit(DRAINING_EVENT, { reconnect: true });
    socket.conn.close();
  }
  return sockets.length;
}
