import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 21: after a node crash, thousands of clients reconnect to the survivor within a second. With Node's
 * default listen backlog (511) the kernel dropped their SYNs whenever the event loop was busy for more than a
 * few tens of milliseconds (seen at 20,000 sockets: Recv-Q 512 on a backlog of 511), and each dropped SYN costs
 * the client a 1 s, then 3 s, TCP retransmission on top of its back-off.
 */
describe('the listening socket', () => {
  let node: TestServer | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  // `ss` prints a listening socket's backlog as its Send-Q (the kernel caps it at net.core.somaxconn).
  const backlogOf = (url: string) => {
    const port = new URL(url).port;
    const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
    return Number(line.split(/\s+/)[2]);
  };
  const somaxconn = () => Number(execFileSync('cat', ['/proc/sys/net/core/somaxconn'], { encoding: 'utf8' }));

  it('queues a reconnect storm by default (backlog 4096, or the kernel cap below it)', async () => {
    node = await startTestServer();
    expect(backlogOf(node.url)).toBe(Math.min(4096, somaxconn()));
  });

  it('takes LISTEN_BACKLOG from the environment', async () => {
    node = await startTestServer({ env: { LISTEN_BACKLOG: '1000' } });
    expect(backlogOf(node.url)).toBe(Math.min(1000, somaxconn()));
  });
});
