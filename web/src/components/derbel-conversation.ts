import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { ApiError } from '../client/transport/api-error.js';
import { isOnline } from '../client/state/contacts-state.js';
import { seenMessageId, shownMessages, type ShownMessage } from '../client/state/conversation-state.js';
import type { ContactEnded, DerbelClient } from '../client/derbel-client.js';
import { formatDuration, groupByDay, timeOfDay } from '../client/message-days.js';
import { memberName, noteText, seenByCount, typingText, type Group } from '../client/state/groups-state.js';
import { quoteOf, quoteView } from '../client/reply-quotes.js';
import { timeline, withNotes, type NoteItem, type TimelineItem } from '../client/timeline.js';
import { hasReacted, reactionChips, reactionProblem } from '../client/reactions.js';
import type { CallRecord, Contact, ReplyQuote, User } from '../client/types.js';
import { avatar, groupAvatar } from './internal/avatar.js';
import { ClientController } from './internal/client-controller.js';
import { define } from './internal/define.js';
import { emit, type DerbelEvent } from './internal/events.js';
import { phoneIcon, phoneMissedIcon } from './internal/icons.js';
import './derbel-call-button.js';
import './derbel-composer.js';
import './derbel-confirm.js';
import type { DerbelConfirm } from './derbel-confirm.js';
import './derbel-group-members.js';
import './derbel-message.js';
import type { DerbelMessage } from './derbel-message.js';
import './derbel-reaction-picker.js';
import type { DerbelReactionPicker } from './derbel-reaction-picker.js';
import { explain } from './derbel-sign-in.js';
import './derbel-sign-in.js';
import { buttons, forms, tokens } from './internal/styles.js';

/** How long a message jumped to stays marked. */
const HIGHLIGHT_MS = 3_000;

/**
 * A conversation with one contact or a group: history (older pages load on scrolling up), day separators,
 * calls, typing indicator, read receipt, and the composer; the header's menu removes or blocks the
 * contact (each confirmed first). When the contact ends (either side), the conversation closes.
 * A group shows its title and member count (a button opening `<derbel-group-members>`), the sender's
 * name above their messages, membership changes as lines in the timeline, "Seen by N", who is typing,
 * from when the user joined; once the user left or was removed, what they saw stays readable with the
 * composer disabled.
 * Embeddable: `<derbel-conversation server="https://derbel.example" contact-id="…">`.
 *
 * @event derbel-contact-ended - The contact was removed or blocked (by either side). `detail: { contactId, byMe }`.
 * @event derbel-back - The back button (shown with `back-button`) was pressed.
 * @slot header-actions - Extra controls in the header, after the call button.
 * @csspart header - The header with the peer's name.
 * @csspart menu - The header's menu (Remove contact, Block).
 * @csspart back - The back button.
 * @csspart messages - The scrolling message log.
 * @csspart composer - The composer.
 * @csspart day - A day separator.
 * @attr server - Api server origin when embedded on another page.
 * @attr contact-id - The conversation to show.
 * @attr back-button - Show a back button in the header.
 * @cssproperty --derbel-own-bubble - Background of own messages.
 * @cssproperty --derbel-peer-bubble - Background of the peer's messages.
 */
export class DerbelConversation extends LitElement {
  static properties = {
    server: { type: String },
    client: { attribute: false },
    contactId: { type: String, attribute: 'contact-id' },
    backButton: { type: Boolean, attribute: 'back-button' },
    error: { state: true },
    loadingOlder: { state: true },
    menuOpen: { state: true },
    ended: { state: true },
    membersOpen: { state: true },
  };

  declare server: string | null;
  declare client: DerbelClient | null;
  declare contactId: string | null;
  /** Show a back button in the header (phone layout). */
  declare backButton: boolean;
  declare error: string | null;
  declare loadingOlder: boolean;
  declare menuOpen: boolean;
  /** Who this conversation was with, once the contact ended while it was shown. */
  declare ended: string | null;
  /** The group's members panel is shown. */
  declare membersOpen: boolean;

  private readonly controller = new ClientController(
    this,
    (client) => [
      client.contacts,
      client.contactsLoaded,
      client.typing,
      client.typingPeople,
      client.outboxEntries,
      client.callsLog.state,
      client.missedCalls,
      ...(this.contactId ? [client.conversations.of(this.contactId)] : []),
    ],
    (client) => {
      this.stopWatchingEnds?.();
      this.stopWatchingEnds = client.events.on('contact-ended', (ended) => this.contactEnded(ended));
      this.open();
    },
  );
  private stopWatchingEnds: (() => void) | null = null;
  /** The conversation whose history was asked for. */
  private loadRequested: string | null = null;
  private groupLoadRetries = 0;
  private scrollMemory: { height: number; top: number; atBottom: boolean; lastId: string | undefined } | null = null;
  private lastMarked: string | null = null;
  private highlightTimer: ReturnType<typeof setTimeout> | null = null;
  private sessionStatus: string | undefined;
  private onVisibility = () => this.markRead();

  constructor() {
    super();
    this.server = null;
    this.client = null;
    this.contactId = null;
    this.backButton = false;
    this.error = null;
    this.loadingOlder = false;
    this.menuOpen = false;
    this.ended = null;
    this.membersOpen = false;
  }

  connectedCallback() {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    const client = this.controller.client;
    if (client && !this.stopWatchingEnds) this.stopWatchingEnds = client.events.on('contact-ended', (ended) => this.contactEnded(ended));
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stopWatchingEnds?.();
    this.stopWatchingEnds = null;
    const client = this.controller.client;
    if (client && client.openContactId === this.contactId) client.openContactId = null;
  }

  protected willUpdate(changed: PropertyValues<this>) {
    const status = this.controller.client?.session.value.status;
    if (status !== this.sessionStatus) {
      this.sessionStatus = status;
      if (status === 'signed-in') this.open();
    }
    if (changed.has('contactId')) {
      this.renderRoot.querySelector<DerbelReactionPicker>('derbel-reaction-picker')?.close();
      this.ended = null;
      this.menuOpen = false;
      this.membersOpen = false;
      this.groupLoadRetries = 0;
      this.controller.refresh();
      this.lastMarked = null;
      this.scrollMemory = null;
      this.open();
    }
    const log = this.log;
    if (log) {
      const items = this.renderRoot.querySelectorAll('derbel-message');
      this.scrollMemory = {
        height: log.scrollHeight,
        top: log.scrollTop,
        atBottom: log.scrollHeight - log.scrollTop - log.clientHeight < 80,
        lastId: (items[items.length - 1] as { message?: ShownMessage } | undefined)?.message?.id,
      };
    }
  }

  /**
   * Scrolls to one message and marks it for a moment, loading older history pages until it is found (a
   * search result; a reply's original). Resolves false, saying so, when the conversation no longer has it.
   */
  async revealMessage(messageId: string): Promise<boolean> {
    const client = this.controller.client;
    const contactId = this.contactId;
    if (!client || !contactId) return false;
    let found: boolean;
    try {
      found = await client.conversations.loadUntil(contactId, messageId);
    } catch (error) {
      this.error = explain(error);
      return false;
    }
    if (contactId !== this.contactId) return false;
    if (!found) {
      this.error = 'That message is no longer in this conversation.';
      return false;
    }
    await this.updateComplete;
    const bubbles = [...this.renderRoot.querySelectorAll('derbel-message')] as DerbelMessage[];
    await Promise.all(bubbles.map((bubble) => bubble.updateComplete));
    // After the scroll this update may have queued (to the bottom on opening, kept on an older page).
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const bubble = bubbles.find((candidate) => candidate.message?.id === messageId);
    if (!bubble) return false;
    bubble.scrollIntoView({ block: 'center' });
    bubble.focusBubble();
    if (this.highlightTimer) clearTimeout(this.highlightTimer);
    for (const other of bubbles) other.highlighted = other === bubble;
    this.highlightTimer = setTimeout(() => (bubble.highlighted = false), HIGHLIGHT_MS);
    return true;
  }

  private get log() {
    return this.renderRoot.querySelector<HTMLElement>('.log');
  }

  private open() {
    const client = this.controller.client;
    if (!client || !this.contactId || client.session.value.status !== 'signed-in') return;
    client.openContactId = this.contactId;
    this.error = null;
    // A group is read through its own routes: wait until the list says what it is. One the user left keeps what is cached.
    if (!client.contactsLoaded.value) return;
    this.loadRequested = this.contactId;
    const group = client.group(this.contactId);
    if (group?.left) return;
    const contactId = this.contactId;
    client.conversations.load(contactId).catch((error) => {
      // A group just made or joined may not be in the server's read model yet: ask again shortly.
      if (group && error instanceof ApiError && error.statusCode === 404 && this.groupLoadRetries++ < 8) {
        setTimeout(() => this.retryLoad(contactId), 300 * this.groupLoadRetries);
      } else this.error = explain(error);
    });
    if (!client.callsLog.state.value.loaded && !client.callsLog.state.value.loading) void client.callsLog.load().catch(() => undefined);
  }

  private retryLoad(contactId: string) {
    if (this.contactId !== contactId) return;
    this.loadRequested = null;
    this.open();
  }

  render() {
    const client = this.controller.client;
    if (!client) return nothing;
    const session = client.session.value;
    if (session.status === 'restoring') return html`<p class="status" role="status">Loading…</p>`;
    if (session.status === 'signed-out') {
      return html`<derbel-sign-in .client=${client} reason=${session.reason ?? ''} @derbel-signed-in=${() => this.open()}></derbel-sign-in>`;
    }
    if (!this.contactId) return html`<p class="status">Choose a contact to start talking.</p>`;
    if (this.loadRequested !== this.contactId && client.contactsLoaded.value) queueMicrotask(() => this.open());
    const group = client.group(this.contactId);
    if (group) return this.groupView(client, session.user, group);
    const contact = client.contact(this.contactId);
    if (!contact) {
      const why = this.ended
        ? `${this.ended} is no longer in your contacts.`
        : client.contactsLoaded.value
          ? 'This conversation is not available.'
          : 'Loading…';
      return html`<p class="status" role="status" data-testid="conversation-unavailable">${why}</p>`;
    }
    const state = client.conversations.of(this.contactId).value;
    const messages = shownMessages(state, client.outboxEntries.value);
    const seen = seenMessageId(state.messages, session.user.id, contact.peerLastReadMessageId);
    const typing = Boolean(client.typing.value[this.contactId]);
    const items = timeline(messages, client.callsLog.state.value.calls, contact.id, state.hasOlder);
    return html`
      ${this.header(contact, isOnline(client.contacts.value, contact))}
      <div
        class="log"
        part="messages"
        role="log"
        aria-label="Messages with ${contact.peer.displayName}"
        tabindex="0"
        @scroll=${this.onScroll}
        data-testid="message-log"
      >
        ${
          state.hasOlder
            ? html`<button class="button link older" type="button" @click=${this.loadOlder} ?disabled=${this.loadingOlder}>
              ${this.loadingOlder ? 'Loading…' : 'Load older messages'}
            </button>`
            : state.loaded
              ? html`<p class="start">This is the beginning of your conversation with ${contact.peer.displayName}.</p>`
              : html`<p class="start" role="status">Loading messages…</p>`
        }
        ${groupByDay(items, new Date()).map(
          (group) => html`
            <h3 class="day" part="day">${group.label}</h3>
            ${repeat(
              group.messages,
              (item) => `${item.kind}:${item.id}`,
              (item) => (item.kind === 'call' ? this.callItem(item) : this.messageItem(item, session.user.id, seen)),
            )}
          `,
        )}
      </div>
      <p class="typing" aria-live="polite" data-testid="typing">${typing ? `${contact.peer.displayName} is typing…` : ''}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.reactionPicker(client)}
      <derbel-composer
        part="composer"
        label="Message ${contact.peer.displayName}"
        .value=${live(client.drafts.get(contact.id))}
        @derbel-draft=${(event: DerbelEvent<'derbel-draft'>) => client.drafts.set(contact.id, event.detail.text)}
        .uploader=${this.uploader}
        .replyingTo=${this.replyingTo(contact.id)}
        @derbel-reply-cancel=${() => this.setReplyTo(contact.id, null)}
        @derbel-send=${(event: DerbelEvent<'derbel-send'>) => this.send(contact.id, event)}
        @derbel-typing=${() => client.notifyTyping(contact.id)}
      ></derbel-composer>
    `;
  }

  private header(contact: Contact, online: boolean) {
    return html`<header part="header">
      ${
        this.backButton
          ? html`<button part="back" class="button back" type="button" aria-label="Back to contacts" @click=${this.back}>←</button>`
          : nothing
      }
      ${avatar(contact.peer)}
      <div class="who">
        <h2>${contact.peer.displayName}</h2>
        <span class="presence" data-testid="conversation-presence">${online ? 'Online' : 'Offline'}</span>
      </div>
      <derbel-call-button .client=${this.controller.client} contact-id=${contact.id}></derbel-call-button>
      <slot name="header-actions"></slot>
      ${this.menu(contact)}
    </header>`;
  }

  private menu(contact: Contact) {
    const name = contact.peer.displayName;
    return html`<div class="menu-anchor" @keydown=${this.menuKeys} @focusout=${this.menuFocusOut}>
      <button
        class="button menu-toggle"
        type="button"
        aria-label="More for ${name}"
        aria-haspopup="menu"
        aria-expanded=${String(this.menuOpen)}
        aria-controls="contact-menu"
        @click=${() => this.toggleMenu()}
        data-testid="conversation-menu"
      >
        ⋮
      </button>
      ${
        this.menuOpen
          ? html`<div part="menu" class="menu" id="contact-menu" role="menu" aria-label="${name}">
            <button role="menuitem" type="button" tabindex="-1" @click=${() => this.removeContact(contact)} data-testid="remove-contact">Remove contact</button>
            <button role="menuitem" type="button" tabindex="-1" class="danger" @click=${() => this.blockContact(contact)} data-testid="block-contact">Block</button>
          </div>`
          : nothing
      }
      <derbel-confirm></derbel-confirm>
    </div>`;
  }

  private async toggleMenu(open = !this.menuOpen) {
    this.menuOpen = open;
    await this.updateComplete;
    if (open) this.menuItems()[0]?.focus();
  }

  private menuItems() {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
  }

  private closeMenu(focusToggle: boolean) {
    this.menuOpen = false;
    if (focusToggle) this.renderRoot.querySelector<HTMLButtonElement>('.menu-toggle')?.focus();
  }

  /** Arrow keys move between the items, Escape closes the menu and goes back to its button. */
  private menuKeys(event: KeyboardEvent) {
    if (!this.menuOpen) return;
    const items = this.menuItems();
    const at = items.indexOf(this.renderRoot.querySelector(':focus') as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(items.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      this.closeMenu(true);
    } else if (event.key === 'Tab') this.closeMenu(false);
  }

  private menuFocusOut(event: FocusEvent) {
    const anchor = event.currentTarget as HTMLElement;
    if (!anchor.contains(event.relatedTarget as Node | null)) this.menuOpen = false;
  }

  private async removeContact(contact: Contact) {
    const name = contact.peer.displayName;
    this.closeMenu(false);
    const sure = await this.confirm().ask({
      title: `Remove ${name}?`,
      message: `You will no longer be able to message or call each other. Your history is kept and comes back if you become contacts again.`,
      confirmLabel: 'Remove contact',
    });
    if (sure) this.attempt(this.controller.client?.removeContact(contact.id));
    else this.renderRoot.querySelector<HTMLButtonElement>('.menu-toggle')?.focus();
  }

  private async blockContact(contact: Contact) {
    const name = contact.peer.displayName;
    this.closeMenu(false);
    const sure = await this.confirm().ask({
      title: `Block ${name}?`,
      message: `${name} leaves your contacts and can no longer message you, call you or ask to be your contact. They are not told. You can unblock them in Settings.`,
      confirmLabel: 'Block',
    });
    if (sure) this.attempt(this.controller.client?.block(contact.peer.id));
    else this.renderRoot.querySelector<HTMLButtonElement>('.menu-toggle')?.focus();
  }

  private confirm() {
    return this.renderRoot.querySelector<DerbelConfirm>('derbel-confirm')!;
  }

  private contactEnded({ contact, byMe }: ContactEnded) {
    if (contact.id !== this.contactId) return;
    this.ended = contact.peer.displayName;
    this.menuOpen = false;
    emit(this, 'derbel-contact-ended', { contactId: contact.id, byMe });
  }

  private readonly attachmentUrl = (id: string, variant: 'original' | 'thumbnail') =>
    this.controller.client?.attachmentUrl(id, variant) ?? '';
  private readonly uploader = (file: File, onProgress: (sent: number) => void) =>
    this.controller.client!.upload(file, onProgress, file.name);

  private messageItem(message: ShownMessage, myId: string, seenId: string | null, seenLabel = '') {
    const own = message.senderId === myId;
    return html`<derbel-message
      .message=${message}
      .attachmentUrl=${this.attachmentUrl}
      ?own=${own}
      ?seen=${own && message.id === seenId}
      seen-label=${seenLabel}
      .quote=${this.quoteIn(message.contactId, message)}
      ?replyable=${!this.controller.client?.group(message.contactId)?.left}
      @derbel-message-reply=${() => this.setReplyTo(message.contactId, quoteOf(message))}
      @derbel-reply-open=${(event: DerbelEvent<'derbel-reply-open'>) => void this.revealMessage(event.detail.messageId)}
      @derbel-message-edit=${(event: DerbelEvent<'derbel-message-edit'>) =>
        this.attempt(this.controller.client!.editMessage(message.contactId, event.detail.messageId, event.detail.text))}
      @derbel-message-delete=${(event: DerbelEvent<'derbel-message-delete'>) =>
        this.attempt(this.controller.client!.deleteMessage(message.contactId, event.detail.messageId))}
      .reactions=${reactionChips(message, myId, this.reactorName)}
      ?reactable=${!this.controller.client?.group(message.contactId)?.left}
      @derbel-reaction-toggle=${(event: DerbelEvent<'derbel-reaction-toggle'>) => this.react(message, event.detail.emoji)}
      @derbel-reaction-add=${(event: DerbelEvent<'derbel-reaction-add'>) => this.openReactionPicker(message, event.detail.anchor)}
      @derbel-message-retry=${() => this.attempt(this.controller.client!.retrySend(message.id))}
      @derbel-message-discard=${() => this.controller.client!.discardSend(message.id)}
    ></derbel-message>`;
  }

  /** Who reacted, by the names this client knows: the contact, or the group's members. */
  private readonly reactorName = (userId: string) => {
    const client = this.controller.client;
    const group = this.contactId ? client?.group(this.contactId) : null;
    if (group) return memberName(group, userId, client?.me ?? null, false);
    const contact = this.contactId ? client?.contact(this.contactId) : null;
    return contact?.peer.id === userId ? contact.peer.displayName : 'Someone';
  };

  private reactingTo: ShownMessage | null = null;

  private reactionPicker(client: DerbelClient) {
    return html`<derbel-reaction-picker
      data-source="${client.server}/emoji/data.json"
      @derbel-reaction-pick=${(event: DerbelEvent<'derbel-reaction-pick'>) => this.reactingTo && this.react(this.reactingTo, event.detail.emoji)}
    ></derbel-reaction-picker>`;
  }

  private openReactionPicker(message: ShownMessage, anchor: HTMLElement) {
    this.reactingTo = message;
    void this.renderRoot.querySelector<DerbelReactionPicker>('derbel-reaction-picker')?.open(anchor);
  }

  /**
   * Toggles the user's reaction (a chip; an emoji picked that they already have is taken back, as elsewhere).
   * Shown at once; a refusal takes it back and says why.
   */
  private react(message: ShownMessage, emoji: string) {
    const client = this.controller.client;
    const me = client?.me;
    if (!client || !me) return;
    const current = client.conversations.of(message.contactId).value.messages.find((known) => known.id === message.id) ?? message;
    const on = !hasReacted(current, emoji, me.id);
    this.error = null;
    client.react(message.contactId, message.id, emoji, on).catch((error) => (this.error = reactionProblem(error) ?? explain(error)));
  }

  // ---- replies (docs/replies-and-reactions.md) ----

  /** Who wrote a message of this conversation, as a quote names them. */
  private senderName(contactId: string, userId: string) {
    const client = this.controller.client;
    const me = client?.me ?? null;
    const group = client?.group(contactId);
    if (group) return memberName(group, userId, me);
    if (me && userId === me.id) return 'You';
    return client?.contact(contactId)?.peer.displayName ?? 'Someone';
  }

  /** The quote above `message` (or above the composer: `{ replyTo }`), from the history as loaded now. */
  private quoteIn(contactId: string, message: Pick<ShownMessage, 'replyTo' | 'replyToId'>) {
    const loaded = this.controller.client?.conversations.of(contactId).value.messages ?? [];
    return quoteView(message, loaded, (userId) => this.senderName(contactId, userId));
  }

  /** The message the draft answers, as loaded now (an edit or a deletion shows). */
  private replyingTo(contactId: string) {
    const replyTo = this.controller.client?.drafts.replyTo(contactId);
    return replyTo ? this.quoteIn(contactId, { replyTo }) : null;
  }

  private setReplyTo(contactId: string, quote: ReplyQuote | null) {
    this.controller.client?.drafts.setReplyTo(contactId, quote);
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector('derbel-composer')?.focus());
  }

  private send(contactId: string, event: DerbelEvent<'derbel-send'>) {
    const client = this.controller.client!;
    const replyTo = client.drafts.replyTo(contactId);
    const loaded = client.conversations.of(contactId).value.messages.find((message) => message.id === replyTo?.id);
    client.send(contactId, event.detail.text, event.detail.attachments, loaded ? quoteOf(loaded) : replyTo);
  }

  private groupView(client: DerbelClient, me: User, group: Group) {
    const state = client.conversations.of(group.id).value;
    const messages = shownMessages(state, client.outboxEntries.value);
    const ownLatest = [...state.messages].reverse().find((message) => message.senderId === me.id && !message.deleted);
    const seenBy = ownLatest ? seenByCount(group, state.messages, ownLatest.id, me.id) : 0;
    const typists = Object.keys(client.typingPeople.value[group.id] ?? {}).filter((id) => id !== me.id && !group.left);
    const notes: NoteItem[] = group.notes.map((note) => ({
      kind: 'note',
      id: String(note.position),
      sentAt: note.at,
      text: noteText(group, note, me),
    }));
    const items = withNotes(timeline(messages, client.callsLog.state.value.calls, group.id, state.hasOlder), notes, state.hasOlder);
    const created = group.notes.some((note) => note.change.type === 'created' && note.at === group.joinedAt);
    const title = group.title || 'Group';
    return html`
      <header part="header">
        ${
          this.backButton
            ? html`<button part="back" class="button back" type="button" aria-label="Back to conversations" @click=${this.back}>←</button>`
            : nothing
        }
        ${groupAvatar(group)}
        <div class="who">
          <h2 data-testid="conversation-title">${title}</h2>
          <button
            class="button link members-toggle"
            type="button"
            aria-expanded=${String(this.membersOpen)}
            aria-controls="group-members"
            @click=${() => (this.membersOpen = !this.membersOpen)}
            data-testid="members-toggle"
          >
            ${group.left ? 'Members' : `${group.members.length} members`}
          </button>
        </div>
        ${group.left ? nothing : html`<derbel-call-button .client=${client} contact-id=${group.id}></derbel-call-button>`}
        <slot name="header-actions"></slot>
      </header>
      ${
        this.membersOpen
          ? html`<derbel-group-members id="group-members" class="members" .client=${client} group-id=${group.id}></derbel-group-members>`
          : nothing
      }
      <div class="log" part="messages" role="log" aria-label="Messages in ${title}" tabindex="0" @scroll=${this.onScroll} data-testid="message-log">
        ${
          state.hasOlder
            ? html`<button class="button link older" type="button" @click=${this.loadOlder} ?disabled=${this.loadingOlder}>
              ${this.loadingOlder ? 'Loading…' : 'Load older messages'}
            </button>`
            : state.loaded || group.left
              ? created
                ? html`<p class="start">This is the beginning of ${title}.</p>`
                : html`<p class="start" data-testid="joined-note">
                  You joined on ${new Date(group.joinedAt).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' })}; earlier
                  messages are not shown.
                </p>`
              : html`<p class="start" role="status">Loading messages…</p>`
        }
        ${groupByDay(items, new Date()).map(
          (day) => html`
            <h3 class="day" part="day">${day.label}</h3>
            ${repeat(
              day.messages,
              (item) => `${item.kind}:${item.id}`,
              (item, index) => this.groupItem(group, item, day.messages[index - 1], me, ownLatest?.id ?? null, seenBy),
            )}
          `,
        )}
      </div>
      <p class="typing" aria-live="polite" data-testid="typing">${typingText(typists.map((id) => memberName(group, id, me)))}</p>
      ${this.error && !group.left ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.reactionPicker(client)}
      ${
        group.left
          ? html`<p class="left-banner" role="status" data-testid="left-banner">
            You are no longer a member of this group.
            <button class="button link" type="button" @click=${() => this.dismissGroup(group)} data-testid="dismiss-group">Remove from list</button>
          </p>`
          : nothing
      }
      <derbel-composer
        part="composer"
        label="Message ${title}"
        ?disabled=${Boolean(group.left)}
        .value=${live(group.left ? '' : client.drafts.get(group.id))}
        @derbel-draft=${(event: DerbelEvent<'derbel-draft'>) => client.drafts.set(group.id, event.detail.text)}
        .uploader=${this.uploader}
        .replyingTo=${this.replyingTo(group.id)}
        @derbel-reply-cancel=${() => this.setReplyTo(group.id, null)}
        @derbel-send=${(event: DerbelEvent<'derbel-send'>) => this.send(group.id, event)}
        @derbel-typing=${() => client.notifyTyping(group.id)}
      ></derbel-composer>
    `;
  }

  private dismissGroup(group: Group) {
    this.controller.client?.dismissGroup(group.id);
    this.back();
  }

  /** A message (with its sender's name when they start a run), a call, or a membership line. */
  private groupItem(
    group: Group,
    item: TimelineItem | NoteItem,
    before: TimelineItem | NoteItem | undefined,
    me: User,
    ownLatest: string | null,
    seenBy: number,
  ) {
    if (item.kind === 'note') return html`<p class="note" data-testid="group-note">${item.text}</p>`;
    if (item.kind === 'call') return this.callItem(item);
    const own = item.senderId === me.id;
    const startsRun = !own && !(before?.kind === 'message' && before.senderId === item.senderId);
    const label = seenBy > 0 ? `Seen by ${seenBy}` : '';
    return html`${startsRun ? html`<p class="sender" data-testid="sender-name">${memberName(group, item.senderId, me)}</p>` : nothing}
    ${this.messageItem(item, me.id, own && item.id === ownLatest && seenBy > 0 ? item.id : null, label)}`;
  }

  private callItem(call: CallRecord) {
    const text =
      call.outcome === 'missed'
        ? call.direction === 'incoming'
          ? 'Missed call'
          : 'No answer'
        : call.outcome === 'declined'
          ? 'Call declined'
          : `Call · ${formatDuration(call.durationSeconds)}`;
    return html`<p class="call ${call.outcome}" data-testid="call-entry" data-outcome=${call.outcome}>
      ${call.outcome === 'finished' ? phoneIcon : phoneMissedIcon} ${text}
      <time datetime=${call.startedAt}>${timeOfDay(call.startedAt)}</time>
    </p>`;
  }

  protected updated() {
    const log = this.log;
    const memory = this.scrollMemory;
    if (log) {
      const messages = [...this.renderRoot.querySelectorAll('derbel-message')] as Array<
        HTMLElement & { message?: ShownMessage; updateComplete: Promise<unknown> }
      >;
      const lastId = messages[messages.length - 1]?.message?.id;
      const action =
        // At the bottom stays at the bottom: a new message, or reactions that made the last one taller.
        !memory || memory.height === 0 || memory.atBottom ? 'bottom' : lastId === memory.lastId && memory.top < 120 ? 'keep' : null;
      // The bubbles render after this element: measure once they have.
      if (action) {
        void Promise.all(messages.map((message) => message.updateComplete)).then(() => {
          if (action === 'bottom') log.scrollTop = log.scrollHeight;
          else if (log.scrollHeight !== memory!.height) log.scrollTop = memory!.top + (log.scrollHeight - memory!.height);
        });
      }
    }
    this.markRead();
  }

  private markRead() {
    const client = this.controller.client;
    if (!client || !this.contactId || !this.isConnected || document.visibilityState !== 'visible') return;
    const missedAt = client.missedCalls.value.byContact[this.contactId];
    if (missedAt) client.seenCalls.markContact(this.contactId, missedAt);
    const state = client.conversations.of(this.contactId).value;
    const newest = state.messages[state.messages.length - 1];
    const contact = client.contact(this.contactId) ?? client.group(this.contactId);
    if (!newest || !contact || newest.id === this.lastMarked) return;
    if ('left' in contact && contact.left) return;
    const me = client.me?.id;
    if (newest.senderId === me && contact.unreadCount === 0) return;
    this.lastMarked = newest.id;
    client.markRead(this.contactId, newest.id).catch(() => (this.lastMarked = null));
  }

  private onScroll() {
    const log = this.log;
    if (log && log.scrollTop < 80) void this.loadOlder();
  }

  private async loadOlder() {
    const client = this.controller.client;
    if (!client || !this.contactId || this.loadingOlder || !client.conversations.of(this.contactId).value.hasOlder) return;
    this.loadingOlder = true;
    try {
      await client.conversations.loadOlder(this.contactId);
    } catch (error) {
      this.error = explain(error);
    } finally {
      this.loadingOlder = false;
    }
  }

  private attempt(action: Promise<unknown> | undefined) {
    this.error = null;
    action?.catch((error) => (this.error = explain(error)));
  }

  private back() {
    emit(this, 'derbel-back');
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        height: 100%;
        background: var(--_bg);
      }
      header {
        position: relative;
        display: flex;
        align-items: center;
        gap: 0.7rem;
        padding: 0.6rem 0.9rem;
        border-bottom: 1px solid var(--_border);
      }
      .who {
        flex: 1;
        min-width: 0;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .menu-anchor {
        position: relative;
      }
      .menu-toggle {
        min-width: 2.5rem;
        padding: 0.45rem 0.5rem;
        font-size: 1.2rem;
        line-height: 1;
      }
      .menu {
        position: absolute;
        right: 0;
        top: calc(100% + 0.3rem);
        z-index: 5;
        display: grid;
        min-width: 11rem;
        padding: 0.3rem;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_bg);
        box-shadow: 0 6px 20px rgb(0 0 0 / 0.18);
      }
      .menu [role='menuitem'] {
        padding: 0.55rem 0.7rem;
        border: none;
        border-radius: calc(var(--_radius) - 4px);
        background: none;
        text-align: left;
        cursor: pointer;
      }
      .menu [role='menuitem']:hover,
      .menu [role='menuitem']:focus-visible {
        background: var(--_surface);
      }
      .menu .danger {
        color: var(--_danger);
      }
      .presence {
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .log {
        overflow-anchor: none;
        flex: 1;
        min-height: 8rem;
        overflow-y: auto;
        padding: 0.75rem 0.9rem;
        display: flex;
        flex-direction: column;
        gap: 0.35rem;
      }
      .older {
        align-self: center;
      }
      .start,
      .status {
        text-align: center;
        color: var(--_muted);
        font-size: 0.9rem;
      }
      .day {
        align-self: center;
        margin: 0.6rem 0 0.2rem;
        padding: 0.1rem 0.7rem;
        border-radius: 999px;
        background: var(--_surface);
        color: var(--_muted);
        font-size: 0.78rem;
        font-weight: 600;
      }
      .call {
        align-self: center;
        margin: 0.2rem 0;
        font-size: 0.85rem;
        color: var(--_muted);
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      .call.missed {
        color: var(--_danger);
      }
      .members-toggle {
        padding: 0;
        font-size: 0.8rem;
      }
      .members {
        max-height: 45%;
        overflow-y: auto;
        padding: 0.75rem 0.9rem;
        border-bottom: 1px solid var(--_border);
        background: var(--_surface);
      }
      .note {
        align-self: center;
        margin: 0.2rem 0;
        max-width: 90%;
        text-align: center;
        font-size: 0.82rem;
        color: var(--_muted);
      }
      .sender {
        margin: 0.35rem 0 -0.15rem 0.2rem;
        font-size: 0.78rem;
        font-weight: 600;
        color: var(--_muted);
      }
      .left-banner {
        margin: 0 0.9rem;
        padding: 0.5rem 0.75rem;
        border-radius: var(--_radius);
        background: var(--_surface);
        border: 1px solid var(--_border);
        font-size: 0.9rem;
      }
      .typing {
        margin: 0;
        padding: 0 0.9rem;
        min-height: 1.3rem;
        font-size: 0.85rem;
        font-style: italic;
        color: var(--_muted);
      }
      .error {
        margin: 0;
        padding: 0 0.9rem;
      }
      derbel-composer {
        padding: 0.5rem 0.9rem 0.8rem;
      }
      derbel-sign-in {
        margin: 1rem auto;
      }
    `,
  ];
}

define('derbel-conversation', DerbelConversation);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-conversation': DerbelConversation;
  }
}
