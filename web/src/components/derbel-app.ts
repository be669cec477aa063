import { ContextProvider } from '@lit/context';
import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { DerbelClient } from '../client/derbel-client.js';
import { DesktopNotifications } from '../client/desktop-notifications.js';
import { browserStore, type KeyValueStore } from '../client/key-value-store.js';
import type { SessionState } from '../client/state/session-state.js';
import { avatar } from './internal/avatar.js';
import { showAttentionOnPage } from './internal/page-badge.js';
import { clientContext } from './internal/context.js';
import { define } from './internal/define.js';
import { type DerbelEvent } from './internal/events.js';
import './derbel-add-contact.js';
import './derbel-blocked-users.js';
import './derbel-call-log.js';
import './derbel-call-overlay.js';
import './derbel-connection-banner.js';
import './derbel-contact-list.js';
import './derbel-new-group.js';
import './derbel-notice.js';
import './derbel-conversation.js';
import './derbel-search.js';
import './derbel-sessions.js';
import './derbel-sign-in.js';
import { buttons, forms, palette, tokens } from './internal/styles.js';

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'derbel.theme';
const savedTheme = (local: KeyValueStore): Theme => {
  const saved = local.getItem(THEME_KEY);
  return saved === 'light' || saved === 'dark' ? saved : 'system';
};

type Route = { page: 'home' } | { page: 'contact'; contactId: string } | { page: 'calls' } | { page: 'settings' };

function parseRoute(hash: string): Route {
  const contact = hash.match(/^#\/contacts\/([^/]+)$/);
  if (contact) return { page: 'contact', contactId: decodeURIComponent(contact[1]) };
  if (hash === '#/calls') return { page: 'calls' };
  // `#/sessions` was the sessions page before it became part of Settings.
  if (hash === '#/settings' || hash === '#/sessions') return { page: 'settings' };
  return { page: 'home' };
}

/**
 * The whole product: sign-in, then contacts beside the open conversation (or the call log), the
 * connection banner, and calls above everything. Provides the client and the session to every
 * element inside it through `@lit/context`. Message search (Ctrl+K or "/") sits on top of the contacts and
 * opens a result's conversation at the message. Routes by the URL hash (`#/contacts/<id>`, `#/calls`,
 * `#/settings`: sessions and blocked users). A conversation whose contact ends closes.
 *
 * @slot brand - Replaces the product name in the header.
 * @csspart header - The top bar.
 * @attr server - Api server origin (the page's own when absent).
 * @csspart sidebar - The contacts column.
 * @csspart main - The conversation or call log.
 * @cssproperty --derbel-accent - Main colour of the whole app.
 * @cssproperty --derbel-background - Page background.
 * @attr theme - `light` or `dark` overrides the system's colour scheme; the user's choice in the header sets it.
 */
export class DerbelApp extends LitElement {
  static properties = {
    server: { type: String },
    route: { state: true },
    session: { state: true },
    theme: { type: String, reflect: true },
  };

  /** Api server origin; the page's own when empty. */
  declare server: string | null;
  declare route: Route;
  declare session: SessionState;
  /** `system` follows `prefers-color-scheme`; `light` or `dark` override it. Kept per device. */
  declare theme: Theme;

  readonly client: DerbelClient;
  private readonly local = browserStore('localStorage');
  readonly notifications = new DesktopNotifications(this.local);
  private readonly clientProvider = new ContextProvider(this, { context: clientContext });
  private undo: Array<() => void> = [];
  private onHash = () => (this.route = parseRoute(location.hash));

  constructor() {
    super();
    this.server = this.getAttribute('server');
    this.route = parseRoute(location.hash);
    this.client = new DerbelClient({ server: this.server ?? '' });
    this.session = this.client.session.value;
    this.theme = (this.getAttribute('theme') as Theme | null) ?? savedTheme(this.local);
    this.clientProvider.setValue(this.client);
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    this.undo.push(
      this.client.session.subscribe((session) => {
        this.session = session;
      }),
      this.client.missedCalls.subscribe(() => this.requestUpdate()),
      this.notifications.enabled.subscribe(() => this.requestUpdate()),
      this.notifications.watch(this.client),
      showAttentionOnPage(this.client),
    );
    if (this.client.session.value.status === 'restoring') void this.client.restore();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    for (const undo of this.undo.splice(0)) undo();
  }

  render() {
    const session = this.session;
    if (session.status === 'restoring') return html`<p class="loading" role="status">Loading Derbel…</p>`;
    if (session.status === 'signed-out') {
      return html`<main class="signed-out">
        <derbel-sign-in reason=${session.reason === 'signed-out' ? '' : (session.reason ?? '')}></derbel-sign-in>
        ${
          session.reason === 'unreachable'
            ? html`<p class="retry"><button class="button" type="button" @click=${() => void this.client.restore()}>Try again</button></p>`
            : nothing
        }
      </main>`;
    }
    const route = this.route;
    const detail = route.page !== 'home';
    const missedCount = this.client.missedCalls.value.inLog;
    return html`
      <header part="header">
        <slot name="brand"><a class="brand" href="#/">Derbel</a></slot>
        <nav aria-label="Main">
          <a href="#/calls" aria-current=${route.page === 'calls' ? 'page' : 'false'} data-testid="calls-link"
            >Calls${
              missedCount
                ? html` <span class="badge" data-testid="calls-badge">${missedCount}</span><span class="visually-hidden"> missed</span>`
                : nothing
            }</a
          >
          <a href="#/settings" aria-current=${route.page === 'settings' ? 'page' : 'false'} data-testid="settings-link">Settings</a>
        </nav>
        ${
          DesktopNotifications.supported()
            ? html`<button
              class="button"
              type="button"
              aria-pressed=${String(this.notifications.enabled.value)}
              title="Desktop notifications while Derbel is in the background"
              @click=${this.toggleNotifications}
              data-testid="notifications-toggle"
            >
              Notifications
            </button>`
            : nothing
        }
        <label class="theme"
          ><span class="visually-hidden">Theme</span>
          <select data-testid="theme" .value=${live(this.theme)} @change=${this.chooseTheme}>
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select></label
        >
        <span class="me" data-testid="signed-in-as">${avatar(session.user, 1.8)}<span class="me-name">${session.user.displayName}</span></span>
        <button class="button" type="button" @click=${() => void this.client.signOut()} data-testid="sign-out">Sign out</button>
      </header>
      <derbel-connection-banner></derbel-connection-banner>
      <derbel-notice></derbel-notice>
      <div class="layout ${detail ? 'detail' : ''}">
        <aside part="sidebar" aria-label="Contacts">
          <derbel-search
            shortcuts
            conversation-id=${route.page === 'contact' ? route.contactId : ''}
            @derbel-search-result=${this.openSearchResult}
          ></derbel-search>
          <derbel-add-contact></derbel-add-contact>
          <derbel-new-group @derbel-group-created=${this.openGroup}></derbel-new-group>
          <derbel-contact-list selected=${route.page === 'contact' ? route.contactId : ''} @derbel-contact-added=${this.openAccepted}></derbel-contact-list>
        </aside>
        <main part="main">
          ${
            route.page === 'contact'
              ? html`<derbel-conversation
                contact-id=${route.contactId}
                back-button
                @derbel-back=${this.home}
                @derbel-contact-ended=${this.contactEnded}
              ></derbel-conversation>`
              : route.page === 'calls'
                ? html`<button class="button back" type="button" @click=${this.home}>← Contacts</button><derbel-call-log></derbel-call-log>`
                : route.page === 'settings'
                  ? html`<button class="button back" type="button" @click=${this.home}>← Contacts</button>
                    <h1 class="visually-hidden">Settings</h1>
                    <derbel-sessions></derbel-sessions>
                    <derbel-blocked-users></derbel-blocked-users>`
                  : html`<p class="pick">Pick a contact to start a conversation, or add someone by their username.</p>`
          }
        </main>
      </div>
      <derbel-call-overlay></derbel-call-overlay>
    `;
  }

  private chooseTheme(event: Event) {
    this.theme = (event.target as HTMLSelectElement).value as Theme;
    try {
      this.local.setItem(THEME_KEY, this.theme);
    } catch {
      /* kept for this page only */
    }
  }

  private async toggleNotifications() {
    if (this.notifications.enabled.value) return this.notifications.disable();
    if (!(await this.notifications.enable())) this.client.notice.set('Notifications are blocked for this site in your browser settings.');
  }

  private home() {
    location.hash = '#/';
  }

  /** A group just made opens. */
  private openGroup(event: DerbelEvent<'derbel-group-created'>) {
    location.hash = `#/contacts/${encodeURIComponent(event.detail.groupId)}`;
  }

  /** A search result opens its conversation at the message. */
  private async openSearchResult(event: DerbelEvent<'derbel-search-result'>) {
    const { conversationId, messageId } = event.detail;
    location.hash = `#/contacts/${encodeURIComponent(conversationId)}`;
    this.route = parseRoute(location.hash);
    await this.updateComplete;
    await this.renderRoot.querySelector('derbel-conversation')?.revealMessage(messageId);
  }

  /** An accepted request opens its conversation. */
  private openAccepted(event: DerbelEvent<'derbel-contact-added'>) {
    location.hash = `#/contacts/${encodeURIComponent(event.detail.contact.id)}`;
  }

  /** The open conversation's contact was removed or blocked: back to the list, saying why unless it was the user's doing. */
  private contactEnded(event: DerbelEvent<'derbel-contact-ended'>) {
    const peer = (event.target as HTMLElement & { ended?: string | null }).ended;
    if (!event.detail.byMe && peer) this.client.notice.set(`${peer} is no longer in your contacts.`);
    this.home();
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host([theme='light']) {
        ${palette('light')}
      }
      :host([theme='dark']) {
        ${palette('dark')}
      }
    `,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 100dvh;
        background: var(--_bg);
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        padding: 0.5rem 1rem;
        border-bottom: 1px solid var(--_border);
      }
      .brand {
        font-weight: 800;
        font-size: 1.2rem;
        color: var(--_accent);
        text-decoration: none;
      }
      nav {
        flex: 1;
      }
      nav a {
        color: inherit;
      }
      nav a[aria-current='page'] {
        font-weight: 700;
      }
      .badge {
        display: inline-block;
        min-width: 1.3em;
        padding: 0 0.35em;
        border-radius: 999px;
        background: var(--_danger);
        color: #fff;
        font-size: 0.8rem;
        font-weight: 700;
        text-align: center;
      }
      .me {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
      }
      .layout {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(16rem, 22rem) 1fr;
      }
      aside {
        border-right: 1px solid var(--_border);
        overflow-y: auto;
        padding: 0.75rem;
        display: grid;
        align-content: start;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.75rem;
      }
      main {
        min-width: 0;
        min-height: 0;
        display: flex;
        flex-direction: column;
        overflow: auto;
      }
      derbel-conversation {
        flex: 1;
      }
      .pick,
      .loading {
        margin: auto;
        padding: 2rem;
        color: var(--_muted);
        text-align: center;
      }
      .back {
        display: none;
        align-self: flex-start;
        margin: 0.5rem;
      }
      .signed-out {
        padding: 1rem;
      }
      .retry {
        text-align: center;
      }
      @media (min-width: 48.01rem) {
        derbel-conversation::part(back) {
          display: none;
        }
      }
      @media (max-width: 48rem) {
        .layout {
          grid-template-columns: 1fr;
        }
        .layout.detail aside {
          display: none;
        }
        .layout:not(.detail) main {
          display: none;
        }
        aside {
          border-right: none;
        }
        .back {
          display: inline-flex;
        }
        .me-name {
          display: none;
        }
      }
    `,
  ];
}

define('derbel-app', DerbelApp);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-app': DerbelApp;
  }
}
