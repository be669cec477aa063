import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { buttons, tokens } from './internal/styles.js';

/**
 * A non-blocking notice from the client (e.g. the state had to be reloaded after an error), with a
 * button to dismiss it. Empty when there is nothing to say.
 *
 * @csspart notice - The notice.
 * @cssproperty --derbel-notice-background - Its background.
 */
export class DerbelNotice extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
  };

  declare server: string | null;
  declare client: DerbelClient | null;

  private readonly controller = new ClientController(this, (client) => [client.notice]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
  }

  render() {
    const client = this.controller.client;
    const notice = client?.notice.value;
    return html`<div role="status" aria-live="polite">
      ${
        notice
          ? html`<p part="notice" class="notice" data-testid="state-notice">
            <span>${notice}</span>
            <button class="button link" type="button" @click=${() => client?.notice.set(null)}>Dismiss</button>
          </p>`
          : nothing
      }
    </div>`;
  }

  static styles = [
    tokens,
    buttons,
    css`
      :host {
        display: block;
      }
      .notice {
        margin: 0;
        padding: 0.4rem 1rem;
        background: var(--derbel-notice-background, var(--_surface));
        text-align: center;
        font-size: 0.9rem;
      }
    `,
  ];
}

define('derbel-notice', DerbelNotice);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-notice': DerbelNotice;
  }
}
