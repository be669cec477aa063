import { LitElement, css, html, nothing } from 'lit';
import type { DerbelClient } from '../client/derbel-client.js';
import type { ActiveSession } from '../client/transport/rest-client.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { itemList } from './internal/item-list-styles.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * The user's active sessions: this device, and the others with the browser and address they were opened
 * from and when they were last active; any of them can be signed out, or all at once.
 *
 * @csspart list - The list.
 * @csspart item - Each session.
 */
export class DerbelSessions extends LitElement {
  static properties = {
    client: { attribute: false },
    sessions: { state: true },
    error: { state: true },
  };

  declare client: DerbelClient | null;
  declare sessions: ActiveSession[] | null;
  declare error: string | null;

  private readonly controller = new ClientController(
    this,
    () => [],
    (client) => void this.load(client),
    true,
  );

  constructor() {
    super();
    this.client = null;
    this.sessions = null;
    this.error = null;
  }

  private async load(client: DerbelClient) {
    if (client.session.value.status !== 'signed-in') return;
    try {
      this.sessions = (await client.api.listSessions()).sessions;
      this.error = null;
    } catch (error) {
      this.error = explain(error);
    }
  }

  render() {
    const client = this.controller.client;
    if (!client) return nothing;
    return html`
      <h2>Your sessions</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.sessions === null
          ? html`<p role="status">Loading sessions…</p>`
          : html`<ul part="list" aria-label="Active sessions" data-testid="session-list">
            ${this.sessions.map((session) => this.item(client, session))}
          </ul>`
      }
      <button class="button danger" type="button" data-testid="sign-out-everywhere" @click=${() => void client.signOutEverywhere()}>
        Sign out everywhere
      </button>
    `;
  }

  private item(client: DerbelClient, session: ActiveSession) {
    const lastActive = new Date(session.lastActiveAt);
    return html`<li part="item" data-testid="session" data-current=${String(session.current)}>
      <span class="text">
        <span class="device">${session.current ? 'This device' : describeBrowser(session.userAgent)}</span>
        <span class="detail"
          >${session.address ?? 'unknown address'} · active
          <time datetime=${session.lastActiveAt}>${lastActive.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time></span
        >
      </span>
      ${
        session.current
          ? nothing
          : html`<button class="button" type="button" aria-label="Sign out ${describeBrowser(session.userAgent)}" @click=${() => void this.end(client, session.id)}>
            Sign out
          </button>`
      }
    </li>`;
  }

  private async end(client: DerbelClient, sessionId: string) {
    try {
      await client.api.endSession(sessionId);
      await this.load(client);
    } catch (error) {
      this.error = explain(error);
    }
  }

  static styles = [
    tokens,
    buttons,
    forms,
    itemList,
    css`
      .device {
        font-weight: 600;
      }
      .detail {
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .error {
        color: var(--derbel-danger, #b3261e);
      }
    `,
  ];
}

/** A short name for a browser from its user agent ("Chrome on Linux"), or the raw string when unknown. */
export function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : null;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  if (!browser) return userAgent.slice(0, 60);
  return system ? `${browser} on ${system}` : browser;
}

define('derbel-sessions', DerbelSessions);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-sessions': DerbelSessions;
  }
}
