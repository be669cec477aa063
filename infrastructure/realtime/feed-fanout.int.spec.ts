import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/api-client.js';
import { recordingLog } from '../../test/support/recording-log.js';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { redisNames } from '../redis/redis-names.js';
import { FeedFanout } from './feed-fanout.js';
import { userRoom } from './rooms.js';

interface Node {
  http: HttpServer;
  io: Server;
  pub: Redis;
  sub: Redis;
  fanout: FeedFanout;
  log: ReturnType<typeof recordingLog>;
  url: string;
}

/** This file's own channel: other test files share the Redis server. */
const names = redisNames(`feed-fanout-spec-${randomUUID()}`);

async function startNode(): Promise<Node> {
  const http = createServer();
  const io = new Server(http);
  io.on('connection', (socket) => void socket.join(userRoom(String(socket.handshake.auth.userId))));
  const pub = new Redis(TEST_REDIS_URL);
  const sub = pub.duplicate();
  const log = recordingLog();
  const fanout = new FeedFanout(io, log, { pub, sub, names });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { http, io, pub, sub, fanout, log, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function connectAs(node: Node, userId: string) {
  const socket = connect(node.url, { auth: { userId }, transports: ['websocket'] });
  const received: Array<{ type: string; position: number; data: Record<string, unknown> }> = [];
  socket.on('event', (event) => received.push(event));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
  return { socket, received };
}

/** Real Socket.io servers on the machine's Redis: the fan-out of the feed across api nodes. */
describe('feed fan-out across nodes', () => {
  let nodes: Node[];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    nodes = [await startNode(), await startNode()];
    // The subscription is asynchronous: wait until both nodes listen on the channel.
    await eventually(async () => ((await nodes[0].pub.pubsub('NUMSUB', names.feedChannel)) as [string, number])[1] === 2);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const node of nodes) {
      node.io.close();
      node.pub.disconnect();
      node.sub.disconnect();
    }
  });

  it("delivers each entry once, in order, to its user's sockets on every node and to no one else", async () => {
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const aliceHere = await connectAs(nodes[0], alice);
    const bobThere = await connectAs(nodes[1], bob);
    const bobHere = await connectAs(nodes[0], bob);
    const carolThere = await connectAs(nodes[1], carol);
    sockets.push(aliceHere.socket, bobThere.socket, bobHere.socket, carolThere.socket);

    const entries = [];
    for (let position = 1; position <= 50; position++) {
      entries.push({ userId: alice, type: 'MessageSent', position, data: { text: `m${position}` } });
      entries.push({ userId: bob, type: 'MessageSent', position, data: { text: `m${position}` } });
    }
    nodes[0].fanout.publish(entries.slice(0, 60));
    nodes[0].fanout.publish(entries.slice(60));
    // Last, to every one of them: once a socket has it, everything published before it for that socket came too.
    nodes[0].fanout.publish([alice, bob, carol].map((userId) => ({ userId, type: 'Marker', position: 51, data: {} })));
    const marked = (received: Array<{ position: number }>) => received.some((e) => e.position === 51);
    await eventually(() => [aliceHere, bobHere, bobThere, carolThere].every(({ received }) => marked(received)));
    for (const { received } of [aliceHere, bobHere, bobThere, carolThere]) received.pop();

    const positions = (received: Array<{ position: number }>) => received.map((e) => e.position);
    const all = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(positions(aliceHere.received)).toEqual(all);
    expect(positions(bobHere.received)).toEqual(all);
    expect(positions(bobThere.received)).toEqual(all);
    expect(bobThere.received[49]).toEqual({ type: 'MessageSent', position: 50, data: { text: 'm50' } });
    expect(carolThere.received).toEqual([]);

    // And the other way round: the leader may be any node.
    nodes[1].fanout.publish([{ userId: alice, type: 'MessageDeleted', position: 52, data: {} }]);
    nodes[1].fanout.publish([{ userId: bob, type: 'Marker', position: 53, data: {} }]);
    await eventually(() => aliceHere.received.length > 50 && bobThere.received.length > 50);
    expect(positions(aliceHere.received)).toEqual([...all, 52]);
    expect(positions(bobThere.received)).toEqual([...all, 53]);
  });

  it('ignores a malformed message on its channel and keeps delivering', async () => {
    const dave = randomUUID();
    const daveThere = await connectAs(nodes[1], dave);
    sockets.push(daveThere.socket);
    await nodes[0].pub.publish('derbel-feed', 'not json');
    await nodes[0].pub.publish('derbel-feed', JSON.stringify({ origin: 'elsewhere', deliveries: 'nope' }));
    nodes[0].fanout.publish([{ userId: dave, type: 'MessageSent', position: 7, data: {} }]);
    await eventually(() => daveThere.received.length > 0);
    expect(daveThere.received.map((e) => e.position)).toEqual([7]);
  });

  it('logs a batch it could not publish to the other nodes, and still delivers it on its own node', async () => {
    const node = await startNode();
    try {
      const erin = randomUUID();
      const erinHere = await connectAs(node, erin);
      sockets.push(erinHere.socket);
      node.pub.disconnect();
      node.fanout.publish([
        { userId: erin, type: 'MessageSent', position: 8, data: {} },
        { userId: erin, type: 'MessageSent', position: 9, data: {} },
      ]);
      await eventually(() => node.log.entries.length >= 2);
      expect(node.log.entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 'warn',
            msg: expect.stringMatching(/^feed fan-out: publishing to the other nodes failed/),
            fields: expect.objectContaining({ from: 8, to: 9 }),
          }),
          expect.objectContaining({
            level: 'warn',
            msg: expect.stringMatching(/^feed fan-out: could not record the pushed position/),
            fields: expect.objectContaining({ position: 9 }),
          }),
        ]),
      );
      await eventually(() => erinHere.received.length === 2);
    } finally {
      node.io.close();
      node.sub.disconnect();
    }
  });
});
