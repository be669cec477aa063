import type { Server, Socket } from 'socket.io';

/** Server → client: `{ ms }`, how long to spread a return over if this node goes away. */
export const RECONNECT_SPREAD_EVENT = 'reconnect:spread';
const MAX_SPREAD_MS = 60_000;

/**
 * When a node dies, its clients all lose it in the same instant; if each came back within a second, the node
 * that takes them would spend seconds on nothing but refusing handshakes. So every node tells its clients how
 * widely to spread their first attempt: its own socket count at the rate another node takes reconnects while
 * serving its own users. A node with a few hundred sockets says a second or less (its clients are back at
 * once); one with 10,000 says ~20 s. The hint follows the count: sent on connect, and to everyone here when it
 * has moved by a quarter.
 */
export class ReconnectSpread {
  private announcedMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly io: Server,
    private readonly reconnectsPerSecond: number,
    refreshMs = 2_000,
  ) {
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  currentMs() {
    return Math.min(MAX_SPREAD_MS, Math.round((this.io.of('/').sockets.size * 1000) / this.reconnectsPerSecond));
  }

  greet(socket: Socket) {
    socket.emit(RECONNECT_SPREAD_EVENT, { ms: this.currentMs() });
  }

  refresh() {
    const ms = this.currentMs();
    if (Math.abs(ms - this.announcedMs) <= Math.max(this.announcedMs, 1_000) / 4) return;
    this.announcedMs = ms;
    this.io.local.emit(RECONNECT_SPREAD_EVENT, { ms });
  }

  close() {
    clearInterval(this.timer);
  }
}
