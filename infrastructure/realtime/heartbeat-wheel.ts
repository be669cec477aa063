import { performance } from 'node:perf_hooks';

/** What the wheel uses of an Engine.IO socket (engine.io's `Socket`; `sendPacket` is not in its public types). */
export interface HeartbeatSocket {
  readonly protocol: number;
  readonly readyState: string;
  on(event: 'heartbeat' | 'close', listener: () => void): unknown;
}

/** What the wheel uses of the Engine.IO server: a socket opened. */
export interface HeartbeatEngine {
  on(event: 'connection', listener: (socket: HeartbeatSocket) => void): unknown;
}

export interface HeartbeatWheelOptions {
  /** The Engine.IO ping interval: each socket's own ping timer fires this long after its last pong. */
  pingIntervalMs: number;
  now?: () => number;
}

/**
 * Engine.IO pings every socket from a timer of its own, `pingIntervalMs` after its last pong: at 5,000 sockets a
 * node was woken 250 times a second, each at its own moment, for one small frame (on a virtual machine where a
 * wake-up is dear, most of an idle node's CPU). The wheel pings each socket a little before its own timer is due
 * from one timer for all, so the pings of a tick go out in one turn; each pong pushes Engine.IO's timer back, so
 * while the client answers that timer never fires. A client that does not
 * answer is left to Engine.IO as before: its own timer pings once more and closes the socket after the ping
 * timeout, so a dead tab is dropped exactly when it was.
 */
export class HeartbeatWheel {
  /** How long before Engine.IO's own ping the wheel's goes: room for the pong to come back first. */
  private readonly leadMs: number;
  private readonly tickMs: number;
  private readonly now: () => number;
  private readonly due = new Map<number, Set<HeartbeatSocket>>();
  private readonly tickOf = new Map<HeartbeatSocket, number>();
  private lastTick: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    engine: HeartbeatEngine,
    private readonly options: HeartbeatWheelOptions,
  ) {
    this.leadMs = Math.min(2_000, options.pingIntervalMs / 4);
    this.tickMs = Math.min(250, this.leadMs / 2);
    this.now = options.now ?? (() => performance.now());
    this.lastTick = this.tickAt(this.now());
    engine.on('connection', (socket) => this.watch(socket));
    this.timer = setInterval(() => this.turn(), this.tickMs);
    this.timer.unref();
  }

  close() {
    clearInterval(this.timer);
    this.due.clear();
    this.tickOf.clear();
  }

  private watch(socket: HeartbeatSocket) {
    // Protocol 3 clients ping the server themselves; a socket without the method is left to Engine.IO.
    if (socket.protocol !== 4 || typeof pingOf(socket) !== 'function') return;
    this.schedule(socket);
    socket.on('heartbeat', () => this.schedule(socket));
    socket.on('close', () => this.unschedule(socket));
  }

  /** Due in the last tick that still leaves `leadMs` before Engine.IO's own timer (which starts now). */
  private schedule(socket: HeartbeatSocket) {
    this.unschedule(socket);
    const tick = this.tickAt(this.now() + this.options.pingIntervalMs - this.leadMs);
    let sockets = this.due.get(tick);
    if (!sockets) this.due.set(tick, (sockets = new Set()));
    sockets.add(socket);
    this.tickOf.set(socket, tick);
  }

  private unschedule(socket: HeartbeatSocket) {
    const tick = this.tickOf.get(socket);
    if (tick === undefined) return;
    this.tickOf.delete(socket);
    this.due.get(tick)?.delete(socket);
  }

  /** Pings every socket due by now (ticks a late timer skipped included); each is due again at its pong. */
  private turn() {
    const current = this.tickAt(this.now());
    for (let tick = this.lastTick + 1; tick <= current; tick++) {
      const sockets = this.due.get(tick);
      if (!sockets) continue;
      this.due.delete(tick);
      for (const socket of sockets) {
        this.tickOf.delete(socket);
        if (socket.readyState === 'open') pingOf(socket)!.call(socket, 'ping');
      }
    }
    this.lastTick = Math.max(this.lastTick, current);
  }

  private tickAt(ms: number) {
    return Math.floor(ms / this.tickMs);
  }
}

function pingOf(socket: HeartbeatSocket) {
  return (socket as unknown as { sendPacket?: (type: 'ping') => void }).sendPacket;
}
