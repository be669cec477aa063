import { LitElement, css, html } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, tokens } from './internal/styles.js';

/**
 * Starts a video call with a contact or a group (through the lobby, where the camera and microphone are
 * checked), or joins the one already running. Embeddable:
 * `<derbel-call-button server="https://derbel.example" contact-id="…">`.
 *
 * @event derbel-call-start - The user asked to call. `detail: { contactId }`. Cancel it to handle the call yourself.
 * @slot - Replaces the button's text.
 * @csspart button - The button.
 * @attr server - Api server origin when embedded on another page.
 * @attr contact-id - Who to call: a contact's (direct conversation's) or a group's id.
 * @cssproperty --derbel-accent - Button colour.
 */
export class DerbelCallButton extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    contactId: { type: String, attribute: 'contact-id' },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare contactId: string | null;

  private readonly controller = new ClientController(this, (client) => [client.contacts, client.contactsLoaded, client.call.view]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.contactId = null;
  }

  render() {
    const client = this.controller.client;
    const contact = this.contactId ? client?.contact(this.contactId) : null;
    const group = this.contactId && !contact ? client?.group(this.contactId) : null;
    const inCall = client?.call.view.value.phase === 'call';
    const running = (contact ?? group)?.activeMeeting;
    const name = contact?.peer.displayName ?? group?.title ?? 'contact';
    const label = group
      ? running
        ? `Join the call in ${name}`
        : `Video call ${name}`
      : running
        ? `Join call with ${name}`
        : `Video call ${name}`;
    return html`<button
      part="button"
      class="button ${running ? 'primary' : ''}"
      type="button"
      ?disabled=${!(contact || (group && !group.left)) || inCall}
      aria-label=${label}
      title=${label}
      @click=${this.call}
      data-testid="call-button"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path fill="currentColor" d="M3 6.5A2.5 2.5 0 0 1 5.5 4h8A2.5 2.5 0 0 1 16 6.5v1.8l3.4-2.3A1 1 0 0 1 21 6.8v10.4a1 1 0 0 1-1.6.8L16 15.7v1.8a2.5 2.5 0 0 1-2.5 2.5h-8A2.5 2.5 0 0 1 3 17.5z" />
      </svg>
      <slot>${running ? 'Join call' : 'Call'}</slot>
    </button>`;
  }

  private call() {
    const client = this.controller.client;
    if (!client || !this.contactId) return;
    const proceed = emit(this, 'derbel-call-start', { contactId: this.contactId }, { cancelable: true });
    if (proceed) void client.call.openLobby(this.contactId);
  }

  static styles = [
    tokens,
    buttons,
    css`
      :host {
        display: inline-block;
      }
    `,
  ];
}

define('derbel-call-button', DerbelCallButton);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-call-button': DerbelCallButton;
  }
}
