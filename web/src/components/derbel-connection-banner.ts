import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { tokens } from './internal/styles.js';

/**
 * Says when the live connection is down (messages written meanwhile wait in the outbox) and when
 * it is back. Empty while connected.
 *
 * @csspart banner - The banner.
 * @cssproperty --derbel-banner-background - Background while disconnected.
 */
/** A lost connection is said after this long: a blip passes unseen. */
const LOST_QUIET_MS = 300;
/** A connection the server moved on purpose (a deploy) comes back within a second or two: said only if it has not. */
const MOVE_QUIET_MS = 3_000;

export class DerbelConnectionBanner extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    /** How long (ms) a first connection may take before the banner shows. */
    delay: { type: Number },
    late: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare delay: number;
  declare late: boolean;

  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly controller = new ClientController(this, (client) => [client.connection, client.outboxEntries]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.delay = 1_500;
    this.late = false;
  }

  protected willUpdate() {
    const state = this.controller.client?.connection.value;
    if (state === 'connecting' || state === 'reconnecting') {
      const moving = this.controller.client?.connectionMoving.value === true;
      const wait = state === 'connecting' ? this.delay : moving ? MOVE_QUIET_MS : LOST_QUIET_MS;
      this.timer ??= setTimeout(() => (this.late = true), wait);
    } else {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.late = false;
    }
  }

  render() {
    const client = this.controller.client;
    const state = client?.connection.value;
    const waiting = client?.outboxEntries.value.filter((entry) => entry.status === 'pending').length ?? 0;
    const show = this.late && (state === 'connecting' || state === 'reconnecting');
    return html`<div role="status" aria-live="polite">
      ${
        show
          ? html`<p part="banner" class="banner" data-testid="connection-banner" data-state=${state}>
            ${state === 'reconnecting' ? 'Connection lost. Reconnecting…' : 'Connecting…'}
            ${waiting ? html`<span>${waiting} message${waiting === 1 ? '' : 's'} will be sent when you are back online.</span>` : nothing}
          </p>`
          : nothing
      }
    </div>`;
  }

  static styles = [
    tokens,
    css`
      :host {
        display: block;
      }
      .banner {
        margin: 0;
        padding: 0.5rem 1rem;
        background: var(--derbel-banner-background, #fff4ce);
        color: #5c4400;
        text-align: center;
        font-size: 0.9rem;
        display: flex;
        gap: 0.5rem;
        justify-content: center;
        flex-wrap: wrap;
      }
    `,
  ];
}

define('derbel-connection-banner', DerbelConnectionBanner);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-connection-banner': DerbelConnectionBanner;
  }
}
