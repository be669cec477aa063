import { DerbelClient } from '../client/derbel-client.js';

const clients = new Map<string, DerbelClient>();

/**
 * The client of an element placed on a page without `<derbel-app>` (embedding): one per server,
 * restored from the cookie, with one call overlay on the page so calls ring and show anywhere.
 */
export function standaloneClient(server: string): DerbelClient {
  const key = server.replace(/\/+$/, '');
  let client = clients.get(key);
  if (!client) {
    client = new DerbelClient({ server: key });
    clients.set(key, client);
    void client.restore();
    const overlay = document.createElement('derbel-call-overlay') as HTMLElement & { client?: DerbelClient };
    overlay.client = client;
    document.body.append(overlay);
  }
  return client;
}
