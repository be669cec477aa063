import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import type { BlockedUser } from '../client/types.js';
import { avatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { explain } from './derbel-sign-in.js';
import { itemList } from './internal/item-list-styles.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * The users this user blocked, newest first, each with Unblock. Unblocking does not make them a
 * contact again: either side may send a new request.
 *
 * @csspart list - The list.
 * @csspart item - Each blocked user.
 */
export class DerbelBlockedUsers extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare error: string | null;
  /** The user being unblocked. */
  declare busy: string | null;

  private readonly controller = new ClientController(
    this,
    (client) => [client.blocks],
    (client) => void this.load(client),
    true,
  );

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.error = null;
    this.busy = null;
  }

  private async load(client: DerbelClient) {
    if (client.session.value.status !== 'signed-in') return;
    try {
      await client.loadBlocks();
      this.error = null;
    } catch (error) {
      this.error = explain(error);
    }
  }

  render() {
    const client = this.controller.client;
    if (!client) return nothing;
    const state = client.blocks.value;
    return html`
      <h2 id="blocked-title">Blocked users</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        !state.loaded
          ? html`<p role="status">Loading blocked users…</p>`
          : state.blocks.length === 0
            ? html`<p class="empty" data-testid="no-blocked-users">You have not blocked anyone.</p>`
            : html`<ul part="list" aria-labelledby="blocked-title" data-testid="blocked-users">
              ${state.blocks.map((block) => this.item(client, block))}
            </ul>`
      }
    `;
  }

  private item(client: DerbelClient, block: BlockedUser) {
    const name = block.user.displayName ?? block.user.username;
    return html`<li part="item" data-testid="blocked-user" data-username=${block.user.username}>
      ${avatar({ id: block.user.id, displayName: name }, 2)}
      <span class="text">
        <span class="name">${name}</span>
        <span class="detail"
          >@${block.user.username} · blocked
          <time datetime=${block.blockedAt}>${new Date(block.blockedAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}</time></span
        >
      </span>
      <button class="button" type="button" ?disabled=${this.busy === block.user.id} aria-label="Unblock ${name}" @click=${() => void this.unblock(client, block.user.id)}>
        Unblock
      </button>
    </li>`;
  }

  private async unblock(client: DerbelClient, userId: string) {
    this.busy = userId;
    this.error = null;
    try {
      await client.unblock(userId);
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.busy = null;
    }
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
      .detail,
      .empty {
        font-size: 0.85rem;
        color: var(--_muted);
      }
    `,
  ];
}

define('derbel-blocked-users', DerbelBlockedUsers);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-blocked-users': DerbelBlockedUsers;
  }
}
