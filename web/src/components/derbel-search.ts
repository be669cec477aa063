import { LitElement, css, html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { knownUser } from '../client/state/contacts-state.js';
import { memberName } from '../client/state/groups-state.js';
import { highlightSegments } from '../client/highlights.js';
import { dayLabel, timeOfDay } from '../client/message-days.js';
import type { SearchResult } from '../client/types.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

const DEBOUNCE_MS = 200;
const PAGE = 20;
/** At least this many letters or digits before searching: one letter matches nearly everything. */
const MIN_CHARACTERS = 2;
const searchable = (query: string) => (query.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_CHARACTERS;

/** Whether a key press landed in something one types into (where "/" is a character, not a shortcut). */
function typingIn(event: KeyboardEvent) {
  const target = event.composedPath()[0] as HTMLElement | undefined;
  return Boolean(target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)));
}

/**
 * Message search as you type: a combobox whose results (a listbox) show the conversation, the sender, the
 * date and the matching excerpt with the matched words marked. Arrow keys move through the results, Enter
 * opens one, Escape closes them (then clears the field); with `shortcuts`, Ctrl+K / ⌘K, or "/" outside a
 * text field, focus the field from anywhere on the page. "Load more" reads the next page. With `conversation-id` set (the
 * open conversation), "In this conversation" narrows the search to it.
 *
 * @event derbel-search-result - A result was chosen. `detail: { conversationId, messageId }`.
 * @csspart input - The search field.
 * @csspart results - The list of results.
 * @cssproperty --derbel-accent - Colour of the marked words and the active result.
 * @attr server - Api server origin when used outside `<derbel-app>`.
 * @attr conversation-id - The conversation open beside the search, offered as a filter.
 * @attr shortcuts - Ctrl+K / ⌘K and "/" focus the search field (off by default: an embed leaves the host page's keys alone).
 */
export class DerbelSearch extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    conversationId: { type: String, attribute: 'conversation-id' },
    shortcuts: { type: Boolean },
    query: { state: true },
    onlyHere: { state: true },
    expanded: { state: true },
    results: { state: true },
    next: { state: true },
    status: { state: true },
    error: { state: true },
    active: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare conversationId: string | null;
  /** Ctrl+K / ⌘K and "/" focus the field from anywhere on the page (the app sets it; an embed leaves the host's keys alone). */
  declare shortcuts: boolean;
  declare query: string;
  /** Search only the open conversation. */
  declare onlyHere: boolean;
  declare expanded: boolean;
  declare results: SearchResult[];
  /** The cursor of the next page, when there is one. */
  declare next: string | null;
  declare status: 'idle' | 'searching' | 'done' | 'more' | 'error';
  declare error: string | null;
  /** Index of the highlighted result (keyboard), -1 for none. */
  declare active: number;

  private readonly controller = new ClientController(this, (client) => [client.contacts]);
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Answers to superseded searches are dropped. */
  private seq = 0;

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.conversationId = null;
    this.shortcuts = false;
    this.query = '';
    this.onlyHere = false;
    this.expanded = false;
    this.results = [];
    this.next = null;
    this.status = 'idle';
    this.error = null;
    this.active = -1;
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('keydown', this.onShortcut);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onShortcut);
    if (this.timer) clearTimeout(this.timer);
  }

  /** Puts the cursor in the search field (its text selected, to type a new search over it). */
  focus() {
    const input = this.input;
    input?.focus();
    input?.select();
    this.expanded = true;
  }

  private get input() {
    return this.renderRoot.querySelector<HTMLInputElement>('input[role="combobox"]');
  }

  private readonly onShortcut = (event: KeyboardEvent) => {
    const modifier = event.ctrlKey || event.metaKey;
    const shortcut =
      (modifier && !event.altKey && event.key.toLowerCase() === 'k') ||
      (event.key === '/' && !modifier && !event.altKey && !typingIn(event));
    if (!this.shortcuts || !shortcut || event.defaultPrevented) return;
    event.preventDefault();
    this.focus();
  };

  protected willUpdate(changed: Map<string, unknown>) {
    // Another conversation opened: the filter was about the previous one.
    if (changed.has('conversationId') && changed.get('conversationId') !== undefined && this.onlyHere) {
      this.onlyHere = false;
      this.schedule(0);
    }
  }

  render() {
    const showing = this.expanded && searchable(this.query);
    const listed = showing && this.results.length > 0;
    const here = this.conversationId ? this.conversationName(this.conversationId) : null;
    return html`
      <div class="box" role="search" @focusout=${this.onFocusOut}>
        <input
          part="input"
          class="control"
          type="search"
          role="combobox"
          aria-label="Search messages"
          placeholder="Search messages (Ctrl+K)"
          autocomplete="off"
          spellcheck="false"
          aria-autocomplete="list"
          aria-expanded=${String(listed)}
          aria-controls=${ifDefined(listed ? 'search-results' : undefined)}
          aria-activedescendant=${ifDefined(listed && this.active >= 0 ? `search-result-${this.active}` : undefined)}
          aria-describedby="search-status"
          aria-keyshortcuts="Control+K Meta+K /"
          .value=${this.query}
          @input=${this.onInput}
          @keydown=${this.onKeyDown}
          @focus=${() => (this.expanded = true)}
          data-testid="search-input"
        />
        ${
          here && this.expanded
            ? html`<label class="filter"
                ><input type="checkbox" .checked=${this.onlyHere} @change=${this.toggleOnlyHere} data-testid="search-only-here" /> In this
                conversation (${here})</label
              >`
            : nothing
        }
        ${
          listed
            ? html`<ul
                id="search-results"
                part="results"
                role="listbox"
                aria-label="Messages found"
                @mousedown=${(event: MouseEvent) => event.preventDefault()}
                data-testid="search-results"
              >
                ${this.results.map((result, index) => this.option(result, index))}
              </ul>`
            : nothing
        }
        <p id="search-status" class="status" role="status" data-testid="search-status">${this.statusText(showing)}</p>
        ${
          listed && this.next
            ? html`<button class="button link more" type="button" aria-disabled=${String(this.status === 'more')} @click=${this.loadMore} data-testid="search-more">
                ${this.status === 'more' ? 'Loading…' : 'Load more'}
              </button>`
            : nothing
        }
      </div>
    `;
  }

  private option(result: SearchResult, index: number) {
    const conversation = this.conversationName(result.conversationId) ?? 'A conversation';
    const sentAt = new Date(result.message.sentAt);
    // Keys reach the options through the field (combobox: aria-activedescendant), not each option.
    /* eslint-disable lit-a11y/click-events-have-key-events */
    return html`<li
      id="search-result-${index}"
      role="option"
      aria-selected=${String(index === this.active)}
      class=${index === this.active ? 'active' : ''}
      @click=${() => this.choose(index)}
      data-testid="search-result"
      data-message-id=${result.message.id}
    >
      <span class="where">
        <span class="conversation">${conversation}</span>
        <time datetime=${result.message.sentAt} title=${sentAt.toLocaleString()}>${dayLabel(sentAt, new Date())}, ${timeOfDay(result.message.sentAt)}</time>
      </span>
      <span class="snippet"
        ><span class="sender">${this.senderName(result)}:</span> ${highlightSegments(result.snippet.text, result.snippet.highlights).map(
          (segment) => (segment.highlighted ? html`<mark>${segment.text}</mark>` : segment.text),
        )}</span
      >
    </li>`;
    /* eslint-enable lit-a11y/click-events-have-key-events */
  }

  /** A group's title, a direct conversation's peer; null when the client does not know it (yet). */
  private conversationName(conversationId: string) {
    const client = this.controller.client;
    const group = client?.group(conversationId);
    if (group) return group.title || 'Group';
    return client?.contact(conversationId)?.peer.displayName ?? null;
  }

  private senderName(result: SearchResult) {
    const client = this.controller.client;
    if (!client) return 'Someone';
    const group = client.group(result.conversationId);
    if (group) return memberName(group, result.message.senderId, client.me);
    if (result.message.senderId === client.me?.id) return 'You';
    return knownUser(client.contacts.value, result.message.senderId)?.displayName ?? 'Someone';
  }

  private statusText(showing: boolean) {
    if (!this.expanded) return '';
    if (!showing) return this.query.trim() ? 'Type at least two letters.' : 'Search your messages: type a word or the start of one.';
    if (this.status === 'error') return this.error ?? 'Search failed.';
    if (this.status === 'searching' && this.results.length === 0) return 'Searching…';
    if (this.results.length === 0 && this.status === 'done') return `No messages match “${this.query.trim()}”.`;
    const count = `${this.results.length}${this.next ? '+' : ''} ${this.results.length === 1 && !this.next ? 'message' : 'messages'}`;
    return `${count} found. Up and down arrows to choose, Enter to open.`;
  }

  private onInput(event: InputEvent) {
    this.query = (event.target as HTMLInputElement).value;
    this.expanded = true;
    this.schedule(DEBOUNCE_MS);
  }

  private toggleOnlyHere(event: Event) {
    this.onlyHere = (event.target as HTMLInputElement).checked;
    this.schedule(0);
  }

  private schedule(delay: number) {
    if (this.timer) clearTimeout(this.timer);
    this.seq++;
    if (!searchable(this.query)) {
      this.results = [];
      this.next = null;
      this.status = 'idle';
      this.active = -1;
      return;
    }
    this.status = 'searching';
    this.timer = setTimeout(() => void this.search(), delay);
  }

  private async search(cursor?: string) {
    const client = this.controller.client;
    if (!client) return;
    const seq = cursor ? this.seq : ++this.seq;
    const conversationId = this.onlyHere && this.conversationId ? this.conversationId : undefined;
    try {
      const page = await client.searchMessages(this.query.trim(), { conversationId, cursor, limit: PAGE });
      if (seq !== this.seq) return;
      this.results = cursor ? [...this.results, ...page.results] : page.results;
      this.next = page.next;
      this.status = 'done';
      if (!cursor) this.active = -1;
    } catch (error) {
      if (seq !== this.seq) return;
      this.status = 'error';
      this.error = (error as { code?: string }).code === 'RATE_LIMITED' ? 'Too many searches at once: wait a moment.' : explain(error);
    }
  }

  private loadMore() {
    if (!this.next || this.status === 'more') return;
    this.status = 'more';
    void this.search(this.next);
  }

  private onKeyDown(event: KeyboardEvent) {
    const count = this.results.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      this.expanded = true;
      if (count === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      // Past either end, back to the field (-1).
      this.active = this.active + step < -1 ? count - 1 : this.active + step >= count ? -1 : this.active + step;
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector(`#search-result-${this.active}`)?.scrollIntoView({ block: 'nearest' }),
      );
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (this.expanded && count > 0) this.choose(Math.max(0, this.active));
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (this.expanded && this.query) this.expanded = false;
      else {
        this.query = '';
        this.schedule(0);
        this.input?.blur();
      }
    }
  }

  private onFocusOut(event: FocusEvent) {
    const box = event.currentTarget as HTMLElement;
    if (!box.contains(event.relatedTarget as Node | null)) this.expanded = false;
  }

  private choose(index: number) {
    const result = this.results[index];
    if (!result) return;
    this.active = index;
    this.expanded = false;
    emit(this, 'derbel-search-result', { conversationId: result.conversationId, messageId: result.message.id });
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
      }
      .box {
        display: grid;
        gap: 0.4rem;
      }
      input[type='search'] {
        width: 100%;
      }
      .filter {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        font-size: 0.85rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0.25rem;
        display: grid;
        gap: 0.15rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
      }
      li {
        display: grid;
        gap: 0.15rem;
        padding: 0.45rem 0.55rem;
        border-radius: calc(var(--_radius) - 4px);
        cursor: pointer;
        overflow-wrap: anywhere;
      }
      li:hover,
      li.active {
        background: var(--_surface);
      }
      li.active {
        box-shadow: inset 3px 0 0 var(--_accent);
      }
      .where {
        display: flex;
        justify-content: space-between;
        gap: 0.5rem;
        font-size: 0.8rem;
      }
      .conversation {
        font-weight: 700;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      time,
      .sender {
        color: var(--_muted);
      }
      time {
        flex: none;
      }
      .snippet {
        font-size: 0.9rem;
      }
      mark {
        background: color-mix(in srgb, var(--_accent) 28%, transparent);
        color: inherit;
        border-radius: 2px;
        font-weight: 600;
      }
      .status {
        margin: 0;
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .status:empty {
        display: none;
      }
      .more {
        justify-self: start;
      }
    `,
  ];
}

define('derbel-search', DerbelSearch);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-search': DerbelSearch;
  }
}
