import { LitElement, css, html, nothing } from 'lit';
import type { QuoteView } from '../client/reply-quotes.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { tokens } from './internal/styles.js';

/**
 * The quote above a reply: who wrote the original and its first line, or that it was deleted. Activating it
 * (click, Enter, Space) asks the conversation to show the original.
 *
 * @event derbel-reply-open - Show the original. `detail: { messageId }`.
 * @csspart quote - The quote (a button).
 */
export class DerbelReplyQuote extends LitElement {
  static properties = { quote: { attribute: false } };

  declare quote: QuoteView | null;

  constructor() {
    super();
    this.quote = null;
  }

  render() {
    const quote = this.quote;
    if (!quote) return nothing;
    const text = quote.deleted ? 'Deleted message' : quote.sender === null ? 'Loading the original…' : quote.text || 'Attachment';
    const sender = quote.sender ?? 'Original message';
    return html`<button
      part="quote"
      class="quote ${quote.deleted ? 'deleted' : ''}"
      type="button"
      aria-label="In reply to ${sender}: ${text}. Show the original message"
      @click=${this.open}
      data-testid="reply-quote"
      data-reply-to=${quote.id}
    >
      <span class="sender" data-testid="reply-quote-sender">${sender}</span>
      <span class="text" data-testid="reply-quote-text">${text}</span>
    </button>`;
  }

  private open() {
    if (this.quote) emit(this, 'derbel-reply-open', { messageId: this.quote.id });
  }

  static styles = [
    tokens,
    css`
      :host {
        display: block;
        margin-bottom: 0.3rem;
      }
      .quote {
        display: grid;
        width: 100%;
        padding: 0.25rem 0.55rem;
        border: none;
        border-left: 3px solid var(--_accent);
        border-radius: calc(var(--_radius) * 0.5);
        background: color-mix(in srgb, var(--_text) 7%, transparent);
        text-align: left;
        cursor: pointer;
        font-size: 0.85rem;
      }
      .quote:hover {
        background: color-mix(in srgb, var(--_text) 12%, transparent);
      }
      .sender {
        font-weight: 600;
      }
      .text {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .deleted .text {
        font-style: italic;
      }
    `,
  ];
}

define('derbel-reply-quote', DerbelReplyQuote);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-reply-quote': DerbelReplyQuote;
  }
}
