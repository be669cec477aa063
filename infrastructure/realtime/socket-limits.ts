import type { Server } from 'socket.io';
import type { RateLimit } from '../config/rate-limits.js';
import { userRoom } from './rooms.js';
import type { DerbelSocket } from './socket-gateway.js';
import { TokenBucket } from './socket-rate-limiter.js';

/**
 * Every event a socket sends takes a token from that socket's bucket (in this process: a socket lives on
 * one node, so this costs no round trip). An event without a token is not handled; its ack, if asked for,
 * is `{ ok: false, code: 'RATE_LIMITED', retryAfterMs }`.
 */
export function limitSocketEvents(socket: DerbelSocket, limit: RateLimit): void {
  const perSecond = limit.points / limit.seconds;
  const bucket = new TokenBucket({ burst: limit.points, perSecond });
  const retryAfterMs = Math.ceil(1000 / perSecond);
  socket.use((packet, next) => {
    if (bucket.take()) return next();
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function')
      ack({ ok: false, code: 'RATE_LIMITED', message: 'Too many events on this connection; slow down', retryAfterMs });
  });
}

/**
 * At most `max` sockets per user, on all nodes (through the adapter): when a connection goes over, the
 * oldest are told `socket:dropped` and disconnected (without reconnecting: Socket.io clients stay down
 * after a server-side disconnect).
 */
export async function dropOldestSockets(io: Server, userId: string, max: number): Promise<void> {
  const sockets = await io.in(userRoom(userId)).fetchSockets();
  if (sockets.length <= max) return;
  const oldest = sockets.sort((a, b) => a.handshake.issued - b.handshake.issued).slice(0, sockets.length - max);
  for (const socket of oldest) {
    socket.emit('socket:dropped', { reason: 'TOO_MANY_SOCKETS', max });
    socket.disconnect(true);
  }
}
