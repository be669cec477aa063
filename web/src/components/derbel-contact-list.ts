import { LitElement, css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { conversationRows, incomingRequests, isOnline } from '../client/state/contacts-state.js';
import type { DerbelClient } from '../client/derbel-client.js';
import { memberName, typingText, type Group } from '../client/state/groups-state.js';
import type { Contact, ContactRequest, User } from '../client/types.js';
import { avatar, groupAvatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import './derbel-confirm.js';
import type { DerbelConfirm } from './derbel-confirm.js';
import { explain } from './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * The user's conversations — contacts and groups together — newest activity first: last message (in a
 * group "Ann: …"), unread badge, online dot, in-call marker;
 * above them the pending requests (incoming with their first message, Accept, Decline and Block, and a
 * count badge; outgoing as "Request sent" with Cancel). Live: follows the client's state.
 *
 * @event derbel-contact-select - A contact was chosen. `detail: { contactId }`. Cancel it to stop the link navigating.
 * @event derbel-contact-added - An incoming request was accepted. `detail: { contact: { id, peer, status } }`.
 * @csspart requests - The requests section.
 * @csspart request - Each request.
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
    busy: { state: true },
    error: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  /** The id of the contact shown as current. */
  declare selected: string | null;
  /** Link pattern for a contact; `{id}` is replaced. */
  declare href: string;
  /** The request being answered. */
  declare busy: string | null;
  declare error: string | null;

  private readonly controller = new ClientController(this, (client) => [
    client.contacts,
    client.contactsLoaded,
    client.typing,
    client.typingPeople,
    client.missedCalls,
  ]);

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.selected = null;
    this.href = '#/contacts/{id}';
    this.busy = null;
    this.error = null;
  }

  render() {
    const client = this.controller.client;
    if (!client?.contactsLoaded.value) return html`<p class="empty" role="status">Loading contacts…</p>`;
    const state = client.contacts.value;
    const me = client.me;
    const typing = client.typing.value;
    const missed = client.missedCalls.value.byContact;
    return html`
      ${this.requestsSection(state.requests, incomingRequests(state).length)}
      ${
        state.contacts.length === 0 && state.groups.length === 0
          ? html`<slot name="empty"><p class="empty">No contacts yet. Add someone by their username.</p></slot>`
          : html`<ul part="list" aria-label="Contacts" data-testid="contact-list">
            ${repeat(
              conversationRows(state, missed),
              (row) => row.id,
              (row) =>
                row.kind === 'group'
                  ? this.groupItem(row.group, me, Object.keys(client.typingPeople.value[row.id] ?? {}), Boolean(missed[row.id]))
                  : this.item(row.contact, isOnline(state, row.contact), Boolean(typing[row.id]), me?.id ?? '', Boolean(missed[row.id])),
            )}
          </ul>`
      }
      <derbel-confirm></derbel-confirm>
    `;
  }

  private requestsSection(requests: ContactRequest[], incoming: number) {
    if (requests.length === 0) return null;
    return html`<section part="requests" class="requests" aria-labelledby="requests-title" data-testid="contact-requests">
      <h2 id="requests-title">
        Requests${
          incoming
            ? html` <span class="badge" data-testid="requests-badge">${incoming}</span><span class="visually-hidden"> waiting for your answer</span>`
            : null
        }
      </h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
      <ul aria-labelledby="requests-title">
        ${repeat(
          requests,
          (request) => request.id,
          (request) => this.request(request),
        )}
      </ul>
    </section>`;
  }

  private request(request: ContactRequest) {
    const name = request.peer.displayName ?? request.peer.username;
    const busy = this.busy === request.id;
    return html`<li part="request" class="request" data-testid="contact-request" data-direction=${request.direction} data-username=${request.peer.username}>
      <div class="request-who">
        ${avatar({ id: request.peer.id, displayName: name })}
        <span class="text">
          <span class="name">${name}</span>
          <span class="preview"
            >${
              request.direction === 'outgoing'
                ? 'Request sent'
                : request.peer.displayName
                  ? `@${request.peer.username} wants to be your contact`
                  : 'wants to be your contact'
            }</span
          >
        </span>
      </div>
      ${request.message ? html`<p class="first-message" data-testid="request-message">${request.message}</p>` : null}
      <div class="actions">
        ${
          request.direction === 'incoming'
            ? html`<button class="button primary" type="button" ?disabled=${busy} aria-label="Accept ${name}" @click=${() => this.answer(request, 'accept')}>
                Accept
              </button>
              <button class="button" type="button" ?disabled=${busy} aria-label="Decline ${name}" @click=${() => this.answer(request, 'decline')}>
                Decline
              </button>
              <button class="button" type="button" ?disabled=${busy} aria-label="Block ${name}" @click=${() => this.answer(request, 'block')}>
                Block
              </button>`
            : html`<button class="button" type="button" ?disabled=${busy} aria-label="Cancel request to ${name}" @click=${() => this.answer(request, 'cancel')}>
              Cancel
            </button>`
        }
      </div>
    </li>`;
  }

  private async answer(request: ContactRequest, action: 'accept' | 'decline' | 'block' | 'cancel') {
    const client = this.controller.client;
    if (!client || this.busy) return;
    const name = request.peer.displayName ?? request.peer.username;
    if (action === 'block') {
      const confirm = this.renderRoot.querySelector<DerbelConfirm>('derbel-confirm');
      const sure = await confirm?.ask({
        title: `Block ${name}?`,
        message: `${name} will not be able to ask you again, message or call you. They are not told. You can unblock them in Settings.`,
        confirmLabel: 'Block',
      });
      if (!sure) return;
    }
    this.busy = request.id;
    this.error = null;
    try {
      if (action === 'accept') {
        const contact = await client.acceptRequest(request.id);
        emit(this, 'derbel-contact-added', { contact });
      } else if (action === 'decline') await client.declineRequest(request.id);
      else if (action === 'cancel') await client.cancelRequest(request.id);
      else await client.block(request.peer.id);
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.busy = null;
    }
  }

  private item(contact: Contact, online: boolean, typing: boolean, myId: string, missedCall: boolean) {
    const current = contact.id === this.selected;
    const unread = contact.unreadCount;
    const preview = typing
      ? 'typing…'
      : missedCall
        ? html`<span class="missed" data-testid="missed-call">Missed call</span>`
        : lastMessagePreview(contact, myId);
    // Said after the visible text (name, preview), so the link's name starts with what is seen.
    const status = [
      online ? 'online' : null,
      missedCall ? 'missed call' : null,
      contact.activeMeeting ? 'in a call' : null,
      unread ? `${unread} unread` : null,
    ]
      .filter(Boolean)
      .join(', ');
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
            ${
              contact.activeMeeting
                ? html`<span class="in-call" data-testid="in-call">${contact.activeMeeting.state === 'ringing' ? 'Ringing' : 'In a call'}</span>`
                : null
            }
            ${unread > 0 ? html`<span part="badge" class="badge" data-testid="unread-badge">${unread > 99 ? '99+' : unread}</span>` : null}
          </span>
        </a>
      </li>
    `;
  }

  private groupItem(group: Group, me: User | null, typists: string[], missedCall: boolean) {
    const current = group.id === this.selected;
    const unread = group.unreadCount;
    const typing = typists.length > 0 && !group.left;
    const preview = typing
      ? typingText(typists.map((id) => memberName(group, id, me)))
      : missedCall
        ? html`<span class="missed" data-testid="missed-call">Missed call</span>`
        : groupPreview(group, me);
    const status = [
      'group',
      group.left && group.lastMessage ? 'you are no longer a member' : null,
      missedCall ? 'missed call' : null,
      group.activeMeeting ? 'in a call' : null,
      unread ? `${unread} unread` : null,
    ]
      .filter(Boolean)
      .join(', ');
    return html`
      <li>
        <a
          part="item"
          class=${current ? 'current' : ''}
          href=${this.href.replace('{id}', encodeURIComponent(group.id))}
          aria-current=${current ? 'page' : 'false'}
          data-testid="contact-item"
          data-kind="group"
          data-contact-id=${group.id}
          @click=${(event: Event) => this.select(event, group.id)}
        >
          <span class="who">${groupAvatar(group)}</span>
          <span class="text">
            <span class="name" data-testid="conversation-name">${group.title || 'Group'}</span>
            <span class="preview ${typing ? 'typing' : ''}" data-testid="conversation-preview">${preview}</span>
          </span>
          <span class="visually-hidden">, ${status}</span>
          <span class="meta" aria-hidden="true">
            ${
              group.activeMeeting
                ? html`<span class="in-call" data-testid="in-call">${group.activeMeeting.state === 'ringing' ? 'Ringing' : 'In a call'}</span>`
                : null
            }
            ${unread > 0 ? html`<span part="badge" class="badge" data-testid="unread-badge">${unread > 99 ? '99+' : unread}</span>` : null}
          </span>
        </a>
      </li>
    `;
  }

  private select(event: Event, contactId: string) {
    const proceed = emit(this, 'derbel-contact-select', { contactId }, { cancelable: true });
    if (!proceed) event.preventDefault();
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: block;
      }
      .requests {
        margin-bottom: 0.75rem;
        padding-bottom: 0.5rem;
        border-bottom: 1px solid var(--_border);
      }
      .requests h2 {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        margin: 0 0 0.4rem;
        padding: 0 0.75rem;
        font-size: 0.85rem;
        font-weight: 700;
        text-transform: uppercase;
        letter-spacing: 0.03em;
        color: var(--_muted);
      }
      .requests ul {
        display: grid;
        gap: 0.4rem;
      }
      .request {
        display: grid;
        gap: 0.4rem;
        padding: 0.6rem 0.75rem;
        border-radius: var(--_radius);
        background: var(--_surface);
      }
      .request-who {
        display: flex;
        align-items: center;
        gap: 0.7rem;
      }
      .first-message {
        margin: 0;
        padding: 0.35rem 0.6rem;
        border-left: 3px solid var(--_accent);
        background: var(--_bg);
        border-radius: 0 var(--_radius) var(--_radius) 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      .actions .button {
        min-height: 2.2rem;
        padding: 0.3rem 0.75rem;
      }
      .requests .error {
        margin: 0 0.75rem 0.4rem;
        font-size: 0.9rem;
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
  return `${message.senderId === myId ? 'You: ' : ''}${message.text || filesPreview(message.attachments ?? [])}`;
}

/** "Ann: see you there", "You: …"; the member count until something is said. */
function groupPreview(group: Group, me: User | null) {
  const message = group.lastMessage;
  if (!message) return group.left ? 'You are no longer a member' : `${group.members.length} members`;
  if (message.deleted) return 'Message deleted';
  return `${memberName(group, message.senderId, me)}: ${message.text || filesPreview(message.attachments ?? [])}`;
}

/** A message of files only reads as its file's name, or how many files it has. */
function filesPreview(attachments: readonly { name: string }[]) {
  if (attachments.length === 0) return '';
  return attachments.length === 1 ? `📎 ${attachments[0]!.name}` : `📎 ${attachments.length} files`;
}

define('derbel-contact-list', DerbelContactList);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-contact-list': DerbelContactList;
  }
}
