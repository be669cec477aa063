import type { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { RECONNECT_SPREAD_EVENT, ReconnectSpread, SPREAD_SLICE } from './reconnect-spread.js';
import { takenPerSecond } from './spread-window.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Just what the hint reads of Socket.io: the sockets here, and a local broadcast to some of them (rooms = socket ids). */
function fakeServer() {
  const broadcasts: unknown[] = [];
  const slices: Array<{ sockets: number; ms: number }> = [];
  const server = { size: 0, broadcasts, slices };
  const io = {
    of: () => ({
      sockets: {
        get size() {
          return server.size;
        },
        keys: () => Array.from({ length: server.size }, (_, i) => `socket-${i}`)[Symbol.iterator](),
      },
    }),
    local: {
      to: (ids: string[]) => ({
        emit: (_: string, data: { ms: number }) => {
          slices.push({ sockets: ids.length, ms: data.ms });
          if (ids.includes('socket-0')) broadcasts.push(data);
        },
      }),
    },
  };
  return { server, io: io as unknown as Server };
}

describe('ReconnectSpread', () => {
  let spread: ReconnectSpread;
  afterEach(() => spread.close());

  it('asks for the node’s sockets at the configured rate, at most a minute', () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, () => 500);
    server.size = 10_000;
    expect(spread.currentMs()).toBe(20_000);
    server.size = 100;
    expect(spread.currentMs()).toBe(200);
    server.size = 1_000_000;
    expect(spread.currentMs()).toBe(60_000);
  });

  it('greets each socket with the current hint', () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, () => 500);
    server.size = 2_000;
    const sent: unknown[] = [];
    spread.greet({ emit: (event: string, data: unknown) => sent.push([event, data]) } as never);
    expect(sent).toEqual([[RECONNECT_SPREAD_EVENT, { ms: 4_000 }]]);
  });

  it('tells everyone here again only when the hint moved by more than an eighth', async () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, () => 500, { announceOverMs: 0 });
    server.size = 50; // 100 ms: within an eighth of the first second — nothing to say
    spread.refresh();
    expect(server.broadcasts).toEqual([]);
    server.size = 5_000;
    spread.refresh();
    server.size = 5_500; // 11 s against 10 s announced
    spread.refresh();
    server.size = 4_300; // 8.6 s: 14 % shorter
    spread.refresh();
    for (let i = 0; i < 30; i += 1) await nextTurn();
    expect(server.broadcasts).toEqual([{ ms: 10_000 }, { ms: 8_600 }]);
  });

  it('follows what the other nodes offer together: a node joining halves the hint, and everyone is told', async () => {
    const { server, io } = fakeServer();
    let othersOffer = 500;
    spread = new ReconnectSpread(io, () => takenPerSecond(othersOffer, 250), { announceOverMs: 0 });
    server.size = 10_000;
    spread.refresh();
    othersOffer = 1_000;
    spread.refresh();
    othersOffer = 0; // alone: its clients come back to it, at what it offers itself
    spread.refresh();
    for (let i = 0; i < 30; i += 1) await nextTurn();
    expect(server.broadcasts).toEqual([{ ms: 20_000 }, { ms: 10_000 }, { ms: 40_000 }]);
  });

  it(`tells them ${SPREAD_SLICE} sockets per event-loop turn, the turns spread over the announcement's window`, async () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, () => 500, { announceOverMs: 300 });
    server.size = 4 * SPREAD_SLICE;
    const started = performance.now();
    const at: number[] = [];
    const emit = io.local.to;
    (io.local as { to: typeof emit }).to = (ids) => (at.push(performance.now() - started), emit(ids));
    spread.refresh();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.slices).toEqual(Array.from({ length: 4 }, () => ({ sockets: SPREAD_SLICE, ms: 800 })));
    // A storm's announcement to 10,000 sockets is no burst of writes that everyone's pushes wait behind.
    expect(at[0]).toBeLessThan(50);
    expect(at[1]).toBeGreaterThanOrEqual(74);
    expect(at[3]).toBeGreaterThanOrEqual(224);
  });

  it('a newer hint supersedes an older one under way: those not yet told hear only the newer', async () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, () => 500, { announceOverMs: 0 });
    server.size = 3 * SPREAD_SLICE;
    spread.refresh();
    expect(server.slices).toEqual([{ sockets: SPREAD_SLICE, ms: 600 }]);
    await nextTurn();
    expect(server.slices).toHaveLength(2);
    server.size = 5 * SPREAD_SLICE; // a new hint before the last slice went out
    spread.refresh();
    for (let i = 0; i < 10; i += 1) await nextTurn();
    expect(server.slices).toEqual([
      { sockets: SPREAD_SLICE, ms: 600 },
      { sockets: SPREAD_SLICE, ms: 600 },
      ...Array.from({ length: 5 }, () => ({ sockets: SPREAD_SLICE, ms: 1_000 })),
    ]);
  });
});
