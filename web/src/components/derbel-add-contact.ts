import { LitElement, css, html } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import type { User } from '../client/types.js';
import { avatar } from './avatar.js';
import { ClientController } from './client-controller.js';
import { define } from './define.js';
import { explain } from './derbel-sign-in.js';
import { buttons, tokens } from './styles.js';

/**
 * Finds people by username and adds them as contacts.
 *
 * @event derbel-contact-added - A contact was added. `detail: { contact }`.
 * @csspart form - The search form.
 * @csspart results - The list of people found.
 * @csspart error - The error message.
 * @cssproperty --derbel-accent - Colour of the Add button.
 * @cssproperty --derbel-border - Border of the search field.
 * @attr server - Api server origin when used outside `<derbel-app>`.
 */
export class DerbelAddContact extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    query: { state: true },
    results: { state: true },
    error: { state: true },
    busy: { state: true },
    added: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare query: string;
  declare results: User[];
  declare error: string | null;
  declare busy: boolean;
  declare added: string | null;

  private readonly controller = new ClientController(this, (client) => [client.contacts]);
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.query = '';
    this.results = [];
    this.error = null;
    this.busy = false;
    this.added = null;
  }

  render() {
    const contacts = this.controller.client?.contacts.value.contacts ?? [];
    const known = new Set(contacts.map((contact) => contact.peer.id));
    const me = this.controller.client?.me;
    return html`
      <form part="form" role="search" @submit=${this.submit}>
        <label class="visually-hidden" for="query">Find people by username</label>
        <input
          id="query"
          type="search"
          placeholder="Add a contact by username"
          autocomplete="off"
          .value=${this.query}
          @input=${this.onInput}
          data-testid="add-contact-input"
        />
        <button class="button primary" type="submit" ?disabled=${this.busy || !this.query.trim()} data-testid="add-contact-submit">
          Add
        </button>
      </form>
      <p part="error" class="error" role="alert" data-testid="add-contact-error">${this.error ?? ''}</p>
      <p class="status" role="status">${this.added ? `${this.added} was added to your contacts.` : ''}</p>
      ${this.results.length
        ? html`<ul part="results" aria-label="People found" data-testid="user-results">
            ${this.results
              .filter((user) => user.id !== me?.id)
              .map(
                (user) => html`<li>
                  ${avatar(user, 2)}
                  <span class="text"><span class="name">${user.displayName}</span> <span class="username">@${user.username}</span></span>
                  ${known.has(user.id)
                    ? html`<span class="known">In your contacts</span>`
                    : html`<button
                        class="button"
                        type="button"
                        ?disabled=${this.busy}
                        aria-label="Add ${user.displayName} (@${user.username})"
                        @click=${() => this.add(user.username)}
                      >
                        Add
                      </button>`}
                </li>`,
              )}
          </ul>`
        : null}
    `;
  }

  private onInput(event: InputEvent) {
    this.query = (event.target as HTMLInputElement).value;
    this.error = null;
    this.added = null;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    const query = this.query.trim();
    if (query.length < 2) {
      this.results = [];
      return;
    }
    this.searchTimer = setTimeout(() => void this.search(query), 250);
  }

  private async search(query: string) {
    const seq = ++this.searchSeq;
    try {
      const users = (await this.controller.client?.searchUsers(query)) ?? [];
      if (seq === this.searchSeq) this.results = users;
    } catch {
      if (seq === this.searchSeq) this.results = [];
    }
  }

  private submit(event: SubmitEvent) {
    event.preventDefault();
    const username = this.query.trim().replace(/^@/, '');
    if (username) void this.add(username);
  }

  private async add(username: string) {
    const client = this.controller.client;
    if (!client || this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      const contact = await client.addContact(username);
      this.added = contact.peer.displayName;
      this.query = '';
      this.results = [];
      this.dispatchEvent(new CustomEvent('derbel-contact-added', { detail: { contact }, bubbles: true, composed: true }));
    } catch (error) {
      this.error = addError(error, username);
    } finally {
      this.busy = false;
    }
  }

  static styles = [
    tokens,
    buttons,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        gap: 0.5rem;
      }
      input {
        flex: 1;
        min-width: 0;
        min-height: 2.5rem;
        padding: 0.45rem 0.65rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
      }
      .error,
      .status {
        margin: 0.3rem 0 0;
        font-size: 0.9rem;
      }
      .error:empty,
      .status:empty {
        display: none;
      }
      .status {
        color: var(--_success);
      }
      ul {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.3rem;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.6rem;
      }
      .text {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .username,
      .known {
        color: var(--_muted);
        font-size: 0.85rem;
      }
    `,
  ];
}

function addError(error: unknown, username: string) {
  const code = (error as { code?: string }).code;
  if (code === 'USER_NOT_FOUND') return `Nobody is called “${username}”.`;
  if (code === 'ALREADY_CONTACTS') return `${username} is already in your contacts.`;
  if (code === 'CANNOT_ADD_SELF') return 'That is you — add someone else.';
  return explain(error);
}

define('derbel-add-contact', DerbelAddContact);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-add-contact': DerbelAddContact;
  }
}
