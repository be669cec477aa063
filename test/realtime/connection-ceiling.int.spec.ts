import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESERVED_DESCRIPTORS } from '../../infrastructure/http/connection-ceiling.js';
import { ApiClient } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { sleep } from '../support/eventually.js';
import { endDeployment } from '../support/deployment-teardown.js';

const OPEN_FILES = 512;

/** Opens `count` TCP connections and reports how many the node closed without being asked. */
async function crowd(port: number, count: number) {
  const sockets: net.Socket[] = [];
  let closedByNode = 0;
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve());
          socket.on('error', () => resolve());
          socket.on('close', () => {
            closedByNode += 1;
            resolve();
          });
          sockets.push(socket);
        }),
    ),
  );
  await sleep(500);
  return { sockets, closedByNode: () => closedByNode };
}

function getJson(agent: http.Agent, url: string, token: string) {
  return new Promise<number>((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/**
 * A node at its open-files limit can open nothing else: without a ceiling on connections a crowd of clients
 * takes the descriptors its database pool needs, and the requests of users already connected answer 500
 * (EMFILE). With the ceiling, the crowd beyond it is closed at once and those users are still served.
 */
describe('the connection ceiling', () => {
  let db: TestDatabase;
  let node: NodeProcess;

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url, NODE_ID: 'ceiling-1' }, { openFilesLimit: OPEN_FILES });
  }, 60_000);
  afterAll(async () => {
    await endDeployment([node], db);
  });

  it('closes the crowd beyond it, and keeps serving the users already connected', async () => {
    const ann = await new ApiClient(node.url).signUp('ann');
    const port = Number(new URL(node.url).port);
    // Ann's tab: ten kept-alive connections, opened before the crowd arrives.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    const contacts = `${node.url}/api/contacts`;
    expect(await Promise.all(Array.from({ length: 10 }, () => getJson(agent, contacts, ann.token!)))).toEqual(Array(10).fill(200));

    const { sockets, closedByNode } = await crowd(port, OPEN_FILES);
    try {
      // Everything past the ceiling was closed by the node (the ten of ann's count against it too).
      expect(closedByNode()).toBeGreaterThanOrEqual(OPEN_FILES + 10 - (OPEN_FILES - RESERVED_DESCRIPTORS));
      // Forty requests at once over ann's ten connections: the pool opens database connections for them.
      const statuses = await Promise.all(Array.from({ length: 40 }, () => getJson(agent, contacts, ann.token!)));
      expect(statuses).toEqual(Array(40).fill(200));
    } finally {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
    }
    // Once the crowd left, newcomers are taken again.
    const ben = await new ApiClient(node.url).signUp('ben');
    expect(ben.token).toBeTruthy();
  });
});
