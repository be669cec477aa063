import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatWheel } from './heartbeat-wheel.js';

const INTERVAL_MS = 20_000; // lead 2 s, ticks of 250 ms

/** Stands for an Engine.IO socket: the wheel pings through its (non-public) `sendPacket`. */
class FakeEngineSocket extends EventEmitter {
  readyState = 'open';
  readonly pings: number[] = [];
  constructor(readonly protocol = 4) {
    super();
  }
  sendPacket(type: string) {
    if (type === 'ping') this.pings.push(Date.now());
  }
  pong() {
    this.emit('heartbeat');
  }
  close() {
    this.readyState = 'closed';
    this.emit('close');
  }
}

describe('HeartbeatWheel', () => {
  let engine: EventEmitter;
  let wheel: HeartbeatWheel;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    engine = new EventEmitter();
    wheel = new HeartbeatWheel(engine, { pingIntervalMs: INTERVAL_MS, now: () => Date.now() });
  });
  afterEach(() => {
    wheel.close();
    vi.useRealTimers();
  });

  const open = (protocol = 4) => {
    const socket = new FakeEngineSocket(protocol);
    engine.emit('connection', socket);
    return socket;
  };

  it('pings the sockets that opened within one tick in one turn, before Engine.IO’s own timer would', () => {
    const started = Date.now();
    const sockets = Array.from({ length: 50 }, (_, i) => {
      if (i > 0) vi.advanceTimersByTime(4); // 50 sockets over ~200 ms
      return open();
    });
    vi.advanceTimersByTime(INTERVAL_MS);
    const pings = sockets.map((s) => s.pings);
    expect(pings.every((p) => p.length === 1)).toBe(true);
    const moments = new Set(pings.map((p) => p[0]));
    expect(moments.size).toBeLessThanOrEqual(2); // ticks of 250 ms: at most the two the 200 ms straddle
    for (const [at] of pings) {
      expect(at - started).toBeGreaterThanOrEqual(INTERVAL_MS - 2_000 - 250 - 200);
      expect(at - started).toBeLessThanOrEqual(INTERVAL_MS - 2_000 + 250);
    }
  });

  it('pings a socket that answers again an interval after its pong, no sooner', () => {
    const socket = open();
    vi.advanceTimersByTime(INTERVAL_MS - 1_500);
    expect(socket.pings).toHaveLength(1);
    vi.advanceTimersByTime(100);
    socket.pong();
    const pongAt = Date.now();
    vi.advanceTimersByTime(INTERVAL_MS - 2_500);
    expect(socket.pings).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(socket.pings).toHaveLength(2);
    expect(socket.pings[1] - pongAt).toBeLessThanOrEqual(INTERVAL_MS - 2_000);
  });

  it('leaves a socket that does not answer to Engine.IO: pinged once, not again', () => {
    const socket = open();
    vi.advanceTimersByTime(INTERVAL_MS * 3);
    expect(socket.pings).toHaveLength(1);
  });

  it('pings no socket that closed or is closing, and none speaking protocol 3 (those ping the server)', () => {
    const closed = open();
    const closing = open();
    const old = open(3);
    closed.close();
    closing.readyState = 'closing';
    vi.advanceTimersByTime(INTERVAL_MS);
    expect([closed.pings, closing.pings, old.pings]).toEqual([[], [], []]);
  });

  it('catches up on ticks its timer was late for', () => {
    const socket = open();
    // The event loop was busy past the socket's tick: it is pinged at the next turn, not skipped.
    vi.setSystemTime(Date.now() + INTERVAL_MS);
    vi.advanceTimersByTime(250);
    expect(socket.pings).toHaveLength(1);
  });
});
