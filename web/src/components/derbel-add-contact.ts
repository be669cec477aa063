import { LitElement, css, html } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import type { User } from '../client/types.js';
import { avatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';
import { characterCount } from '../client/text-length.js';

/** The longest first message a request may carry, in characters (code points). */
export const REQUEST_MESSAGE_MAX_CHARACTERS = 500;

/**
 * Finds people by username and asks them to become contacts, with an optional first message. The
 * request waits for their answer ("Request sent"); when they had asked first, they are contacts at once.
 *
 * @event derbel-contact-requested - A request was sent. `detail: { contact: { id, peer, status: 'pending' } }`.
 * @event derbel-contact-added - They had asked first: now contacts. `detail: { contact: { id, peer, status: 'accepted' } }`.
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
    message: { state: true },
    results: { state: true },
    error: { state: true },
    busy: { state: true },
    added: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare query: string;
  declare message: string;
  declare results: User[];
  declare error: string | null;
  declare busy: boolean;
  /** What the last request did, said in the status line. */
  declare added: string | null;

  private readonly controller = new ClientController(this, (client) => [client.contacts]);
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.query = '';
    this.message = '';
    this.results = [];
    this.error = null;
    this.busy = false;
    this.added = null;
  }

  render() {
    const state = this.controller.client?.contacts.value;
    const known = new Set((state?.contacts ?? []).map((contact) => contact.peer.id));
    const requests = new Map((state?.requests ?? []).map((request) => [request.peer.id, request.direction]));
    const me = this.controller.client?.me;
    const tooLong = characterCount(this.message) > REQUEST_MESSAGE_MAX_CHARACTERS;
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
        <button class="button primary" type="submit" ?disabled=${this.busy || !this.query.trim() || tooLong} data-testid="add-contact-submit">
          Add
        </button>
        ${
          this.query.trim()
            ? html`<label class="visually-hidden" for="message">First message (optional)</label>
              <input
                id="message"
                class="message"
                type="text"
                placeholder="Say hello (optional)"
                autocomplete="off"
                aria-invalid=${String(tooLong)}
                aria-describedby="message-hint"
                .value=${this.message}
                @input=${(event: InputEvent) => (this.message = (event.target as HTMLInputElement).value)}
                data-testid="add-contact-message"
              />
              <span id="message-hint" class="hint ${tooLong ? 'error' : ''}"
                >Sent with your request, the only message they see until they accept${
                  tooLong ? ` — at most ${REQUEST_MESSAGE_MAX_CHARACTERS} characters` : ''
                }.</span
              >`
            : null
        }
      </form>
      <p part="error" class="error" role="alert" data-testid="add-contact-error">${this.error ?? ''}</p>
      <p class="status" role="status" data-testid="add-contact-status">${this.added ?? ''}</p>
      ${
        this.results.length
          ? html`<ul part="results" aria-label="People found" data-testid="user-results">
            ${this.results
              .filter((user) => user.id !== me?.id)
              .map(
                (user) => html`<li>
                  ${avatar(user, 2)}
                  <span class="text"><span class="name">${user.displayName}</span> <span class="username">@${user.username}</span></span>
                  ${
                    known.has(user.id)
                      ? html`<span class="known">In your contacts</span>`
                      : requests.get(user.id) === 'outgoing'
                        ? html`<span class="known">Request sent</span>`
                        : requests.get(user.id) === 'incoming'
                          ? html`<span class="known">Asked to be your contact</span>`
                          : html`<button
                        class="button"
                        type="button"
                          ?disabled=${this.busy || tooLong}
                          aria-label="Add ${user.displayName} (@${user.username})"
                          @click=${() => this.add(user.username)}
                        >
                          Add
                        </button>`
                  }
                </li>`,
              )}
          </ul>`
          : null
      }
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
      const contact = await client.requestContact(username, this.message);
      const accepted = contact.status !== 'pending';
      this.added = accepted ? `${contact.peer.displayName} is now in your contacts.` : `Request sent to ${contact.peer.displayName}.`;
      this.query = '';
      this.message = '';
      this.results = [];
      const type = accepted ? 'derbel-contact-added' : 'derbel-contact-requested';
      emit(this, type, { contact });
    } catch (error) {
      this.error = addError(error, username);
    } finally {
      this.busy = false;
    }
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-wrap: wrap;
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
      input.message {
        flex-basis: 100%;
      }
      .hint {
        flex-basis: 100%;
        margin-top: -0.3rem;
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .hint.error {
        color: var(--_danger);
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
