import { LitElement, css, html } from 'lit';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, tokens } from './internal/styles.js';

/**
 * The panel of a call ringing for the user: who calls, accept, decline, and a pulsing ring.
 * It never takes keyboard focus (someone typing would answer with Enter): answering is a click on
 * Accept, or Tab to it.
 *
 * @event derbel-call-accept - Accept. `detail: { meetingId }`.
 * @event derbel-call-decline - Decline. `detail: { meetingId }`.
 * @csspart panel - The panel.
 * @csspart accept - The accept button.
 * @csspart decline - The decline button.
 * @cssproperty --derbel-success - Accept button colour.
 * @cssproperty --derbel-danger - Decline button colour.
 */
export class DerbelIncomingCall extends LitElement {
  static properties = {
    meetingId: { type: String, attribute: 'meeting-id' },
    caller: { type: String },
    conversation: { type: String },
  };

  declare meetingId: string;
  /** The caller's display name. */
  declare caller: string;
  /** A group call: the group's title (empty for a direct call). */
  declare conversation: string;

  constructor() {
    super();
    this.meetingId = '';
    this.caller = '';
    this.conversation = '';
  }

  render() {
    return html`<div part="panel" class="panel" role="alertdialog" aria-labelledby="title" aria-describedby="what" data-testid="incoming-call">
      <div class="ring" aria-hidden="true"><span></span><span></span><span class="initial">${this.caller.trim()[0]?.toUpperCase() ?? '?'}</span></div>
      <div class="text">
        <h2 id="title">${this.caller}</h2>
        <p id="what">${this.conversation ? `is calling ${this.conversation}…` : 'is calling you…'}</p>
      </div>
      <div class="actions">
        <button part="decline" class="button danger" type="button" @click=${() => this.fire('derbel-call-decline')} data-testid="decline-call">
          Decline
        </button>
        <button part="accept" class="button accept" type="button" @click=${() => this.fire('derbel-call-accept')} data-testid="accept-call">
          Accept
        </button>
      </div>
    </div>`;
  }

  private fire(type: 'derbel-call-accept' | 'derbel-call-decline') {
    emit(this, type, { meetingId: this.meetingId });
  }

  static styles = [
    tokens,
    buttons,
    css`
      :host {
        display: block;
      }
      .panel {
        display: flex;
        align-items: center;
        gap: 1rem;
        flex-wrap: wrap;
        padding: 1rem 1.2rem;
        border-radius: var(--_radius);
        background: var(--_bg);
        box-shadow: 0 10px 30px rgb(0 0 0 / 0.25);
        border: 1px solid var(--_border);
      }
      .text {
        flex: 1;
        min-width: 8rem;
      }
      h2 {
        margin: 0;
        font-size: 1.1rem;
      }
      p {
        margin: 0;
        color: var(--_muted);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
      .accept {
        background: var(--_success);
        border-color: var(--_success);
        color: var(--_on-success);
      }
      .ring {
        position: relative;
        width: 3.2rem;
        height: 3.2rem;
        display: grid;
        place-items: center;
      }
      .ring span {
        position: absolute;
        inset: 0;
        border-radius: 50%;
        background: var(--_success);
        opacity: 0.35;
        animation: pulse 1.6s ease-out infinite;
      }
      .ring span:nth-child(2) {
        animation-delay: 0.8s;
      }
      .ring .initial {
        position: relative;
        inset: auto;
        width: 2.6rem;
        height: 2.6rem;
        display: grid;
        place-items: center;
        opacity: 1;
        animation: none;
        color: #fff;
        font-weight: 700;
      }
      @keyframes pulse {
        from {
          transform: scale(0.8);
          opacity: 0.5;
        }
        to {
          transform: scale(1.6);
          opacity: 0;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .ring span {
          animation: none;
        }
      }
    `,
  ];
}

define('derbel-incoming-call', DerbelIncomingCall);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-incoming-call': DerbelIncomingCall;
  }
}
