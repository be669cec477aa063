import { LitElement, css, html, nothing } from 'lit';
import type { ShownMessage } from '../client/state/conversation-state.js';
import { timeOfDay } from '../client/message-days.js';
import { splitLinks } from '../client/text-links.js';
import { characterCount, MESSAGE_MAX_CHARACTERS as MAX } from '../client/text-length.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import './derbel-attachments.js';
import './derbel-reply-quote.js';
import type { QuoteView } from '../client/reply-quotes.js';
import type { AttachmentUrl } from './derbel-attachments.js';
import type { ReactionChip } from '../client/reactions.js';
import './derbel-reactions.js';
import { buttons, forms, tokens } from './internal/styles.js';

/**
 * One message bubble. Text is rendered as text (never HTML); http(s) links are clickable.
 * Own messages can be edited and deleted; unsent ones show their state and can be retried.
 *
 * @event derbel-message-edit - Save an edit. `detail: { messageId, text }`.
 * @event derbel-message-delete - Delete the message. `detail: { messageId }`.
 * @event derbel-message-retry - Send a failed message again. `detail: { messageId }`.
 * @event derbel-message-discard - Drop a failed message. `detail: { messageId }`.
 * @event derbel-reaction-toggle - From `<derbel-reactions>`: a chip was pressed. `detail: { emoji }`.
 * @event derbel-reaction-add - From `<derbel-reactions>`: "Add reaction" was pressed. `detail: { anchor }`.
 * @event derbel-message-reply - Answer this message (with `replyable`). `detail: { messageId }`.
 * @attr highlighted - Marks the bubble for a moment (the conversation jumped to it).
 * @csspart bubble - The bubble.
 * @csspart text - The message text.
 * @csspart meta - Time, edited, status and "Seen".
 * @csspart actions - The edit and delete buttons.
 * @csspart reactions - The reaction chips and "Add reaction".
 * @cssproperty --derbel-own-bubble - Background of own messages.
 * @cssproperty --derbel-peer-bubble - Background of the peer's messages.
 */
export class DerbelMessage extends LitElement {
  static properties = {
    message: { attribute: false },
    own: { type: Boolean, reflect: true },
    seen: { type: Boolean },
    seenLabel: { type: String, attribute: 'seen-label' },
    highlighted: { type: Boolean, reflect: true },
    editing: { state: true },
    confirming: { state: true },
    editLength: { state: true },
    attachmentUrl: { attribute: false },
    reactions: { attribute: false },
    reactable: { type: Boolean },
    quote: { attribute: false },
    replyable: { type: Boolean },
  };

  declare message: ShownMessage | null;
  declare own: boolean;
  /** The peer has read up to this message (shown as "Seen" on own messages). */
  declare seen: boolean;
  /** What the read mark says when `seen` ("Seen by 2" in a group); "Seen" when empty. */
  declare seenLabel: string;
  /** Marked for a moment after the conversation jumped to it (a search result). */
  declare highlighted: boolean;
  declare editing: boolean;
  declare confirming: boolean;
  declare editLength: number;
  /** Where the message's files are fetched from (the client's `attachmentUrl`). */
  declare attachmentUrl: AttachmentUrl | null;
  /** The message's reaction chips, as the user sees them (names, pressed). */
  declare reactions: ReactionChip[];
  /** The user may react (not in a group they left). */
  declare reactable: boolean;
  /** The message this one answers, shown above its text. */
  declare quote: QuoteView | null;
  /** Offers "Reply" (the user may write in this conversation). */
  declare replyable: boolean;

  constructor() {
    super();
    this.message = null;
    this.own = false;
    this.seen = false;
    this.seenLabel = '';
    this.highlighted = false;
    this.editing = false;
    this.confirming = false;
    this.editLength = 0;
    this.attachmentUrl = null;
    this.reactions = [];
    this.reactable = false;
    this.quote = null;
    this.replyable = false;
  }

  /** Puts keyboard focus on the bubble (the conversation jumped to it): its actions show, Tab reaches them. */
  focusBubble() {
    this.renderRoot.querySelector<HTMLElement>('.bubble')?.focus({ preventScroll: true });
  }

  render() {
    const message = this.message;
    if (!message) return nothing;
    const time = timeOfDay(message.sentAt);
    return html`
      <div
        part="bubble"
        class="bubble ${message.status} ${message.deleted ? 'deleted' : ''}"
        data-testid="message"
        tabindex="-1"
        data-message-id=${message.id}
        data-status=${message.status}
      >
        ${this.editing ? this.editor(message) : this.body(message)}
        <div part="meta" class="meta">
          <time datetime=${message.sentAt} title=${new Date(message.sentAt).toLocaleString()}>${time}</time>
          ${message.editedAt && !message.deleted ? html`<span data-testid="edited">edited</span>` : nothing}
          ${message.status === 'pending' ? html`<span class="pending" data-testid="pending">Sending…</span>` : nothing}
          ${this.seen && message.status === 'sent' ? html`<span class="seen" data-testid="seen">${this.seenLabel || 'Seen'}</span>` : nothing}
        </div>
        ${message.status === 'failed' ? this.failed(message) : nothing}
        ${
          message.status === 'sent' && !message.deleted
            ? html`<derbel-reactions
                part="reactions"
                class=${this.reactions.length > 0 ? 'has-chips' : ''}
                .chips=${this.reactions}
                ?can-react=${this.reactable && !this.editing}
              ></derbel-reactions>`
            : nothing
        }
        ${(this.own || this.replyable) && message.status === 'sent' && !message.deleted && !this.editing ? this.actions() : nothing}
      </div>
    `;
  }

  /** Done once the reactions are drawn too: the conversation measures the bubble then (scrolling to the bottom). */
  protected async getUpdateComplete() {
    const done = await super.getUpdateComplete();
    await this.renderRoot.querySelector('derbel-reactions')?.updateComplete;
    return done;
  }

  private body(message: ShownMessage) {
    if (message.deleted) return html`<p part="text" class="text" data-testid="message-text">This message was deleted.</p>`;
    const attachments = message.attachments ?? [];
    return html`${this.quote ? html`<derbel-reply-quote .quote=${this.quote}></derbel-reply-quote>` : nothing}${attachments.length > 0 ? html`<derbel-attachments .attachments=${attachments} .urlFor=${this.attachmentUrl}></derbel-attachments>` : nothing}
      ${
        message.text || attachments.length === 0
          ? html`<p part="text" class="text" data-testid="message-text">${splitLinks(message.text).map((part) =>
              part.kind === 'link'
                ? html`<a href=${part.href} target="_blank" rel="noopener noreferrer nofollow">${part.text}</a>`
                : part.text,
            )}</p>`
          : nothing
      }`;
  }

  private failed(message: ShownMessage) {
    return html`<div class="failed" role="alert">
      <span>Not sent${message.error ? `: ${message.error}` : ''}</span>
      <button class="button link" type="button" @click=${() => this.fire('derbel-message-retry')}>Retry</button>
      <button class="button link" type="button" @click=${() => this.fire('derbel-message-discard')}>Discard</button>
    </div>`;
  }

  private actions() {
    if (this.confirming) {
      return html`<div part="actions" class="actions open" role="group" aria-label="Delete this message for everyone?">
        <span>Delete for everyone?</span>
        <button class="button link" type="button" @click=${this.delete} data-testid="confirm-delete">Delete</button>
        <button class="button link" type="button" @click=${() => (this.confirming = false)}>Keep</button>
      </div>`;
    }
    const reply = this.replyable
      ? html`<button class="button link" type="button" aria-label="Reply to message" @click=${() => this.fire('derbel-message-reply')} data-testid="reply-message">
          Reply
        </button>`
      : nothing;
    if (!this.own) return html`<div part="actions" class="actions">${reply}</div>`;
    return html`<div part="actions" class="actions">
      ${reply}
      <button class="button link" type="button" aria-label="Edit message" @click=${this.startEdit} data-testid="edit-message">Edit</button>
      <button class="button link" type="button" aria-label="Delete message" @click=${this.confirmDelete} data-testid="delete-message">
        Delete
      </button>
    </div>`;
  }

  private editor(message: ShownMessage) {
    return html`<form class="editor" @submit=${this.saveEdit}>
      <label class="visually-hidden" for="edit">Edit message</label>
      <textarea
        id="edit"
        rows="2"
        aria-describedby="edit-count"
        .value=${message.text}
        @input=${this.editInput}
        @keydown=${this.editKeys}
        data-testid="edit-input"
      ></textarea>
      <p id="edit-count" class="count error" aria-live="polite">${this.editLength > MAX ? `${this.editLength} / ${MAX} characters` : ''}</p>
      <div class="editor-actions">
        <button class="button" type="button" @click=${() => (this.editing = false)}>Cancel</button>
        <button class="button primary" type="submit" ?disabled=${this.editLength > MAX} data-testid="save-edit">Save</button>
      </div>
    </form>`;
  }

  private editInput(event: InputEvent) {
    this.editLength = characterCount((event.target as HTMLTextAreaElement).value.trim());
  }

  private async startEdit() {
    this.editLength = characterCount(this.message?.text ?? '');
    this.editing = true;
    await this.updateComplete;
    const input = this.renderRoot.querySelector('textarea');
    input?.focus();
    input?.setSelectionRange(input.value.length, input.value.length);
  }

  private editKeys(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.editing = false;
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      (event.target as HTMLTextAreaElement).form?.requestSubmit();
    }
  }

  private saveEdit(event: SubmitEvent) {
    event.preventDefault();
    const text = (this.renderRoot.querySelector('textarea')?.value ?? '').trim();
    if (characterCount(text) > MAX) return;
    this.editing = false;
    const message = this.message;
    if (message && text && text !== message.text) emit(this, 'derbel-message-edit', { messageId: message.id, text });
  }

  private async confirmDelete() {
    this.confirming = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('[data-testid="confirm-delete"]')?.focus();
  }

  private delete() {
    this.confirming = false;
    this.fire('derbel-message-delete');
  }

  /** Only a shown message has buttons, so `message` is set whenever this runs. */
  private fire(type: 'derbel-message-retry' | 'derbel-message-discard' | 'derbel-message-delete' | 'derbel-message-reply') {
    if (this.message) emit(this, type, { messageId: this.message.id });
  }

  static styles = [
    tokens,
    buttons,
    forms,
    css`
      :host {
        display: flex;
        justify-content: flex-start;
      }
      :host([own]) {
        justify-content: flex-end;
      }
      .bubble {
        max-width: min(36rem, 85%);
        padding: 0.45rem 0.75rem;
        border-radius: var(--_radius);
        background: var(--derbel-peer-bubble, var(--_surface));
        overflow-wrap: anywhere;
      }
      :host([own]) .bubble {
        background: var(--derbel-own-bubble, color-mix(in srgb, var(--_accent) 14%, var(--_bg)));
      }
      :host([highlighted]) .bubble {
        outline: 2px solid var(--_accent);
        outline-offset: 2px;
        animation: reveal 0.6s ease-out 2;
      }
      @keyframes reveal {
        50% {
          background: color-mix(in srgb, var(--_accent) 32%, var(--_bg));
        }
      }
      @media (prefers-reduced-motion: reduce) {
        :host([highlighted]) .bubble {
          animation: none;
        }
      }
      .bubble.pending {
        opacity: 0.7;
      }
      .bubble.failed {
        outline: 1px solid var(--_danger);
      }
      .text {
        margin: 0;
        white-space: pre-wrap;
      }
      .deleted .text {
        font-style: italic;
        color: var(--_muted);
      }
      a {
        color: var(--_accent);
      }
      .meta {
        display: flex;
        gap: 0.5rem;
        justify-content: flex-end;
        font-size: 0.75rem;
        color: var(--_muted);
      }
      .seen {
        color: var(--_accent);
        font-weight: 600;
      }
      .failed {
        font-size: 0.85rem;
        color: var(--_danger);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.25rem;
        font-size: 0.8rem;
        height: 0;
        overflow: hidden;
      }
      .bubble:hover .actions,
      .bubble:focus-within .actions,
      .actions.open {
        height: auto;
      }
      @media (hover: none) {
        .actions {
          height: auto;
        }
      }
      derbel-reactions:not(.has-chips) {
        height: 0;
        overflow: hidden;
      }
      derbel-reactions.has-chips {
        --derbel-add-reaction-opacity: 0;
      }
      .bubble:hover derbel-reactions,
      .bubble:focus-within derbel-reactions {
        height: auto;
        --derbel-add-reaction-opacity: 1;
      }
      @media (hover: none) {
        .bubble derbel-reactions {
          height: auto;
          --derbel-add-reaction-opacity: 1;
        }
      }
      .editor {
        display: grid;
        gap: 0.4rem;
        min-width: min(20rem, 70vw);
      }
      .editor textarea {
        resize: vertical;
      }
      .count {
        margin: 0;
        font-size: 0.8rem;
        color: var(--_danger);
      }
      .count:empty {
        display: none;
      }
      .editor-actions {
        display: flex;
        gap: 0.4rem;
        justify-content: flex-end;
      }
    `,
  ];
}

define('derbel-message', DerbelMessage);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-message': DerbelMessage;
  }
}
