import net from 'node:net';

/**
 * A TCP proxy in front of a server (Redis), to make it hang or vanish for the processes behind the proxy
 * only. `hang()` holds every byte in both directions (the connections stay open, nothing is answered, as
 * with a stuck server or a network that stops delivering); `resume()` delivers what was held, in order.
 */
export interface TcpProxy {
  port: number;
  url(scheme: string): string;
  hang(): void;
  resume(): void;
  /** Closes every connection through the proxy (new ones are still accepted). */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let hanging = false;
  const held: Array<{ to: net.Socket; chunk: Buffer }> = [];
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk) => {
      if (hanging) held.push({ to, chunk });
      else if (!to.destroyed) to.write(chunk);
    });
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: TcpProxy = {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    hang: () => (hanging = true),
    resume() {
      hanging = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    cut() {
      held.length = 0;
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      proxy.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
