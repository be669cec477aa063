import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DerbelClient } from '../../client/derbel-client.js';
import { clientContext } from './context.js';
import { standaloneClient } from './standalone.js';

/** Anything that tells when it changed, such as the client's observables. */
export type Watchable = { subscribe(listener: () => void): () => void };

type Host = ReactiveControllerHost & HTMLElement & { server?: string | null; client?: DerbelClient | null };

/**
 * Gives a component its DerbelClient (from context, its own `client` property, or a standalone one
 * for its `server` attribute) and re-renders it when the observables it reads change.
 */
export class ClientController implements ReactiveController {
  client: DerbelClient | null = null;
  private unsubscribe: Array<() => void> = [];

  constructor(
    private readonly host: Host,
    private readonly watch: (client: DerbelClient) => Watchable[] = () => [],
    private readonly onClient?: (client: DerbelClient) => void,
    /** Call `onClient` again each time the host is connected anew (a page that reloads what it shows). */
    private readonly everyConnect = false,
  ) {
    new ContextConsumer(host, { context: clientContext, subscribe: true, callback: (client) => this.use(client) });
    host.addController(this);
  }

  hostConnected() {
    const before = this.client;
    if (this.host.client) this.use(this.host.client);
    else if (!this.client) this.use(standaloneClient(this.host.server ?? ''));
    else this.subscribe();
    if (this.everyConnect && before && before === this.client) this.onClient?.(before);
  }

  hostDisconnected() {
    for (const undo of this.unsubscribe.splice(0)) undo();
  }

  /** Re-subscribes, e.g. when what the component watches depends on a property that changed. */
  refresh() {
    if (this.client) this.subscribe();
  }

  private use(client: DerbelClient) {
    if (client === this.client) return;
    this.client = client;
    this.subscribe();
    this.onClient?.(client);
    this.host.requestUpdate();
  }

  private subscribe() {
    for (const undo of this.unsubscribe.splice(0)) undo();
    if (!this.client) return;
    for (const observable of [this.client.session, ...this.watch(this.client)]) {
      this.unsubscribe.push(observable.subscribe(() => this.host.requestUpdate()));
    }
  }
}
