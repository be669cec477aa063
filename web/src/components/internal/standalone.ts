import { DerbelClient } from '../../client/derbel-client.js';

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
    const added = client;
    // Created only once defined: when embed.js comes after the elements, they upgrade (and get here)
    // before the overlay is defined, and an overlay upgraded later would not keep this client.
    void customElements.whenDefined('derbel-call-overlay').then(() => {
      const overlay = document.createElement('derbel-call-overlay') as HTMLElement & { client?: DerbelClient };
      overlay.client = added;
      document.body.append(overlay);
    });
  }
  return client;
}
