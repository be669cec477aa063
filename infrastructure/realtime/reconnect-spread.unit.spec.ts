import type { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { RECONNECT_SPREAD_EVENT, ReconnectSpread } from './reconnect-spread.js';

/** Just what the hint reads of Socket.io: the number of sockets here, and a local broadcast. */
function fakeServer() {
  const broadcasts: unknown[] = [];
  const server = { size: 0, broadcasts };
  const io = {
    of: () => ({
      sockets: {
        get size() {
          return server.size;
        },
      },
    }),
    local: { emit: (_: string, data: unknown) => broadcasts.push(data) },
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

  it('tells everyone here again only when the hint moved by more than a quarter', () => {
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
    expect(server.broadcasts).toEqual([{ ms: 10_000 }, { ms: 20_000 }]);
  });
});
