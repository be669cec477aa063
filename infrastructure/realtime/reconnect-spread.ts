import type { Server, Socket } from 'socket.io';
import { inSlices, STOP_SLICES } from '../lifecycle/in-slices.js';
import { reconnectSpreadMs } from './spread-window.js';

/** Server → client: `{ ms }`, how long to spread a return over if this node goes away. */
export const RECONNECT_SPREAD_EVENT = 'reconnect:spread';
/**
 * Sockets told per event-loop turn when the hint changes: one broadcast to 20,000 sockets was 20,000 writes in a
 * single task (~0.3 s during a storm, with everyone's pushes waiting behind it); slices of 500 back to back were
 * still 30–50 ms turns, the longest a survivor's users met in a storm.
 */
export const SPREAD_SLICE = 100;
/** An announcement's slices start evenly over this window: the hint is for a crash that has not happened yet. */
const ANNOUNCE_OVER_MS = 5_000;

/**
 * When a node dies, its clients all lose it in the same instant; if each came back within a second, the node
 * that takes them would spend seconds on nothing but refusing handshakes. So every node tells its clients how
 * widely to spread their first attempt: its own socket count at the rate the other nodes offer to take reconnects
 * while serving their own users (reconnect-capacity.ts: 200–400 a second each by default, fewer the busier they
 * are). A node with a few hundred sockets says a second or less (its clients are back at once); one with 10,000
 * says 25–50 s with one other node, half that with two. The hint follows the count and the others' offers: sent on
 * connect, and to everyone here when it has moved by an eighth (paced over a few seconds, as it speaks of a crash
 * still to come).
 */
export class ReconnectSpread {
  private announcedMs = 0;
  private readonly timer: NodeJS.Timeout;
  /** The announcement under way; a newer one supersedes it (those not yet told hear the newer hint). */
  private announcement = 0;

  private readonly announceOverMs: number;

  constructor(
    private readonly io: Server,
    /** How many reconnects a second the other nodes would take (read again at each refresh: nodes come and go). */
    private readonly reconnectsPerSecond: () => number,
    { refreshMs = 2_000, announceOverMs = ANNOUNCE_OVER_MS }: { refreshMs?: number; announceOverMs?: number } = {},
  ) {
    this.announceOverMs = announceOverMs;
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  currentMs() {
    return reconnectSpreadMs(this.io.of('/').sockets.size, this.reconnectsPerSecond());
  }

  /** The longest window a client here may have been told (the last announcement, or the hint a newer one was greeted with). */
  toldMs() {
    return Math.max(this.announcedMs, this.currentMs());
  }

  greet(socket: Socket) {
    socket.emit(RECONNECT_SPREAD_EVENT, { ms: this.currentMs() });
  }

  refresh() {
    const ms = this.currentMs();
    if (Math.abs(ms - this.announcedMs) <= Math.max(this.announcedMs, 1_000) / 8) return;
    this.announcedMs = ms;
    void this.announce(ms, ++this.announcement);
  }

  private async announce(ms: number, announcement: number) {
    await inSlices(
      [...this.io.of('/').sockets.keys()],
      SPREAD_SLICE,
      (ids) => {
        if (announcement !== this.announcement) return STOP_SLICES;
        // Each socket is in a room named by its id: one encoding per slice.
        this.io.local.to(ids).emit(RECONNECT_SPREAD_EVENT, { ms });
      },
      { spreadOverMs: this.announceOverMs },
    );
  }

  close() {
    clearInterval(this.timer);
    this.announcement += 1;
  }
}
