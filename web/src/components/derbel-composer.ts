import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { fileSize } from '../client/file-size.js';
import { characterCount, MESSAGE_MAX_CHARACTERS as MAX } from '../client/text-length.js';
import type { QuoteView } from '../client/reply-quotes.js';
import type { Attachment } from '../client/types.js';
import { define } from './internal/define.js';
import { emit } from './internal/events.js';
import { buttons, forms, tokens } from './internal/styles.js';

/** Uploads one file; `onProgress` gets the share sent (0–1). */
export type Uploader = (file: File, onProgress: (sent: number) => void) => Promise<Attachment>;

/** A file being uploaded from the composer, or uploaded and waiting to be sent. */
type Upload = { key: number; name: string; size: number; progress: number; attachment?: Attachment; error?: string };

const MAX_FILES = 10;

/**
 * Where a message is written. Enter sends, Shift+Enter starts a new line. With an `uploader`, files are
 * attached with the paperclip button, by dropping them on the composer or by pasting them; each shows its
 * upload's progress, and the message (text optional then) is sent once they are all uploaded.
 *
 * @event derbel-send - Send this text and these files. `detail: { text, attachments? }` (no `attachments` without files).
 * @event derbel-typing - The user is typing (fired on input; throttling is the client's job).
 * @event derbel-draft - The text changed (to keep it as a draft). `detail: { text }`.
 * @event derbel-reply-cancel - The user dropped the reply (its cancel button, or Esc in the text area).
 * @csspart input - The text area.
 * @csspart send - The send button.
 * @csspart replying - "Replying to …" above the text area (with `replyingTo`).
 * @cssproperty --derbel-accent - Colour of the send button.
 * @cssproperty --derbel-border - Border of the text area.
 * @attr label - Accessible label (and placeholder) of the text area.
 * @attr disabled - Nothing can be written or sent (e.g. the user left the group).
 */
export class DerbelComposer extends LitElement {
  static properties = {
    label: { type: String },
    value: { type: String },
    length: { state: true },
    uploader: { attribute: false },
    uploads: { state: true },
    dragging: { state: true },
    disabled: { type: Boolean, reflect: true },
    replyingTo: { attribute: false },
  };

  /** Accessible label of the text area, e.g. "Message Bob". */
  declare label: string;
  /** The text in the composer; follows typing, and setting it replaces the text (e.g. a saved draft). */
  declare value: string;
  declare length: number;
  /** Uploads a file (the client's `upload`); absent: no attaching. */
  declare uploader: Uploader | null;
  declare uploads: Upload[];
  declare dragging: boolean;
  /** Nothing can be written or sent. */
  declare disabled: boolean;
  /** The message being answered, shown above the text area with a cancel button. */
  declare replyingTo: QuoteView | null;
  private nextKey = 0;

  constructor() {
    super();
    this.label = 'Message';
    this.value = '';
    this.length = 0;
    this.uploader = null;
    this.uploads = [];
    this.dragging = false;
    this.disabled = false;
    this.replyingTo = null;
  }

  protected updated(changed: PropertyValues<this>) {
    const textarea = this.textarea;
    if (changed.has('value') && textarea.value !== this.value) {
      textarea.value = this.value;
      this.measure();
    }
  }

  /** Text or uploaded files, nothing still uploading or failed, and not too long. */
  private get sendable() {
    const uploading = this.uploads.some((upload) => !upload.attachment);
    return !this.disabled && !uploading && (this.length > 0 || this.uploads.length > 0) && this.length <= MAX;
  }

  render() {
    const over = this.length > MAX;
    return html`
      ${this.replyingTo && !this.disabled ? this.replying(this.replyingTo) : nothing}
      ${this.uploads.length > 0 ? this.uploadList() : nothing}
      <form
        @submit=${this.submit}
        class=${this.dragging ? 'dragging' : ''}
        @dragover=${this.dragOver}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.drop}
      >
        ${
          this.uploader && !this.disabled
            ? html`<button class="button attach" type="button" aria-label="Attach files" title="Attach files" @click=${() => this.fileInput.click()} data-testid="attach">
                <span aria-hidden="true">📎</span>
              </button>
              <input class="visually-hidden" type="file" multiple tabindex="-1" aria-hidden="true" @change=${this.picked} data-testid="file-input" />`
            : nothing
        }
        <label class="visually-hidden" for="text">${this.label}</label>
        <textarea
          id="text"
          part="input"
          rows="1"
          placeholder="${this.label}…"
          aria-describedby="count"
          ?disabled=${this.disabled}
          @keydown=${this.keys}
          @input=${this.input}
          @paste=${this.paste}
          data-testid="composer-input"
        ></textarea>
        <button part="send" class="button primary" type="submit" ?disabled=${!this.sendable} data-testid="send">
          Send
        </button>
      </form>
      <p id="count" class="count ${over ? 'error' : ''}" aria-live="polite">
        ${this.length > MAX - 500 ? `${this.length} / ${MAX} characters` : ''}
      </p>
    `;
  }

  private replying(quote: QuoteView) {
    const sender = quote.sender ?? 'a message';
    return html`<div part="replying" class="replying" role="group" aria-label="Replying to ${sender}" data-testid="replying-to">
      <div class="replying-quote">
        <span>Replying to <strong>${sender}</strong></span>
        <span class="replying-text">${quote.deleted ? 'Deleted message' : quote.text || 'Attachment'}</span>
      </div>
      <button class="button link" type="button" aria-label="Cancel reply" title="Cancel reply (Esc)" @click=${this.cancelReply} data-testid="cancel-reply">
        <span aria-hidden="true">✕</span>
      </button>
    </div>`;
  }

  private cancelReply() {
    emit(this, 'derbel-reply-cancel');
    this.textarea.focus();
  }

  private uploadList() {
    return html`<ul class="uploads" aria-label="Files to send">
      ${this.uploads.map(
        (upload) => html`<li data-testid="upload" data-state=${upload.error ? 'failed' : upload.attachment ? 'done' : 'uploading'}>
          <span class="upload-name">${upload.name}</span>
          <span class="upload-size">${fileSize(upload.size)}</span>
          ${
            upload.error
              ? html`<span class="error" role="alert">${upload.error}</span>`
              : html`<progress max="1" .value=${upload.progress} aria-label="Uploading ${upload.name}" data-testid="upload-progress"></progress>`
          }
          <button class="button link" type="button" aria-label="Remove ${upload.name}" @click=${() => this.removeUpload(upload.key)}>Remove</button>
        </li>`,
      )}
    </ul>`;
  }

  private get fileInput() {
    return this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')!;
  }

  private picked() {
    const input = this.fileInput;
    this.attach([...(input.files ?? [])]);
    input.value = '';
  }

  private dragOver(event: DragEvent) {
    if (!this.uploader || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    this.dragging = true;
  }

  private drop(event: DragEvent) {
    this.dragging = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (!this.uploader || files.length === 0) return;
    event.preventDefault();
    this.attach(files);
  }

  private paste(event: ClipboardEvent) {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!this.uploader || files.length === 0) return;
    event.preventDefault();
    this.attach(files);
  }

  /** Starts uploading each file (at most ten per message), showing its progress. */
  attach(files: File[]) {
    const uploader = this.uploader;
    if (!uploader || this.disabled) return;
    for (const file of files.slice(0, Math.max(0, MAX_FILES - this.uploads.length))) {
      const key = this.nextKey++;
      this.uploads = [...this.uploads, { key, name: file.name || 'pasted image', size: file.size, progress: 0 }];
      const update = (change: Partial<Upload>) => {
        this.uploads = this.uploads.map((upload) => (upload.key === key ? { ...upload, ...change } : upload));
      };
      uploader(file, (progress) => update({ progress })).then(
        (attachment) => update({ attachment, progress: 1 }),
        (error: unknown) => update({ error: (error as Error)?.message ?? 'Upload failed' }),
      );
    }
  }

  private removeUpload(key: number) {
    this.uploads = this.uploads.filter((upload) => upload.key !== key);
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
    emit(this, 'derbel-draft', { text: this.value });
    if (this.length > 0) emit(this, 'derbel-typing');
  }

  private measure() {
    const textarea = this.textarea;
    this.length = characterCount(textarea.value.trim());
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
  }

  private keys(event: KeyboardEvent) {
    if (event.key === 'Escape' && this.replyingTo) {
      event.preventDefault();
      this.cancelReply();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
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
    if (!this.sendable) return;
    const attachments = this.uploads.map((upload) => upload.attachment!);
    const detail = attachments.length > 0 ? { text, attachments } : { text };
    emit(this, 'derbel-send', detail);
    this.uploads = [];
    textarea.value = '';
    this.input();
    textarea.focus();
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
      form.dragging {
        outline: 2px dashed var(--_accent);
        outline-offset: 4px;
        border-radius: var(--_radius);
      }
      .attach {
        padding-inline: 0.6rem;
      }
      .uploads {
        list-style: none;
        margin: 0 0 0.4rem;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      .uploads li {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.3rem 0.5rem;
        border: 1px solid var(--_border);
        border-radius: calc(var(--_radius) * 0.6);
        background: var(--_surface);
        font-size: 0.9rem;
      }
      .upload-name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .upload-size {
        color: var(--_muted);
      }
      progress {
        width: 6rem;
        accent-color: var(--_accent);
      }
      .error {
        color: var(--_danger);
      }
      .replying {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin: 0 0 0.4rem;
        padding: 0.3rem 0.5rem;
        border-left: 3px solid var(--_accent);
        border-radius: calc(var(--_radius) * 0.6);
        background: var(--_surface);
        font-size: 0.9rem;
      }
      .replying-quote {
        flex: 1;
        min-width: 0;
        display: grid;
      }
      .replying-text {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        color: var(--_muted);
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
