import type pg from 'pg';
import type { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { PresenceFanout } from './presence-fanout.js';
import { turnCounter } from '../../test/support/turn-counter.js';
import { userRoom } from './rooms.js';

const RECIPIENTS = 1_200;
const SLICE = 500;

/** Contacts of every changed user with no socket on this node: found by the query, told nothing here. */
const ELSEWHERE = 300;

/**
 * A node's view for PresenceFanout: `RECIPIENTS` local users and `ELSEWHERE` users on other nodes, each a
 * contact of every changed user; the contact query of each call answers after the delay given for that call
 * (in call order).
 */
function fakeNode(queryDelaysMs: number[]) {
  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => `r${i}`);
  const rooms = new Map(recipients.map((r) => [userRoom(r), new Set<string>()]));
  const turns = turnCounter();
  const emits: Array<{ recipient: string; event: { type: string; data: any }; turn: number }> = [];
  const io = {
    of: () => ({ adapter: { rooms } }),
    local: {
      to: (room: string) => ({
        emit: (_name: string, event: any) => emits.push({ recipient: room.slice('user:'.length), event, turn: turns.now() }),
      }),
    },
    serverSideEmit: () => true,
  } as unknown as Server;
  let calls = 0;
  const contacts = [...recipients, ...Array.from({ length: ELSEWHERE }, (_, i) => `elsewhere${i}`)];
  const pool = {
    query: async ({ values: [changed] }: { values: [string[]] }) => {
      await new Promise((resolve) => setTimeout(resolve, queryDelaysMs[calls++] ?? 0));
      return { rows: changed.flatMap((user_id) => contacts.map((peer_id) => ({ user_id, peer_id }))) };
    },
  } as unknown as pg.Pool;
  return { fanout: new PresenceFanout(io, pool, false), emits, stop: turns.stop };
}

describe('PresenceFanout.deliverHere', () => {
  it('tells only the contacts with a socket on this node', async () => {
    const node = fakeNode([0]);
    await node.fanout.deliverHere([{ userId: 'ann', online: true }]);
    node.stop();
    expect(node.emits).toHaveLength(RECIPIENTS);
    expect(node.emits.some((e) => e.recipient.startsWith('elsewhere'))).toBe(false);
  });

  it('pushes to many recipients over several turns of the event loop, at most 500 a turn', async () => {
    const node = fakeNode([0]);
    await node.fanout.deliverHere([{ userId: 'ann', online: false }]);
    node.stop();
    expect(node.emits).toHaveLength(RECIPIENTS);
    const perTurn = new Map<number, number>();
    for (const { turn } of node.emits) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    expect(perTurn.size).toBeGreaterThanOrEqual(Math.ceil(RECIPIENTS / SLICE));
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(SLICE);
  });

  it('delivers batches in the order they were given, though a later one’s contacts were found first', async () => {
    // The first batch's query answers last: each recipient must still hear "offline" before "online".
    const node = fakeNode([50, 0]);
    await Promise.all([
      node.fanout.deliverHere([{ userId: 'ann', online: false }]),
      node.fanout.deliverHere([
        { userId: 'ann', online: true },
        { userId: 'bob', online: true },
      ]),
    ]);
    node.stop();
    expect(node.emits).toHaveLength(2 * RECIPIENTS);
    const firstOfSecond = node.emits.findIndex((e) => e.event.type === 'PresenceChanges');
    expect(firstOfSecond).toBe(RECIPIENTS);
    expect(node.emits.slice(0, RECIPIENTS).every((e) => e.event.type === 'PresenceChanged' && e.event.data.online === false)).toBe(true);
  });

  it('goes on with the next batch when one batch’s contacts could not be looked up', async () => {
    const node = fakeNode([0, 0]);
    let calls = 0;
    const failing = (node.fanout as unknown as { pool: pg.Pool }).pool;
    const query = failing.query.bind(failing);
    failing.query = ((...args: Parameters<typeof query>) =>
      calls++ === 0 ? Promise.reject(new Error('down')) : query(...args)) as typeof query;
    const first = node.fanout.deliverHere([{ userId: 'ann', online: false }]);
    const second = node.fanout.deliverHere([{ userId: 'bob', online: true }]);
    await expect(first).rejects.toThrow('down');
    await second;
    node.stop();
    expect(node.emits).toHaveLength(RECIPIENTS);
  });
});
