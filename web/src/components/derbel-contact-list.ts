import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { isOnline, withMissedCallsOnTop } from '../client/contacts-state.js';
import type { DerbelClient } from '../client/derbel-client.js';
import type { Contact } from '../client/types.js';
import { avatar } from './avatar.js';
import { ClientController } from './client-controller.js';
import { define } from './define.js';
import { tokens } from './styles.js';

/**
 * The user's contacts, newest activity first: last message, unread badge, online dot, in-call marker.
 * Live: follows the client's state.
 *
 * @event derbel-contact-select - A contact was chosen. `detail: { contactId }`. Cancel it to stop the link navigating.
 * @slot empty - Shown when there are no contacts yet.
 * @csspart list - The list.
 * @attr selected - Id of the contact shown as current.
 * @attr href - Link pattern for a contact, `{id}` replaced (default `#/contacts/{id}`).
 * @csspart item - Each contact's link.
 * @csspart badge - The unread badge.
 * @csspart presence - The online dot.
 * @cssproperty --derbel-accent - Badge and selection colour.
 * @cssproperty --derbel-success - Online dot colour.
 */
export class DerbelContactList extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    selected: { type: String },
    href: { type: String },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  /** The id of the contact shown as current. */
  declare selected: string | null;
  /** Link pattern for a contact; `{id}` is replaced. */
  declare href: string;

  private readonly controller = new ClientController(this, (client) => [client.contacts, client.contactsLoaded, client.typing, client.missedCalls]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.selected = null;
    this.href = '#/contacts/{id}';
  }

  render() {
    const client = this.controller.client;
    if (!client?.contactsLoaded.value) return html`<p class="empty" role="status">Loading contacts…</p>`;
    const state = client.contacts.value;
    if (state.contacts.length === 0) {
      return html`<slot name="empty"><p class="empty">No contacts yet. Add someone by their username.</p></slot>`;
    }
    const me = client.me;
    const typing = client.typing.value;
    const missed = client.missedCalls.value.byContact;
    return html`
      <ul part="list" aria-label="Contacts" data-testid="contact-list">
        ${repeat(
          withMissedCallsOnTop(state.contacts, missed),
          (contact) => contact.id,
          (contact) => this.item(contact, isOnline(state, contact), Boolean(typing[contact.id]), me?.id ?? '', Boolean(missed[contact.id])),
        )}
      </ul>
    `;
  }

  private item(contact: Contact, online: boolean, typing: boolean, myId: string, missedCall: boolean) {
    const current = contact.id === this.selected;
    const unread = contact.unreadCount;
    const preview = typing ? 'typing…' : missedCall ? html`<span class="missed" data-testid="missed-call">Missed call</span>` : lastMessagePreview(contact, myId);
    // Said after the visible text (name, preview), so the link's name starts with what is seen.
    const status = [
      online ? 'online' : null,
      missedCall ? 'missed call' : null,
      contact.activeMeeting ? 'in a call' : null,
      unread ? `${unread} unread` : null,
    ].filter(Boolean).join(', ');
    return html`
      <li>
        <a
          part="item"
          class=${current ? 'current' : ''}
          href=${this.href.replace('{id}', encodeURIComponent(contact.id))}
          aria-current=${current ? 'page' : 'false'}
          data-testid="contact-item"
          data-contact-id=${contact.id}
          data-username=${contact.peer.username}
          @click=${(event: Event) => this.select(event, contact.id)}
        >
          <span class="who">
            ${avatar(contact.peer)}
            <span part="presence" class="presence ${online ? 'online' : ''}" data-testid="presence" data-online=${String(online)}></span>
          </span>
          <span class="text">
            <span class="name">${contact.peer.displayName}</span>
            <span class="preview ${typing ? 'typing' : ''}">${preview}</span>
          </span>
          ${status ? html`<span class="visually-hidden">, ${status}</span>` : null}
          <span class="meta" aria-hidden="true">
            ${contact.activeMeeting
              ? html`<span class="in-call" data-testid="in-call">${contact.activeMeeting.state === 'ringing' ? 'Ringing' : 'In a call'}</span>`
              : null}
            ${unread > 0 ? html`<span part="badge" class="badge" data-testid="unread-badge">${unread > 99 ? '99+' : unread}</span>` : null}
          </span>
        </a>
      </li>
    `;
  }

  private select(event: Event, contactId: string) {
    const proceed = this.dispatchEvent(
      new CustomEvent('derbel-contact-select', { detail: { contactId }, bubbles: true, composed: true, cancelable: true }),
    );
    if (!proceed) event.preventDefault();
  }

  static styles = [
    tokens,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      a {
        display: flex;
        align-items: center;
        gap: 0.7rem;
        padding: 0.6rem 0.75rem;
        color: inherit;
        text-decoration: none;
        border-radius: var(--_radius);
      }
      a:hover {
        background: var(--_surface);
      }
      a.current {
        background: color-mix(in srgb, var(--_accent) 12%, var(--_bg));
      }
      .who {
        position: relative;
        display: inline-flex;
      }
      .presence {
        position: absolute;
        right: -1px;
        bottom: -1px;
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 50%;
        border: 2px solid var(--_bg);
        background: var(--_border);
      }
      .presence.online {
        background: var(--_success);
      }
      .text {
        display: grid;
        min-width: 0;
        flex: 1;
      }
      .name {
        font-weight: 600;
      }
      .preview {
        color: var(--_muted);
        font-size: 0.9rem;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .missed {
        color: var(--_danger);
        font-weight: 600;
      }
      .preview.typing {
        color: var(--_accent);
        font-style: italic;
      }
      .meta {
        display: grid;
        justify-items: end;
        gap: 0.2rem;
      }
      .badge {
        min-width: 1.4rem;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: var(--_accent);
        color: var(--_accent-text);
        font-size: 0.8rem;
        font-weight: 600;
        text-align: center;
      }
      .in-call {
        font-size: 0.75rem;
        color: var(--_success-text);
        font-weight: 600;
      }
      .empty {
        padding: 1rem;
        color: var(--_muted);
      }
    `,
  ];
}

function lastMessagePreview(contact: Contact, myId: string) {
  const message = contact.lastMessage;
  if (!message) return `@${contact.peer.username}`;
  if (message.deleted) return 'Message deleted';
  return `${message.senderId === myId ? 'You: ' : ''}${message.text}`;
}

define('derbel-contact-list', DerbelContactList);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-contact-list': DerbelContactList;
  }
}
