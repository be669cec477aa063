import { LitElement, css, html, type PropertyValues } from 'lit';
import { characterCount, MESSAGE_MAX_CHARACTERS as MAX } from '../client/text-length.js';
import { define } from './define.js';
import { buttons, tokens } from './styles.js';

/**
 * Where a message is written. Enter sends, Shift+Enter starts a new line.
 *
 * @event derbel-send - Send this text. `detail: { text }`.
 * @event derbel-typing - The user is typing (fired on input; throttling is the client's job).
 * @event derbel-draft - The text changed (to keep it as a draft). `detail: { text }`.
 * @csspart input - The text area.
 * @csspart send - The send button.
 * @cssproperty --derbel-accent - Colour of the send button.
 * @cssproperty --derbel-border - Border of the text area.
 * @attr label - Accessible label (and placeholder) of the text area.
 */
export class DerbelComposer extends LitElement {
  static properties = {
    label: { type: String },
    value: { type: String },
    length: { state: true },
  };

  /** Accessible label of the text area, e.g. "Message Bob". */
  declare label: string;
  /** The text in the composer; follows typing, and setting it replaces the text (e.g. a saved draft). */
  declare value: string;
  declare length: number;

  constructor() {
    super();
    this.label = 'Message';
    this.value = '';
    this.length = 0;
  }

  protected updated(changed: PropertyValues<this>) {
    const textarea = this.textarea;
    if (changed.has('value') && textarea.value !== this.value) {
      textarea.value = this.value;
      this.measure();
    }
  }

  render() {
    const over = this.length > MAX;
    return html`
      <form @submit=${this.submit}>
        <label class="visually-hidden" for="text">${this.label}</label>
        <textarea
          id="text"
          part="input"
          rows="1"
          placeholder="${this.label}…"
          aria-describedby="count"
          @keydown=${this.keys}
          @input=${this.input}
          data-testid="composer-input"
        ></textarea>
        <button part="send" class="button primary" type="submit" ?disabled=${this.length === 0 || over} data-testid="send">
          Send
        </button>
      </form>
      <p id="count" class="count ${over ? 'error' : ''}" aria-live="polite">
        ${this.length > MAX - 500 ? `${this.length} / ${MAX} characters` : ''}
      </p>
    `;
  }

  /** Moves keyboard focus to the text area. */
  focus() {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  private get textarea() {
    return this.renderRoot.querySelector('textarea')!;
  }

  private input() {
    this.value = this.textarea.value;
    this.measure();
    this.dispatchEvent(new CustomEvent('derbel-draft', { detail: { text: this.value }, bubbles: true, composed: true }));
    if (this.length > 0) this.dispatchEvent(new CustomEvent('derbel-typing', { bubbles: true, composed: true }));
  }

  private measure() {
    const textarea = this.textarea;
    this.length = characterCount(textarea.value.trim());
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
  }

  private keys(event: KeyboardEvent) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    }
  }

  private submit(event: SubmitEvent) {
    event.preventDefault();
    this.send();
  }

  private send() {
    const textarea = this.textarea;
    const text = textarea.value.trim();
    if (!text || characterCount(text) > MAX) return;
    this.dispatchEvent(new CustomEvent('derbel-send', { detail: { text }, bubbles: true, composed: true }));
    textarea.value = '';
    this.input();
    textarea.focus();
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
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        min-width: 0;
        resize: none;
        max-height: 10rem;
        line-height: 1.4;
      }
      .count {
        margin: 0.2rem 0 0;
        font-size: 0.8rem;
        color: var(--_muted);
      }
      .count:empty {
        display: none;
      }
    `,
  ];
}

define('derbel-composer', DerbelComposer);

declare global {
  interface HTMLElementTagNameMap {
    'derbel-composer': DerbelComposer;
  }
}
