import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import { formatDuration } from '../client/message-days.js';
import type { CallRecord } from '../client/types.js';
import { avatar, groupAvatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { itemList } from './internal/item-list-styles.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * The user's calls, newest first: missed, declined and finished ones with their duration.
 *
 * @event derbel-call-back - "Call back" was pressed. `detail: { contactId }`.
 * @csspart list - The list.
 * @csspart item - Each call.
 * @cssproperty --derbel-danger - Colour of missed calls.
 */
export class DerbelCallLog extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    error: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare error: string | null;

  private readonly controller = new ClientController(
    this,
    (client) => [client.callsLog.state, client.contacts],
    (client) => this.load(client),
  );

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.error = null;
  }

  private load(client: DerbelClient) {
    if (client.session.value.status !== 'signed-in') return;
    client.callsLog.load().catch((error) => (this.error = explain(error)));
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.controller.client) this.load(this.controller.client);
    document.addEventListener('visibilitychange', this.markSeen);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.markSeen);
  }

  protected updated() {
    this.markSeen();
  }

  /** Missed calls shown on a visible page are seen: the Calls badge goes. */
  private markSeen = () => {
    const client = this.controller.client;
    if (!client || !this.isConnected || document.visibilityState !== 'visible') return;
    const newest = client.callsLog.state.value.calls.find((call) => call.outcome === 'missed' && call.direction === 'incoming');
    if (newest) client.seenCalls.markLog(newest.endedAt);
  };

  render() {
    const client = this.controller.client;
    if (!client) return nothing;
    const state = client.callsLog.state.value;
    return html`
      <h2>Calls</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        !state.loaded
          ? html`<p class="empty" role="status">Loading calls…</p>`
          : state.calls.length === 0
            ? html`<p class="empty">No calls yet.</p>`
            : html`<ul part="list" aria-label="Call history" data-testid="call-log">
              ${state.calls.map((call) => this.item(call))}
            </ul>`
      }
      ${
        state.hasMore
          ? html`<button class="button" type="button" ?disabled=${state.loading} @click=${() => client.callsLog.loadMore().catch((error) => (this.error = explain(error)))}>
            ${state.loading ? 'Loading…' : 'Show older calls'}
          </button>`
          : nothing
      }
    `;
  }

  private item(call: CallRecord) {
    const outcome =
      call.outcome === 'missed'
        ? call.direction === 'incoming'
          ? 'Missed call'
          : 'Not answered'
        : call.outcome === 'declined'
          ? call.direction === 'incoming'
            ? 'You declined'
            : 'Declined'
          : `${call.direction === 'incoming' ? 'Incoming' : 'Outgoing'} · ${formatDuration(call.durationSeconds)}`;
    const when = new Date(call.startedAt);
    // A group's call is the group's: named and shown by it, called back in it.
    const group = this.controller.client?.group(call.contactId);
    const name = group ? group.title : call.peer.displayName;
    return html`<li part="item" class=${call.outcome} data-testid="call-log-entry" data-outcome=${call.outcome} data-direction=${call.direction}>
      ${group ? groupAvatar(group, 2.2) : avatar(call.peer, 2.2)}
      <span class="text">
        <span class="name">${name}</span>
        <span class="outcome"><span aria-hidden="true">${call.direction === 'incoming' ? '↙' : '↗'}</span> ${outcome}</span>
      </span>
      <time datetime=${call.startedAt}>${when.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}</time>
      <button class="button" type="button" aria-label="Call back ${name}" @click=${() => this.callBack(call.contactId)}>Call back</button>
    </li>`;
  }

  private callBack(contactId: string) {
    const proceed = emit(this, 'derbel-call-back', { contactId }, { cancelable: true });
    if (proceed) void this.controller.client?.call.openLobby(contactId);
  }

  static styles = [
    tokens,
    buttons,
    forms,
    itemList,
    css`
      .name {
        font-weight: 600;
      }
      .outcome,
      time {
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .missed .outcome {
        color: var(--_danger);
      }
      .empty {
        color: var(--_muted);
      }
    `,
  ];
}

define('derbel-call-log', DerbelCallLog);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-call-log': DerbelCallLog;
  }
}
