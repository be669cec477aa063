import { LitElement, css, html, nothing } from 'lit';
import { nextRingDeadline, ringingFor } from '../client/state/meetings-state.js';
import { callTitle, participantName } from '../client/calls/call-names.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import './derbel-incoming-call.js';
import './derbel-meeting.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * Puts calls above the page, wherever the user is: the incoming-call panel while a call rings for
 * them, and the call view (lobby, call, end) while there is one. `<derbel-app>` holds one; embedded
 * elements add one to the page by themselves.
 *
 * @csspart incoming - The incoming-call panel.
 * @csspart meeting - The call view.
 * @cssproperty --derbel-overlay-backdrop - Backdrop behind the call view.
 */
export class DerbelCallOverlay extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    error: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare error: string | null;

  private readonly controller = new ClientController(this, (client) => [client.meetings, client.contacts, client.call.view]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.error = null;
  }

  render() {
    const client = this.controller.client;
    const me = client?.me;
    if (!client || !me) return nothing;
    const view = client.call.view.value;
    const current = view.phase === 'call' ? view.meetingId : null;
    const ringing = ringingFor(client.meetings.value, me.id, current);
    const group = ringing ? client.group(ringing.contactId) : null;
    const caller = ringing ? participantName(client, ringing.contactId, ringing.startedBy) : '';
    this.lookAgainAt(nextRingDeadline(client.meetings.value));
    return html`
      ${
        ringing
          ? html`<derbel-incoming-call
            part="incoming"
            class="incoming"
            meeting-id=${ringing.id}
            caller=${caller}
            conversation=${group ? callTitle(client, ringing.contactId) : ''}
            @derbel-call-accept=${() => this.run(client.call.accept(ringing.id))}
            @derbel-call-decline=${() => this.run(client.call.decline(ringing.id))}
          ></derbel-incoming-call>`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert">${this.error} <button class="button link" @click=${() => (this.error = null)}>Dismiss</button></p>` : nothing}
      ${
        view.phase !== 'idle'
          ? html`<div class="backdrop"><derbel-meeting part="meeting" .client=${client}></derbel-meeting></div>`
          : nothing
      }
    `;
  }

  private recheck: ReturnType<typeof setTimeout> | null = null;

  /** A group call others answered stops ringing at its deadline, which no event announces. */
  private lookAgainAt(deadline: number | null) {
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = deadline === null ? null : setTimeout(() => this.requestUpdate(), deadline - Date.now() + 50);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    if (this.recheck) clearTimeout(this.recheck);
  }

  private run(action: Promise<unknown>) {
    this.error = null;
    action.catch((error) => (this.error = error instanceof Error ? error.message : String(error)));
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        position: relative;
        z-index: 1000;
      }
      .incoming {
        position: fixed;
        top: 1rem;
        left: 50%;
        transform: translateX(-50%);
        width: min(28rem, calc(100vw - 2rem));
        z-index: 2;
      }
      .backdrop {
        position: fixed;
        inset: 0;
        display: grid;
        place-items: center;
        padding: 1rem;
        background: var(--derbel-overlay-backdrop, rgb(10 10 16 / 0.7));
        overflow: auto;
        z-index: 1;
      }
      derbel-meeting {
        width: min(64rem, 100%);
      }
      .error {
        position: fixed;
        bottom: 1rem;
        left: 50%;
        transform: translateX(-50%);
        background: var(--_bg);
        padding: 0.5rem 1rem;
        border-radius: var(--_radius);
        z-index: 3;
      }
      @media (max-width: 40rem) {
        .backdrop {
          padding: 0;
          place-items: stretch;
        }
      }
    `,
  ];
}

define('derbel-call-overlay', DerbelCallOverlay);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-call-overlay': DerbelCallOverlay;
  }
}
