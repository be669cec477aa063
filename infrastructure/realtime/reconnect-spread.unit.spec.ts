import type { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { RECONNECT_SPREAD_EVENT, ReconnectSpread, SPREAD_SLICE } from './reconnect-spread.js';

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
    spread = new ReconnectSpread(io, 500);
    server.size = 10_000;
    expect(spread.currentMs()).toBe(20_000);
    server.size = 100;
    expect(spread.currentMs()).toBe(200);
    server.size = 1_000_000;
    expect(spread.currentMs()).toBe(60_000);
  });

  it('greets each socket with the current hint', () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, 500);
    server.size = 2_000;
    const sent: unknown[] = [];
    spread.greet({ emit: (event: string, data: unknown) => sent.push([event, data]) } as never);
    expect(sent).toEqual([[RECONNECT_SPREAD_EVENT, { ms: 4_000 }]]);
  });

  it('tells everyone here again only when the hint moved by more than a quarter', async () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, 500);
    server.size = 100; // 200 ms: within a quarter of the first second — nothing to say
    spread.refresh();
    expect(server.broadcasts).toEqual([]);
    server.size = 5_000;
    spread.refresh();
    server.size = 5_500; // 11 s against 10 s announced
    spread.refresh();
    server.size = 10_000;
    spread.refresh();
    for (let i = 0; i < 30; i += 1) await nextTurn();
    expect(server.broadcasts).toEqual([{ ms: 10_000 }, { ms: 20_000 }]);
  });

  it(`tells them ${SPREAD_SLICE} sockets per event-loop turn, and a newer hint supersedes an older one under way`, async () => {
    const { server, io } = fakeServer();
    spread = new ReconnectSpread(io, 500);
    server.size = 1_200;
    spread.refresh();
    expect(server.slices).toEqual([{ sockets: SPREAD_SLICE, ms: 2_400 }]);
    await nextTurn();
    expect(server.slices).toHaveLength(2);
    server.size = 2_000; // a new hint before the last slice went out
    spread.refresh();
    for (let i = 0; i < 10; i += 1) await nextTurn();
    expect(server.slices).toEqual([
      { sockets: SPREAD_SLICE, ms: 2_400 },
      { sockets: SPREAD_SLICE, ms: 2_400 },
      ...Array.from({ length: 4 }, () => ({ sockets: SPREAD_SLICE, ms: 4_000 })),
    ]);
  });
});
